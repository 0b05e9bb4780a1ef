"""The page's upload box: a scenario file the user chose, read as the loader reads a file, and the page told
whether it loaded or why not; the page's message is about the file chosen last, and the box holds a file
only while the page holds it (sim.app.pond says what the browser does that the page would not hear)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import panel as pn

from sim.app.pond import MAX_REPORTED, FileBoxEvents
from sim.app.uploads import MAX_UPLOAD_BYTES, browser_size, read_upload
from sim.errors import SimError
from sim.scenario.errors import ScenarioError
from sim.scenario.schema import Scenario
from sim.scenario.yamltext import readable_size, size_problem


class UploadBox:
    """The file box and its reading: `loaded(filename, scenario)` for a file read, `refused(message)` otherwise."""

    def __init__(self, loaded: Callable[[str, Scenario], None], refused: Callable[[str], None]) -> None:
        self.loaded, self.refused = loaded, refused
        # FileDropper, not FileInput: it refuses a file over the limit in the browser, with its size, before
        # sending it (an 80 MB file cut the page's connection), and it sends a file chosen again (FileInput
        # did not: its value had not changed). No file types: it checks a file's type, not its name, and
        # browsers name YAML's type differently (Chromium on Linux application/x-yaml, where Panel expects
        # text/yaml; some none at all), so a right file would be refused; read_upload checks the name.
        self.widget = pn.widgets.FileDropper(multiple=False, max_file_size=browser_size(MAX_UPLOAD_BYTES),
                                             previews=[], css_classes=["upload-scenario"], sizing_mode="stretch_width")
        self.widget.param.watch(lambda _: self._arrived(), "value")  # every file sent, the same one again too
        self.events = FileBoxEvents()
        self.events.param.watch(lambda event: self._refused_in_browser(event.new), "refused")

    def _arrived(self) -> None:
        files = dict(self.widget.value)
        if not files:
            return  # a file removed from the widget (or the emptying below): nothing to load
        self.widget.param.update(value={}, mime_type={})  # read once: the next file (the same one again too) arrives alone
        for filename, content in files.items():
            self._read(filename, content)

    def _read(self, filename: str, content: bytes | str) -> None:
        try:
            scenario = read_upload(filename, content)
        except SimError as exc:
            self.events.unload(filename)  # not "Upload complete" beside the refusal: the page holds nothing of it
            self.refused(str(exc))
            return
        self.loaded(filename, scenario)

    def _refused_in_browser(self, report: dict[str, Any]) -> None:
        """The browser refused a file before sending it (`report`, from FileBoxEvents): said in the loader's
        words, so that the message beside the box is about this file, not the one chosen before."""
        name = str(report.get("name") or "the file chosen")[:MAX_REPORTED]
        size = report.get("size")
        over = size_problem(int(size)) if isinstance(size, int | float) and 0 <= size < float("inf") else None
        why = over or f"the browser did not send it: {str(report.get('why') or 'it could not read it')[:MAX_REPORTED]}"
        self.refused(str(ScenarioError(name, [("", why)])))

    def view(self) -> list[Any]:
        return [pn.pane.Markdown(f"or upload a scenario file (.yaml, at most {readable_size(MAX_UPLOAD_BYTES)}):"),
                self.widget, self.events]
