"""`dostyk app`: the workbench in the browser (needs the `app` extra: pip install 'dostyk-sim[app]')."""

from __future__ import annotations

import click

from sim.cli.options import echo
from sim.errors import SimError


class MissingExtraError(SimError):
    """An optional feature whose libraries are not installed."""


@click.command("app")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=5006, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--address", default="127.0.0.1", show_default=True, help="Address to listen on (local only by default).")
@click.option("--show/--no-show", default=False, show_default=True, help="Open a browser tab.")
def app(port: int, address: str, show: bool) -> None:
    """Start the workbench: choose a scenario, change levers, run, compare and download in the browser."""
    try:
        import bokeh  # noqa: F401
        import panel as pn  # noqa: F401
    except ImportError:
        raise MissingExtraError("the workbench needs Panel: install the app extra, "
                                "`.venv/bin/pip install -e '.[app]'` (or `make app`)") from None
    from sim.app.server import serve

    def ready(url: str) -> None:
        echo(f"Workbench running at {url} (Ctrl-C to stop)", nl=True)

    serve(port, address, show, ready)
