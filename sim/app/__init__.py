"""`dostyk app`: the analyst's workbench in the browser (Panel), beside the command line.

- `levers`: the scenario's levers, with unit and bounds, read from the schema (the form's fields)
- `jobs`: a run in worker processes behind the page, with progress and cancel
- `charts`: interactive (Bokeh) charts of one set of results: backlog bands, waiting, deliveries
- `schematic`: the corridor drawn stage by stage for one replication and day (the animation)
- `page`: the page and its callbacks; `server`: serving it on a local address
"""
