"""Serve the explorer as a web app: solara's documented self-hosting (uvicorn + ``SOLARA_APP``).

In-process rather than through ``solara run``: one Python process, production mode (no file
watcher, no hot reload), no browser opened, no version check or telemetry sent, and uvicorn's
own Ctrl-C handling (a graceful shutdown, then ``KeyboardInterrupt`` for the caller).

Safe to share: solara's app is wrapped in :class:`ExplorerGuard`, which

* answers only to the addresses the server was started on (the ``Host`` header: DNS rebinding)
  and lets only its own pages open a WebSocket or send a POST (the ``Origin`` header);
* serves ``/_solara/cdn/...`` from the locally installed ``solara-assets`` only: a file that is
  not there is a 404 at once, never fetched from a public CDN (solara's CDN proxy would);
* admits at most ``max_sessions`` browser sessions (tabs) at once and refuses more with a 503;
  a session whose tabs have all disconnected is closed after ``idle_timeout`` seconds
  (solara's kernel cull timeout, 24 hours by default).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import socket
import threading
import time
import warnings
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

APP = "ecsim.viz.app"
MAX_SESSIONS = 8  #: browser sessions (tabs) served at once, by default
IDLE_TIMEOUT = 300.0  #: seconds a session is kept after its last tab disconnected, by default
LOOPBACK = ("localhost", "127.0.0.1", "::1")

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class PortError(OSError):
    """The port cannot be listened on (in use, or not allowed)."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port the OS reports free on ``host`` (for ``--port 0`` and tests)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def check_port(host: str, port: int) -> None:
    """Fail early, in one line, when ``host:port`` cannot be bound (uvicorn would log and exit 1)."""
    try:
        with socket.socket(_family(host), socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
    except socket.gaierror:  # the host, not the port
        raise
    except OSError as exc:
        raise PortError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


# ---------------------------------------------------------------------------------- hosts
def normalize_host(name: str) -> str:
    """A host name or address as compared: lower case, no brackets or trailing dot, IPs canonical."""
    name = name.strip().lower().rstrip(".")
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    try:
        return ipaddress.ip_address(name.split("%", 1)[0]).compressed
    except ValueError:
        return name


def is_wildcard(host: str) -> bool:
    """``0.0.0.0``, ``::`` or empty: every interface of the machine."""
    return host.strip() in ("", "0.0.0.0", "::", "[::]")


def is_loopback(host: str) -> bool:
    name = normalize_host(host)
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def machine_addresses() -> set[str]:
    """The names and addresses this machine is known by, as far as it can tell without the network:
    its host name (and ``<name>.local``), what the name resolves to, and the source address of
    its routes out (a UDP socket is connected, which sends nothing)."""
    found: set[str] = set(LOOPBACK)
    hostname = socket.gethostname()
    names = [hostname] + ([f"{hostname}.local"] if "." not in hostname else [])
    found.update(names)
    with contextlib.suppress(OSError):
        found.update(str(info[4][0]) for info in socket.getaddrinfo(hostname, None))
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                found.add(str(s.getsockname()[0]))
        except OSError:
            pass
    return {normalize_host(name) for name in found}


def allowed_hosts(host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The host names a request may name (its ``Host`` header) for a server bound to ``host``.

    The bound address itself; on loopback also ``localhost``, ``127.0.0.1`` and ``::1``; on every
    interface (``0.0.0.0``, ``::``) also :func:`machine_addresses`; and the ``extra`` names
    (``--allow-host``: e.g. a DNS name of the machine, or the name a reverse proxy forwards).
    """
    names = {normalize_host(host)} if host.strip() else set()
    if is_wildcard(host):
        names |= machine_addresses()
    elif is_loopback(host):
        names |= set(LOOPBACK)
    names |= {normalize_host(name) for name in extra}
    return frozenset(names)


def _split_host_header(value: str) -> tuple[str, int | None] | None:
    """``name[:port]`` or ``[v6][:port]`` as (normalized name, port or None); None if malformed."""
    value = value.strip()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port = rest[1:] if rest else None
    else:
        name, colon, port_text = value.partition(":")
        if ":" in port_text:
            return None
        port = port_text if colon else None
    if not name or (port is not None and not port.isdigit()):
        return None
    return normalize_host(name), (int(port) if port is not None else None)


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


# ---------------------------------------------------------------------------------- the guard
class ExplorerGuard:
    """ASGI middleware around solara's app: Host and Origin checks, no CDN proxy, a session cap.

    ``sessions`` returns the live sessions as ``{kernel_id: session cookie}`` (by default
    solara's kernel contexts that are not closing).  WebSockets being opened count as well,
    so a burst of new tabs cannot slip past the cap before their kernels exist.
    """

    WS_PREFIX = "/jupyter/api/kernels/"
    CDN_PREFIX = "/_solara/cdn/"
    NOT_PAGES = ("/static/", "/_solara/", "/jupyter/", "/readyz", "/resourcez")
    SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
    SOCKETS_PER_SESSION = 4  # a tab has one; a reconnect briefly two

    def __init__(
        self,
        app: ASGIApp,
        *,
        hosts: Iterable[str],
        origins: Iterable[str] = (),
        max_sessions: int = MAX_SESSIONS,
        idle_timeout: float = IDLE_TIMEOUT,
        cdn_dir: Path | None = None,
        sessions: Callable[[], Mapping[str, str]] | None = None,
        grace: float = 3.0,
    ) -> None:
        self.app = app
        self.hosts = frozenset(hosts)
        self.origins = frozenset(normalize_host(name) for name in origins)
        self.max_sessions = max_sessions
        self.idle_timeout = idle_timeout
        self.cdn_dir = cdn_dir
        self.sessions = sessions or solara_sessions
        self.grace = grace  # a reloaded tab's new socket may come before the old tab's close
        self.opening: dict[str, int] = {}  # kernel id -> its WebSockets admitted and still open
        self.opening_session: dict[str, str | None] = {}  # kernel id -> the session cookie they sent

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):  # lifespan
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        refusal = self.check_host(headers.get("host")) or self.check_origin(scope, headers)
        if refusal:
            log.info("%s", refusal)
            await _refuse(scope, receive, send, 403, refusal)
            return
        path: str = scope.get("path", "")
        if kind == "websocket":
            await self._websocket(scope, receive, send, path)
            return
        if path.startswith(self.CDN_PREFIX) and not self.is_shipped(path[len(self.CDN_PREFIX) :]):
            await _refuse(scope, receive, send, 404, f"ecsim explorer: {path} is not among the local solara assets")
            return
        if scope.get("method") in ("GET", "HEAD") and not path.startswith(self.NOT_PAGES):
            live, cookie = self.live(), _session_cookie(headers)
            if len(live) >= self.max_sessions and (cookie is None or cookie not in live.values()):
                await _refuse(scope, receive, send, 503, self.busy())
                return
        await self.app(scope, receive, send)

    # ------------------------------------------------------------------ checks
    def check_host(self, value: str | None) -> str | None:
        """Why a request naming this ``Host`` is refused, or None (DNS rebinding: a foreign name).

        The refusal does not list the allowed names: a rebound page could read it.
        """
        parsed = _split_host_header(value) if value else None
        if parsed is not None and parsed[0] in self.hosts:
            return None
        return (
            f"ecsim explorer: refused a request for host {value or ''!r}: not a name this server answers to "
            "(its owner can add one with --allow-host)"
        )

    def check_origin(self, scope: Scope, headers: Mapping[str, str]) -> str | None:
        """Why a WebSocket or a state-changing request from this ``Origin`` is refused, or None.

        Only a page of this very server may open a WebSocket or POST: one from the host and port
        the request names (its ``Host`` header), or from a host in ``origins`` (the ``--allow-host``
        names, e.g. of a reverse proxy that passes on another ``Host``).  A request without
        ``Origin`` is not from a web page.
        """
        if scope["type"] == "http" and scope.get("method") in self.SAFE_METHODS:
            return None
        origin = headers.get("origin")
        if origin is None:
            return None
        host = _split_host_header(headers.get("host", ""))
        try:
            parts = urlsplit(origin)
            name = normalize_host(parts.hostname or "")
            ok = parts.scheme in ("http", "https") and (
                name in self.origins
                or (
                    host is not None
                    and name == host[0]
                    and (parts.port or _DEFAULT_PORTS[parts.scheme]) == (host[1] or _DEFAULT_PORTS[parts.scheme])
                )
            )
        except ValueError:  # a malformed port
            ok = False
        if ok:
            return None
        return (
            f"ecsim explorer: refused a request from origin {origin!r}: "
            f"only pages served by this server ({headers.get('host', '')}) may connect"
        )

    def is_shipped(self, subpath: str) -> bool:
        """Whether ``/_solara/cdn/<subpath>`` is a file of the local solara assets.

        The same path solara's CDN route would look up (it stores a bare ``package@version`` as
        ``package@version/__main.js``); only a regular file passes, because for anything else that
        route fetches from the CDN (and first deletes a directory of the same name).
        """
        if self.cdn_dir is None:
            return False
        parts = [part for part in subpath.replace("\\", "/").split("/") if part not in ("", ".")]
        if not parts or ".." in parts:
            return False
        if len(parts) == 1:
            parts.append("__main.js")
        root = self.cdn_dir.resolve()
        try:
            target = root.joinpath(*parts).resolve()
            return target.is_relative_to(root) and target.is_file()
        except (OSError, ValueError):
            return False

    # ------------------------------------------------------------------ sessions
    def live(self) -> dict[str, str | None]:
        """Live sessions and WebSockets being opened: ``{kernel id: session cookie or None}``."""
        live = dict(self.opening_session)
        live.update(self.sessions())
        return live

    def busy(self, short: bool = False) -> str:
        """The refusal of a session over the cap (``short``: within a WebSocket close reason's 123 bytes)."""
        if short:
            n = self.max_sessions
            return f"ecsim explorer is busy: all {n} sessions are in use (--max-sessions {n}); try again later"
        minutes = f"{self.idle_timeout / 60:g} min" if self.idle_timeout >= 60 else f"{self.idle_timeout:g} s"
        return (
            f"ecsim explorer is busy: all {self.max_sessions} sessions are in use (--max-sessions "
            f"{self.max_sessions}); try again when a tab closes (an abandoned one closes after {minutes})"
        )

    async def _websocket(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        kernel_id = path[len(self.WS_PREFIX) :].split("/", 1)[0] if path.startswith(self.WS_PREFIX) else ""
        if not kernel_id:
            await self.app(scope, receive, send)
            return
        if self.opening.get(kernel_id, 0) >= self.SOCKETS_PER_SESSION:
            reason = f"ecsim explorer: this tab already has {self.SOCKETS_PER_SESSION} connections open"
            await _refuse(scope, receive, send, 503, reason)
            return
        deadline = time.monotonic() + self.grace
        while True:  # checked and reserved with no await in between: one event loop, no race
            live = self.live()
            if kernel_id in live or len(live) < self.max_sessions:
                break
            if time.monotonic() >= deadline:
                log.info("%s", self.busy())
                await _refuse(scope, receive, send, 503, self.busy(short=True))
                return
            await asyncio.sleep(0.1)
        self.opening[kernel_id] = self.opening.get(kernel_id, 0) + 1
        self.opening_session.setdefault(kernel_id, _session_cookie(_headers(scope)))
        try:
            await self.app(scope, receive, send)
        finally:
            self.opening[kernel_id] -= 1
            if not self.opening[kernel_id]:
                del self.opening[kernel_id], self.opening_session[kernel_id]


def solara_sessions() -> dict[str, str]:
    """Solara's live kernels (one per browser tab), ``{kernel id: session cookie}``."""
    from solara.server import kernel_context

    return {
        kernel_id: context.session_id
        for kernel_id, context in kernel_context.contexts.copy().items()
        if not (context._teardown_done or context.closed_event.is_set())
    }


def _headers(scope: Scope) -> dict[str, str]:
    """The request's headers by lower-case name (a repeated one: the first)."""
    headers: dict[str, str] = {}
    for name, value in scope.get("headers", ()):
        headers.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    return headers


def _session_cookie(headers: Mapping[str, str]) -> str | None:
    """The browser's solara session cookie (one per browser, shared by its tabs), as solara reads it."""
    from starlette.requests import cookie_parser

    cookies = cookie_parser(headers.get("cookie", ""))
    return cookies.get("solara-session-id") or cookies.get("solara-session-id-lax")


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, reason: str) -> None:
    """Refuse a request: an HTTP response of one line; a WebSocket is refused at the handshake
    (HTTP 403, status 403) or opened and closed at once with the reason (code 1013, "try again
    later"; status 503), which a page's script can read."""
    if scope["type"] == "http":
        body = (reason + "\n").encode()
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body if scope.get("method") != "HEAD" else b""})
        return
    # Not uvicorn's websocket.http.response: its default protocol logs an ERROR for each one sent.
    await receive()  # websocket.connect
    if status == 403:
        await send({"type": "websocket.close", "code": 1008})
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": 1013, "reason": reason.encode()[:123].decode(errors="ignore")})


# ---------------------------------------------------------------------------------- solara
def _no_cdn_fetch(url: str) -> bytes:
    """Replaces solara's CDN download: the explorer serves the locally installed assets only."""
    raise OSError(f"ecsim explorer: not fetching {url}; only the local solara assets are served")


def configure_solara(idle_timeout: float = IDLE_TIMEOUT) -> Path:
    """Solara's settings for the explorer, before its server module is imported; the local assets' directory.

    Production mode, nothing sent out, the app to serve; kernels whose tabs all disconnected are
    culled after ``idle_timeout`` seconds; the page loads solara's JavaScript from this server
    (``/_solara/cdn``, the installed ``solara-assets``), never from a CDN, also where solara
    would not (e.g. in a VS Code terminal).
    """
    os.environ["SOLARA_APP"] = APP
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    import solara.settings
    from solara.server import cdn_helper, settings

    settings.main.mode = "production"
    settings.telemetry.mixpanel_enable = False
    settings.theme.show_banner = False  # solara's corner badge would cover the last tile
    settings.kernel.cull_timeout = f"{idle_timeout:g}s"
    # Not settings.kernel.max_count: over it, a WebSocket waits for a free kernel thread (a hang);
    # ExplorerGuard refuses instead.
    cdn_dir = Path(settings.assets.proxy_cache_dir)  # where solara-assets installs its files
    with contextlib.suppress(OSError):  # solara's route for it needs the directory
        cdn_dir.mkdir(parents=True, exist_ok=True)
    solara.settings.assets.proxy = True
    cdn_helper.fetch_from_cdn = _no_cdn_fetch  # in case a path ever reaches solara's route
    # Solara warns that a session cookie over plain http to a host other than "localhost" cannot
    # be SameSite=None (only needed when embedded in an iframe); it falls back to Lax, which is right here.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    return cdn_dir


def build_app(
    host: str = "127.0.0.1",
    max_sessions: int = MAX_SESSIONS,
    idle_timeout: float = IDLE_TIMEOUT,
    allow_hosts: Iterable[str] = (),
) -> ExplorerGuard:
    """Solara's starlette app for the explorer, wrapped in :class:`ExplorerGuard`."""
    if max_sessions < 1:
        raise ValueError(f"max_sessions={max_sessions} is not allowed: expected at least 1")
    if not idle_timeout > 0:
        raise ValueError(f"idle_timeout={idle_timeout} is not allowed: expected more than 0 seconds")
    allow_hosts = tuple(allow_hosts)
    cdn_dir = configure_solara(idle_timeout)
    from solara.server.starlette import app

    return ExplorerGuard(
        app,
        hosts=allowed_hosts(host, allow_hosts),
        origins=allow_hosts,
        max_sessions=max_sessions,
        idle_timeout=idle_timeout,
        cdn_dir=cdn_dir,
    )


def serve(
    port: int = 8765,
    host: str = "127.0.0.1",
    announce: bool = True,
    max_sessions: int = MAX_SESSIONS,
    idle_timeout: float = IDLE_TIMEOUT,
    allow_hosts: Iterable[str] = (),
) -> None:
    """Serve the explorer at ``http://host:port`` until interrupted (Ctrl-C raises KeyboardInterrupt).

    Each browser session (tab) gets its own model; at most ``max_sessions`` at once, and one
    whose tabs all disconnected is closed after ``idle_timeout`` seconds.  The server answers
    only to ``host`` (plus ``localhost`` and the like on loopback, the machine's names and
    addresses on ``0.0.0.0``/``::``) and to ``allow_hosts``.  ``port=0`` picks a free port.
    Raises :class:`PortError` when the port cannot be bound, RuntimeError when the app fails to start.
    """
    if port == 0:
        port = free_port(host)
    check_port(host, port)
    app = build_app(host, max_sessions=max_sessions, idle_timeout=idle_timeout, allow_hosts=allow_hosts)
    import uvicorn

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=2,  # open browser tabs keep websockets; do not wait on them
    )
    server = uvicorn.Server(config)
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    if announce:
        print(f"ecsim explorer: starting on {url} ...", flush=True)
        if is_wildcard(host):
            names = ", ".join(sorted(app.hosts))
            print(f"ecsim explorer: shared on the network, unauthenticated; answers to {names}", flush=True)

        def announce_ready() -> None:
            while not server.started and not server.should_exit:
                time.sleep(0.1)
            if server.started:
                print(f"ecsim explorer: open {url}  (Ctrl-C stops it)", flush=True)

        threading.Thread(target=announce_ready, daemon=True).start()
    server.run()
    if not server.started:
        raise RuntimeError("the explorer did not start (see the messages above)")
    # A started server stops only on a signal. uvicorn re-raises it after its graceful shutdown, but inside
    # asyncio.run, whose own Ctrl-C handling can swallow it (rarely: the CLI then exited 0, not 130); say it here.
    raise KeyboardInterrupt
