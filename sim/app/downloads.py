"""What the page lets a user download: a named variant as a scenario file, and a run's results as a zip.

A saved variant must load with `dostyk validate` exactly as it was on the page: its name is checked
by the schema's own rule (the one `name:` in a file obeys), and the file is read back by the loader
before it is offered, so a name the schema or YAML cannot carry is refused on the page, not in the
file a colleague opens later.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from sim.experiments.results import Results
from sim.scenario.errors import ScenarioError
from sim.scenario.schema import Scenario
from sim.scenario.yamltext import dump_yaml, parse_yaml
from sim.units import safe_name


def named(scenario: Scenario, name: str) -> Scenario:
    """`scenario` under the variant name `name` (blank: its own name); the schema's ScenarioError
    (key `name`, what it expects) for a name no scenario file may carry."""
    name = name.strip()
    if not name or name == scenario.name:
        return scenario
    try:
        return scenario.with_changes({"name": name})
    except ScenarioError as exc:
        raise ScenarioError("variant name", exc.problems) from None


def variant_file(scenario: Scenario) -> tuple[str, bytes]:
    """The file name and YAML text of `scenario`, checked to load back as the same scenario."""
    filename = f"{safe_name(scenario.name)}.yaml"
    text = dump_yaml(scenario.to_dict())
    again = Scenario.from_data(parse_yaml(text, filename), filename)
    changed = [key for key, value in scenario.to_dict().items() if again.to_dict().get(key) != value]
    if changed:  # e.g. a name with a character YAML reads back as another (U+0085 becomes a space)
        raise ScenarioError(filename, [(key, ("would not read back as written; remove unusual characters "
                                         "(control characters, line separators)")) for key in changed])
    return filename, text.encode("utf-8")


def results_zip(results: Results) -> tuple[str, io.BytesIO]:
    """The zip's file name and bytes: one folder with the results directory, report.html and the workbook."""
    from sim.reporting.excel import write_results_workbook
    from sim.reporting.report import write_report

    folder = safe_name(results.scenario.name)  # an uploaded name such as "/etc/x" or "../x" is no path
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / folder

        def extra(directory: Path) -> None:
            write_report(results, directory)
            write_results_workbook(results, directory)

        results.write(out, extra=extra)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(out.rglob("*")):
                if path.is_file():
                    archive.write(path, Path(folder) / path.relative_to(out))
    buffer.seek(0)
    return f"{folder}.zip", buffer
