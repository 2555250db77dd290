"""The served explorer is safe to share: it answers only to its own addresses (Host: DNS
rebinding) and pages (Origin), never fetches from a CDN, caps the sessions it serves at once
and closes abandoned ones within minutes.

One `ecsim explore` on a free loopback port (a subprocess), driven by real HTTP and WebSocket
clients.  Its solara assets are a small directory made here, and its CDN address points at a
local socket that records every connection and never answers: a request that reached out
would be seen, and would hang.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from ecsim.cli import main
from ecsim.viz.server import ExplorerGuard, allowed_hosts, free_port, machine_addresses

MAX_SESSIONS = 2
IDLE = 2.0  # seconds: --idle-timeout 2s
STARTUP = 90  # seconds: a loaded 2-core machine imports solara and Mesa slowly
QUICK = 2.0  # seconds within which a refusal or a 404 must come


# ---------------------------------------------------------------------------------- a black-hole CDN
@dataclass
class BlackHole:
    """A listening socket that accepts connections, keeps them, and never answers."""

    sock: socket.socket
    connections: list[socket.socket] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/"

    def run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed
                return
            self.connections.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.connections:
            conn.close()


@pytest.fixture(scope="module")
def cdn() -> Iterator[BlackHole]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    hole = BlackHole(sock)
    threading.Thread(target=hole.run, daemon=True).start()
    yield hole
    hole.close()


# ---------------------------------------------------------------------------------- the server
@dataclass
class Served:
    port: int
    log: Path
    assets: Path

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text()[-4000:]


@contextmanager
def explore(tmp: Path, cdn: BlackHole, options: list[str], **env: str) -> Iterator[Served]:
    """`ecsim explore` with these options on a free loopback port, stopped afterwards.

    Its solara assets are one small package made here (``@fake/pkg@1.0.0``), and its CDN is ``cdn``.
    """
    assets = tmp / "cdn"
    (assets / "@fake" / "pkg@1.0.0" / "dist").mkdir(parents=True)
    (assets / "@fake" / "pkg@1.0.0" / "dist" / "index.js").write_text("shipped();\n")
    served = Served(free_port(), tmp / "server.log", assets)
    environ = {name: value for name, value in os.environ.items() if not name.startswith("VSCODE_")}
    environ |= {
        "PYTHONUNBUFFERED": "1",
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(assets),
        "SOLARA_ASSETS_CDN": cdn.url,
        **env,
    }
    with served.log.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ecsim.cli", "explore", "--port", str(served.port), *options],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environ,
        )
    try:
        deadline = time.monotonic() + STARTUP
        while "(Ctrl-C stops it)" not in served.log.read_text():
            if proc.poll() is not None:
                pytest.fail(f"ecsim explore exited with {proc.returncode}:\n{served.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"ecsim explore did not start within {STARTUP} s:\n{served.output()}")
            time.sleep(0.2)
        yield served
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, cdn: BlackHole) -> Iterator[Served]:
    """`ecsim explore --max-sessions 2 --idle-timeout 2s`."""
    options = ["--max-sessions", str(MAX_SESSIONS), "--idle-timeout", f"{IDLE:g}s"]
    with explore(tmp_path_factory.mktemp("explorer"), cdn, options) as served:
        yield served


def request(
    served: Served, path: str = "/", method: str = "GET", timeout: float = 30, **headers: str
) -> tuple[int, str]:
    """Status and body of one HTTP request; ``Host`` is the server's unless given."""
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=timeout)
    try:
        conn.request(
            method, path, headers={"Host": served.host, **{k.replace("_", "-"): v for k, v in headers.items()}}
        )
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        conn.close()


def handshake(served: Served, headers: dict[str, str]) -> int:
    """The HTTP status answering a WebSocket handshake sent with these headers (101: opened)."""
    kernel = uuid.uuid4().hex
    lines = [
        f"GET /jupyter/api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex} HTTP/1.1",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        status_line = sock.recv(4096).split(b"\r\n", 1)[0]
    return int(status_line.split()[1])


def open_session(
    served: Served, cookie: str, kernel: str | None = None, page: str | None = None, origin: str | None = None
) -> tuple[ClientConnection, str, str]:
    """A browser tab as solara's page opens it (or reconnects): a WebSocket for a kernel;
    (socket, kernel id, page id)."""
    kernel = kernel or uuid.uuid4().hex
    page = page or uuid.uuid4().hex
    ws = connect(
        f"ws://{served.host}/jupyter/api/kernels/{kernel}/channels?session_id={page}",
        origin=origin or f"http://{served.host}",  # type: ignore[arg-type]
        additional_headers={"Cookie": f"solara-session-id={cookie}"},
        proxy=None,
        open_timeout=30,
    )
    return ws, kernel, page


def kernels(served: Served) -> int:
    """How many sessions (solara kernels) the server holds, by its own report."""
    status, body = request(served, "/resourcez")
    assert status == 200, body
    return int(json.loads(body)["kernels"]["total"])


def wait_for_kernels(served: Served, count: int, within: float) -> float:
    """Seconds until the server holds ``count`` sessions; fails after ``within``."""
    start = time.monotonic()
    while (n := kernels(served)) != count:
        assert time.monotonic() - start < within, f"{n} sessions after {within} s, expected {count}"
        time.sleep(0.2)
    return time.monotonic() - start


def closed_by_server(ws: ClientConnection) -> tuple[int, str]:
    """The close code and reason of a WebSocket the server closes."""
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=30)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


# ---------------------------------------------------------------------------------- Host and Origin
def test_a_cross_origin_websocket_is_refused_and_a_same_origin_one_accepted(served: Served):
    wait_for_kernels(served, 0, within=IDLE + 15)
    for origin in ("http://evil.example", f"http://evil.example:{served.port}", "null", "http://127.0.0.1:1"):
        with pytest.raises(InvalidStatus) as refused:
            open_session(served, "x", origin=origin)
        assert refused.value.response.status_code == 403, origin
    assert kernels(served) == 0  # refused before solara saw it
    ws, _, _ = open_session(served, "same-origin")
    with ws:
        wait_for_kernels(served, 1, within=10)  # a session, served
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.5)  # open, waiting for the page's messages


def test_a_state_changing_request_from_another_origin_is_refused(served: Served):
    path = f"/_solara/api/close/{uuid.uuid4().hex}?session_id=x"
    status, body = request(served, path, "POST", Origin="http://evil.example")
    assert status == 403
    assert body.count("\n") == 1 and "origin 'http://evil.example'" in body
    assert request(served, path, "POST", Origin=f"http://{served.host}")[0] == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}", ""])
def test_a_foreign_host_is_refused_dns_rebinding(served: Served, host: str):
    host = host.format(port=served.port)
    status, body = request(served, "/", Host=host)
    assert status == 403
    assert body.count("\n") == 1 and f"host {host!r}" in body and "--allow-host" in body
    # A rebound page is same-origin with the attacker's name: its WebSocket is refused for the Host.
    assert handshake(served, {"Host": host, "Origin": f"http://{host}"}) == 403
    # The server's own names are served.
    for own in (served.host, f"localhost:{served.port}", f"LOCALHOST.:{served.port}", f"[::1]:{served.port}"):
        status, body = request(served, "/", Host=own)
        assert status == 200 and "<html" in body.lower(), own


def test_allowed_hosts():
    assert allowed_hosts("127.0.0.1") == {"127.0.0.1", "localhost", "::1"}
    assert allowed_hosts("::1") == {"127.0.0.1", "localhost", "::1"}
    assert allowed_hosts("192.0.2.7") == {"192.0.2.7"}  # a LAN address: only itself
    assert allowed_hosts("192.0.2.7", ["Explorer.Example.", "[2001:DB8::1]"]) == {
        "192.0.2.7",
        "explorer.example",
        "2001:db8::1",
    }
    everywhere = allowed_hosts("0.0.0.0")
    assert {"0.0.0.0", "localhost", "127.0.0.1", socket.gethostname().lower()} <= everywhere
    assert everywhere == machine_addresses() | {"0.0.0.0"}
    guard = ExplorerGuard(None, hosts=allowed_hosts("127.0.0.1"))  # type: ignore[arg-type]
    for ok in ("127.0.0.1:8765", "localhost", "[::1]:8765", "[0:0:0:0:0:0:0:1]:1"):
        assert guard.check_host(ok) is None, ok
    for bad in (None, "", "evil.example", "::1", "[::1", "127.0.0.1:x", "localhost.evil.example"):
        assert guard.check_host(bad), bad


def test_origin_rules():
    guard = ExplorerGuard(None, hosts=allowed_hosts("127.0.0.1", ["explorer.example"]), origins=["explorer.example"])  # type: ignore[arg-type]

    def refused(origin: str | None, host: str = "127.0.0.1:8765", kind: str = "websocket", method: str = "GET"):
        headers = {"host": host} | ({"origin": origin} if origin is not None else {})
        return guard.check_origin({"type": kind, "method": method}, headers)

    for same in ("http://127.0.0.1:8765", "https://127.0.0.1:8765", None):
        assert refused(same) is None, same
    assert refused("http://localhost", host="localhost:80") is None
    assert refused("https://explorer.example") is None  # an --allow-host name: a proxy's public name
    assert refused("https://explorer.example", host="explorer.example") is None
    for other in ("http://localhost:8765", "http://127.0.0.1:3000", "http://127.0.0.1", "null", "file://", "x:1:2"):
        assert refused(other), other
    assert refused("http://evil.example", kind="http", method="POST")
    assert refused("http://evil.example", kind="http", method="GET") is None  # reading: the Host check is enough


# ---------------------------------------------------------------------------------- no CDN
def test_the_page_loads_nothing_from_a_cdn(tmp_path: Path, cdn: BlackHole):
    """Also where solara would have the page load its JavaScript from the CDN: in a VS Code terminal."""
    with explore(tmp_path, cdn, [], VSCODE_PID="1") as served:
        status, page = request(served, "/")
    assert status == 200
    assert "jsdelivr" not in page and "unpkg" not in page
    assert not re.findall(r"""<(?:script|link|img|iframe)[^>]*(?:src|href)=["'](?:https?:)?//""", page)
    assert "/_solara/cdn/@widgetti/solara-vuetify-app" in page  # solara's app, from this server
    assert not cdn.connections


def test_an_unknown_cdn_path_is_a_404_at_once_with_no_outgoing_request(served: Served, cdn: BlackHole):
    before = len(cdn.connections)
    assert request(served, "/_solara/cdn/@fake/pkg@1.0.0/dist/index.js") == (200, "shipped();\n")
    for path in ("@fake/pkg@1.0.0/dist/missing.js", "left-pad@1.3.0/index.js", "left-pad@1.3.0", "../../etc/passwd"):
        start = time.monotonic()
        status, body = request(served, f"/_solara/cdn/{path}", timeout=10)
        assert status == 404, (path, body)
        assert time.monotonic() - start < QUICK, path
    time.sleep(0.5)
    assert len(cdn.connections) == before, "the server connected to the CDN"


def test_a_cdn_path_naming_a_shipped_directory_leaves_it_alone(served: Served, cdn: BlackHole):
    """Solara's CDN route deletes a directory a request names, then fetches it from the CDN."""
    before = len(cdn.connections)
    package = served.assets / "@fake" / "pkg@1.0.0"
    status, _ = request(served, "/_solara/cdn/@fake/pkg@1.0.0", timeout=10)
    assert status == 404
    assert (package / "dist" / "index.js").read_text() == "shipped();\n"
    assert len(cdn.connections) == before


def test_many_unknown_cdn_paths_do_not_starve_the_server(served: Served, cdn: BlackHole):
    before = len(cdn.connections)
    paths = [f"/_solara/cdn/pkg{i}@1.0.0/index.js" for i in range(60)]
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        statuses = list(pool.map(lambda p: request(served, p, timeout=10)[0], paths))
        assert request(served, "/", timeout=10)[0] == 200
    assert statuses == [404] * len(paths)
    assert time.monotonic() - start < 10
    assert len(cdn.connections) == before


# ---------------------------------------------------------------------------------- sessions
def test_the_session_over_the_cap_is_refused_not_left_hanging(served: Served):
    wait_for_kernels(served, 0, within=IDLE + 15)
    first, kernel, page = open_session(served, "alice")
    second, _, _ = open_session(served, "bob")
    with second:
        with first:
            wait_for_kernels(served, MAX_SESSIONS, within=10)
            # A third tab, from someone else: the page is refused, and so is its WebSocket.
            status, body = request(served, "/", Cookie="solara-session-id=carol")
            assert status == 503 and body.count("\n") == 1
            assert f"all {MAX_SESSIONS} sessions are in use (--max-sessions {MAX_SESSIONS})" in body
            assert request(served, "/")[0] == 503  # no cookie: a new browser
            start = time.monotonic()
            third, _, _ = open_session(served, "carol")
            with third:
                code, reason = closed_by_server(third)
            assert time.monotonic() - start < 10, "refused, not left waiting"
            assert code == 1013 and f"--max-sessions {MAX_SESSIONS}" in reason
            assert kernels(served) == MAX_SESSIONS
            # Alice's browser still gets the page (a reload), and her tab may reconnect.
            assert request(served, "/", Cookie="solara-session-id=alice")[0] == 200
            again, _, _ = open_session(served, "alice", kernel=kernel, page=page)
            with again, pytest.raises(TimeoutError):
                again.recv(timeout=0.5)
        # Alice leaves: her page closes its socket and sends its close beacon, which frees the place.
        status, _ = request(served, f"/_solara/api/close/{kernel}?session_id={page}", "POST")
        assert status == 200
        wait_for_kernels(served, MAX_SESSIONS - 1, within=10)
        assert request(served, "/", Cookie="solara-session-id=carol")[0] == 200
        third, _, _ = open_session(served, "carol")
        with third, pytest.raises(TimeoutError):
            third.recv(timeout=0.5)
        assert kernels(served) == MAX_SESSIONS


def test_an_abandoned_session_is_closed_after_the_idle_timeout(served: Served):
    wait_for_kernels(served, 0, within=IDLE + 15)
    ws, _, _ = open_session(served, "dave")
    with ws:
        wait_for_kernels(served, 1, within=10)
        time.sleep(IDLE + 1)
        assert kernels(served) == 1  # connected: kept however long
    # The tab went away without closing (a crash, a lost network): kept for IDLE seconds, then closed.
    waited = wait_for_kernels(served, 0, within=IDLE + 15)
    assert waited >= IDLE - 0.5


def test_explore_defaults_and_options(monkeypatch):
    """8 sessions and a 5-minute idle timeout unless told otherwise; what the command passes on."""
    import ecsim.viz.server

    calls: list[dict] = []
    monkeypatch.setattr(ecsim.viz.server, "serve", lambda **kwargs: calls.append(kwargs))
    assert main(["explore", "--port", "0"]) == 0
    assert calls[-1]["max_sessions"] == 8 and calls[-1]["idle_timeout"] == 300 and not calls[-1]["allow_hosts"]
    argv = ["explore", "--port", "0", "--max-sessions", "3", "--idle-timeout", "90s"]
    assert main([*argv, "--allow-host", "explorer.example", "--allow-host", "[2001:db8::1]"]) == 0
    assert calls[-1]["max_sessions"] == 3 and calls[-1]["idle_timeout"] == 90
    assert calls[-1]["allow_hosts"] == ["explorer.example", "2001:db8::1"]
    assert main(["explore", "--port", "0", "--idle-timeout", "10m"]) == 0 and calls[-1]["idle_timeout"] == 600


BAD_OPTIONS = [
    ("--max-sessions", "0"),
    ("--max-sessions", "many"),
    ("--idle-timeout", "0"),
    ("--idle-timeout", "5 min"),
    ("--idle-timeout", "inf"),
    ("--allow-host", "http://evil.example"),
    ("--allow-host", "explorer.example:80"),
]


@pytest.mark.parametrize(("option", "value"), BAD_OPTIONS)
def test_explore_bad_option_is_one_line_and_status_2(option, value, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["explore", option, value])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert err.count("\n") == 1 and f"argument {option}: {value!r} is not allowed: expected" in err


def test_solara_is_configured_to_cull_and_to_serve_local_assets_only(monkeypatch):
    """The settings `ecsim explore` gives solara: idle kernels culled after the timeout (solara's
    default is 24 hours), the page's JavaScript from this server, never fetched from a CDN."""
    import solara.settings
    from solara.server import cdn_helper, settings
    from solara.util import parse_timedelta

    from ecsim.viz.server import configure_solara

    for env in ("SOLARA_APP", "SOLARA_TELEMETRY_MIXPANEL_ENABLE"):
        monkeypatch.setenv(env, os.environ.get(env, ""))
    for obj, name in [
        (settings.main, "mode"),
        (settings.telemetry, "mixpanel_enable"),
        (settings.theme, "show_banner"),
    ]:
        monkeypatch.setattr(obj, name, getattr(obj, name))
    monkeypatch.setattr(settings.kernel, "cull_timeout", settings.kernel.cull_timeout)
    monkeypatch.setattr(solara.settings.assets, "proxy", False)  # as in a VS Code terminal
    monkeypatch.setattr(cdn_helper, "fetch_from_cdn", cdn_helper.fetch_from_cdn)

    assert parse_timedelta(settings.kernel.cull_timeout) == 24 * 3600  # solara's own default
    configure_solara()
    assert parse_timedelta(settings.kernel.cull_timeout) == 300
    assert settings.kernel.max_count is None  # over a cap solara's limiter makes a tab wait; ours refuses
    assert solara.settings.assets.proxy is True
    with pytest.raises(OSError, match="not fetching"):
        cdn_helper.fetch_from_cdn("https://cdn.jsdelivr.net/npm/left-pad@1.3.0/index.js")
    configure_solara(idle_timeout=2.5)
    assert parse_timedelta(settings.kernel.cull_timeout) == 2.5
