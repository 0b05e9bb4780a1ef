"""Serving the workbench on a local address (Panel's Bokeh server), one page per browser tab."""

from __future__ import annotations

import errno
import signal
import socket
from collections.abc import Callable
from typing import Any

#: `--port 0`: how many free ports to try; another program may take the one found before we bind it
PORT_ATTEMPTS = 5


def free_port(address: str = "127.0.0.1") -> int:
    """A port nobody listens on now (for `--port 0`)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((address, 0))
        return int(s.getsockname()[1])


def bind(port: int, address: str, make: Callable[[int], Any], attempts: int = PORT_ATTEMPTS) -> tuple[int, Any]:
    """(port, `make(port)`), where `make` binds the port. With port 0 a free port is found first, and
    another one if a process took it between the finding and the binding (two workbenches or test
    servers started at once); a port the user chose is tried once."""
    attempt = 1
    while True:
        chosen = port or free_port(address)
        try:
            return chosen, make(chosen)
        except OSError as exc:
            if port or exc.errno != errno.EADDRINUSE or attempt >= attempts:
                raise
            attempt += 1


def serve(port: int, address: str, show: bool, ready: Callable[[str], None]) -> None:
    """Serve until interrupted; `ready(url)` is called once the server listens."""
    import panel as pn

    from sim.app.jobs import cancel_all
    from sim.app.offline import serve_resources_locally
    from sim.app.page import page

    serve_resources_locally()

    def make(chosen: int) -> Any:  # Bokeh's server binds its socket when made (start=False)
        # Bokeh's own limit on a browser's message (20 MB) stands: the browser refuses an upload over
        # sim.app.uploads.MAX_UPLOAD_BYTES (1 MB) before sending it
        return pn.serve({"/": page}, port=chosen, address=address, show=False, start=False, threaded=False,
                        title="Dostyk crossing workbench",
                        websocket_origin=[f"{address}:{chosen}", f"localhost:{chosen}"])

    port, server = bind(port, address, make)
    url = f"http://{address}:{port}/"
    ready(url)
    if show:
        import webbrowser

        webbrowser.open(url)
    quiet_when_a_tab_closes(server.io_loop.asyncio_loop)
    stopped = stop_on_signals(server.io_loop)
    try:
        server.start()
        server.io_loop.start()
    finally:  # Ctrl-C or SIGTERM: runs in flight are ended, not waited for
        cancel_all()
    if stopped:
        raise KeyboardInterrupt  # as the command line says of Ctrl-C: "Interrupted."


def stop_on_signals(io_loop: Any) -> list[int]:
    """Ctrl-C and SIGTERM stop the server's loop between two callbacks; the list returned holds the signal
    once one came. (The command line's handler raises KeyboardInterrupt wherever Python is: in a finalizer,
    run as a closed tab's session is collected, Python ignores it, and `dostyk app` went on serving; seen
    on a busy machine.) Outside the main thread the command line's handler stays."""
    stopped: list[int] = []

    def stop(signum: int) -> None:
        stopped.append(signum)
        io_loop.stop()

    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            io_loop.asyncio_loop.add_signal_handler(signum, stop, signum)
    except (ValueError, RuntimeError, NotImplementedError):  # not the main thread; Windows
        pass
    return stopped


def quiet_when_a_tab_closes(loop: Any) -> None:
    """A tab closed while the page was sending it an update is normal use, yet tornado logs it as
    "Task exception was never retrieved" with two tracebacks (WebSocketClosedError; a known Bokeh/tornado
    behaviour, e.g. holoviz/panel#3113). Those are dropped; any other loop error is logged as before."""
    from tornado.iostream import StreamClosedError
    from tornado.websocket import WebSocketClosedError

    def handle(loop: Any, context: dict[str, Any]) -> None:
        if not isinstance(context.get("exception"), (WebSocketClosedError, StreamClosedError)):
            loop.default_exception_handler(context)

    loop.set_exception_handler(handle)
