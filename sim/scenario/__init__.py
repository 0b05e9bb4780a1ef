"""Scenarios: YAML in, a validated, immutable `Scenario` (or one clear ScenarioError) out.

- `durations`: "30min", "6h", "2d", "1w" → hours
- `distributions`: the time distributions of the file, and fast block samplers for them
- `schema`: the Scenario — the single source of truth of the format, assembled from
  `base` (the strict base model, names, dates), `stages` (one crossing: line, yard, checks,
  unloading, empties, initial state) and `corridor` (demand, loading, routing, disruptions, policies)
  into `fields` (the scenario's keys, which the rules read), with the rules on top
- `rules`: cross-field rules no single key can check (unknown cargo, impossible fleets, …)
- `limits`: sane bounds on the work a scenario asks for
- `effects`: what disruptions do to each capacity, and warnings for valid but surprising scenarios
- `keypaths`: dotted key paths (`--set`, `--vary`, `with_changes`)
- `levers`: which key paths are levers (in every command), and one spelling for each
- `errors`: ScenarioError, and pydantic's errors said with the key path to fix
- `loader`: safe YAML reading (no aliases, no duplicate keys, no code)
- `includes`: `extends:` — files built on others (the reference corridor), merged before validation
"""
