"""What the upload box (Panel's FileDropper, built on FilePond) does in the browser that the page would not
hear otherwise, and the page's verdict back to it.

Two things FileDropper does not tell its Python side, each a defect users saw:

- a file the browser refuses before sending it (over `max_file_size`) sends nothing: the page's message
  still spoke of the file chosen before ("loaded X"), beside the box's "File is too large";
- a file sent is "Upload complete" (green) once its bytes are sent, whatever the page then says of it:
  a file the page refused (not YAML, a bad key) showed success and the refusal at once.

FileDropper has no public option for either, so a small component listens to FilePond's own public events,
which bubble out of the box's shadow DOM to the document (`FilePond:addfile`, with `error` set for a file
refused; `FilePond:processfile` once a file is sent), finds the box's instance from the element that fired
them (`FilePond.find`), and uses its public methods and enums (`getFiles`, `removeFile`, `FileStatus`).
Nothing private of Panel or FilePond is used; tests/app/test_workbench_browser.py fails if these change.
"""

from __future__ import annotations

from typing import Any

import param
from panel.custom import JSComponent

#: the longest file name (characters) and FilePond text the browser reports: what a page can show
MAX_REPORTED = 300


class FileBoxEvents(JSComponent):
    """`refused`: the last file the browser refused, as {"name", "size" (bytes), "why", "n"} (`n` counts
    refusals, so the same file refused again is news); `unload(name)`: take a file the page refused out of
    the box (the box then holds no file, as the page holds nothing of it). Draws nothing."""

    refused = param.Dict(default={}, doc="the last file the browser refused before sending it (set by the browser)")
    unloaded = param.Dict(default={}, doc="the last file the page refused, to take out of the box (set by the page)")

    _esm = """
    export function render({ model }) {
      const ours = (event) => event.composedPath().some((el) => el.classList?.contains("upload-scenario"))
      const text = (value) => String(value ?? "").slice(0, MAX_REPORTED)
      let pond = null, count = 0, waiting = null  // waiting: a refused file whose sending FilePond has not closed
      const find = (event) => globalThis.FilePond?.find(event.composedPath()[0]) ?? pond
      const complete = () => globalThis.FilePond?.FileStatus?.PROCESSING_COMPLETE
      const sentAs = (file) => file.relativePath || file.filename  // the name FileDropper gives the page
      const added = (event) => {
        if (!ours(event)) return
        pond = find(event)
        waiting = null  // a new file: a verdict on an earlier one no longer concerns the box
        const {error, file, status} = event.detail
        if (!error || !file) return
        const why = [status?.main ?? error.main, status?.sub ?? error.sub].filter(Boolean).map(text).join(": ")
        model.refused = {name: text(file.filename), size: Number(file.fileSize) || 0, why, n: ++count}
      }
      const sent = (event) => {
        if (!ours(event)) return
        pond = find(event)
        const file = event.detail.file
        if (waiting !== null && file && !event.detail.error && sentAs(file) === waiting) {
          waiting = null
          pond?.removeFile(file.id)
        }
      }
      const unload = () => {
        const name = model.unloaded.name
        const file = pond?.getFiles().find((f) => sentAs(f) === name)
        if (file && file.status === complete()) {
          pond.removeFile(file.id)
        } else {
          waiting = name  // FilePond closes a sending a frame after its last bytes: remove it then
        }
      }
      document.addEventListener("FilePond:addfile", added)
      document.addEventListener("FilePond:processfile", sent)
      model.on("unloaded", unload)
      model.on("remove", () => {
        document.removeEventListener("FilePond:addfile", added)
        document.removeEventListener("FilePond:processfile", sent)
      })
      return document.createElement("span")
    }
    """.replace("MAX_REPORTED", str(MAX_REPORTED))

    def __init__(self, **params: Any) -> None:
        super().__init__(**{"height": 0, "width": 0, "margin": 0, **params})
        self._unloads = 0

    def unload(self, name: str) -> None:
        """Take the file called `name` out of the box, once its sending is over."""
        self._unloads += 1
        self.unloaded = {"name": name, "n": self._unloads}
