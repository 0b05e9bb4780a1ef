"""Everything the page needs is served by the app itself: no CDN, no web font.

The workbench must work on a closed network (a ministry's, a railway's), where a request to a CDN
hangs or fails and the browser logs errors. Panel serves its and Bokeh's scripts from the app when
its resources are in `server` mode (the default of `pn.serve`, forced here against a `BOKEH_RESOURCES`
in the user's environment); its Fast design, though, asks Google Fonts for Open Sans. The page uses
the operating system's own interface font instead (what a desktop application shows).
"""

from __future__ import annotations

#: the operating system's interface font, then common ones (Windows, macOS, Linux) before any sans-serif
SYSTEM_FONTS = ('system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", "DejaVu Sans", '
                "Arial, sans-serif")


def serve_resources_locally() -> None:
    """Scripts and style sheets from the app's own address, whatever BOKEH_RESOURCES says, and no web
    font. (The Fast design's font is in a private class attribute every page reads, `_resources`, with
    no public setting to turn it off (Panel 1.9: the template's `font_url` adds a font, it does not
    remove this one); a subclass cannot drop it, as Panel finds a design's scripts by its class name.
    tests/app/test_workbench_page.py fails, saying so, if Panel drops or renames it. This runs in the
    `dostyk app` process only.)"""
    from bokeh.settings import settings
    from panel.theme.fast import Fast

    settings.resources = "server"
    resources = getattr(Fast, "_resources", None)
    if isinstance(resources, dict) and "font" in resources:  # else Panel changed: the test above says so
        Fast._resources = {**resources, "font": {}}
