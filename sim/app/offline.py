"""The page's look with nothing loaded from the internet.

Panel's Fast design links a Google Fonts stylesheet. Without a network (an office behind a firewall,
a CI machine) the browser holds the page's scripts until that request fails, which can take minutes;
everything else the page needs, the workbench's server serves itself.
"""

from __future__ import annotations


def local_design() -> type:
    """Panel's Fast design without its web font (the text falls back to the browser's sans-serif).

    The subclass keeps the name `Fast`: Panel finds a design's bundled files under its lower-cased
    class name."""
    from panel.theme.fast import Fast

    resources = {kind: urls for kind, urls in Fast._resources.items() if kind != "font"}
    return type("Fast", (Fast,), {"_resources": resources, "__module__": __name__})
