"""`dostyk app`: the analyst's workbench in the browser (Panel), beside the command line.

- `levers`: the scenario's levers, with unit and bounds, read from the schema (the form's fields)
- `jobs`: a run (or an order's question) in worker processes behind the page, with progress and cancel
- `charts`: interactive (Bokeh) charts of one set of results: backlog bands, waiting, deliveries
- `schematic`: the corridor drawn stage by stage for one replication and day (the animation)
- `cards`: KPI cards and paired differences as HTML; `uploads`: an uploaded scenario file read as the loader reads one
- `downloads`: a named variant as a file that loads back, and results as a zip
- `lever_form`: the levers' number fields, by section; `upload_box`: the upload box and its reading, with `pond`:
  what the box does in the browser that the page would not hear (a file refused there), and the page's verdict back
- `results_tab`, `comparison`, `corridor`: the three tabs' content (charts; paired differences; the animation)
- `order_tab`: the Order tab, `dostyk consignment`'s question asked of the form's scenario, run as `jobs` run
- `text`: a file's text shown as written, never as HTML
- `page`: the page and its callbacks; `server`: serving it on a local address
"""
