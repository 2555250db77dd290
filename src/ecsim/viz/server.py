"""Serve the explorer as a web app: solara's documented self-hosting (uvicorn + ``SOLARA_APP``).

In-process rather than through ``solara run``: one Python process, production mode (no file
watcher, no hot reload), no browser opened, no version check or telemetry sent, and uvicorn's
own Ctrl-C handling (a graceful shutdown, then ``KeyboardInterrupt`` for the caller).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import warnings

APP = "ecsim.viz.app"


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


def serve(port: int = 8765, host: str = "127.0.0.1", announce: bool = True) -> None:
    """Serve the explorer at ``http://host:port`` until interrupted (Ctrl-C raises KeyboardInterrupt).

    Each browser session gets its own model.  ``port=0`` picks a free port.  Raises
    :class:`PortError` when the port cannot be bound, RuntimeError when the app fails to start.
    """
    if port == 0:
        port = free_port(host)
    check_port(host, port)
    # Before solara's settings are read: the app to serve, production mode, nothing sent out.
    os.environ["SOLARA_APP"] = APP
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    import uvicorn
    from solara.server import settings

    settings.main.mode = "production"
    settings.telemetry.mixpanel_enable = False
    settings.theme.show_banner = False  # solara's corner badge would cover the last tile
    # Solara warns that a session cookie over plain http to a host other than "localhost" cannot
    # be SameSite=None (only needed when embedded in an iframe); it falls back to Lax, which is right here.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    config = uvicorn.Config(
        "solara.server.starlette:app",
        host=host,
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=2,  # open browser tabs keep websockets; do not wait on them
    )
    server = uvicorn.Server(config)
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    if announce:
        print(f"ecsim explorer: starting on {url} ...", flush=True)

        def announce_ready() -> None:
            while not server.started and not server.should_exit:
                time.sleep(0.1)
            if server.started:
                print(f"ecsim explorer: open {url}  (Ctrl-C stops it)", flush=True)

        threading.Thread(target=announce_ready, daemon=True).start()
    server.run()
    if not server.started:
        raise RuntimeError("the explorer did not start (see the messages above)")
