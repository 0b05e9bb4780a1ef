"""Serving the workbench on a local address (Panel's Bokeh server), one page per browser tab."""

from __future__ import annotations

import socket
from collections.abc import Callable

#: the largest message from the browser: an upload travels in one (base64, a third larger); over Bokeh's
#: 20 MB, a 16 MB file closed the page's connection for good, instead of being refused with a message
MAX_MESSAGE_BYTES = 100_000_000


def free_port(address: str = "127.0.0.1") -> int:
    """A port nobody listens on now (for `--port 0`)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((address, 0))
        return int(s.getsockname()[1])


def serve(port: int, address: str, show: bool, ready: Callable[[str], None]) -> None:
    """Serve until interrupted; `ready(url)` is called once the server listens."""
    import panel as pn

    from sim.app.jobs import cancel_all
    from sim.app.offline import serve_resources_locally
    from sim.app.page import page

    serve_resources_locally()
    port = port or free_port(address)
    url = f"http://{address}:{port}/"
    server = pn.serve({"/": page}, port=port, address=address, show=False, start=False, threaded=False,
                      title="Dostyk crossing workbench", websocket_origin=[f"{address}:{port}", f"localhost:{port}"],
                      websocket_max_message_size=MAX_MESSAGE_BYTES)
    ready(url)
    if show:
        import webbrowser

        webbrowser.open(url)
    try:
        server.start()
        server.io_loop.start()
    finally:  # Ctrl-C or SIGTERM: runs in flight are ended, not waited for
        cancel_all()
