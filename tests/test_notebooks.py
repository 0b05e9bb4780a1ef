"""The notebooks run top to bottom on this checkout's package, and are stored without outputs."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def kernel_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A `python3` kernel spec that runs this interpreter (the venv's), whatever else is installed.

    JUPYTER_PATH comes first in Jupyter's search path, so a user-level or system `python3` kernel
    pointing at another Python cannot shadow it.
    """
    base = tmp_path_factory.mktemp("jupyter")
    spec = base / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (dostyk venv)",
        "language": "python",
    }), encoding="utf-8")
    return base


def test_the_four_notebooks_exist() -> None:
    names = [p.name for p in NOTEBOOKS]
    assert names == ["01_quickstart.ipynb", "02_january_2024_backlog.ipynb", "03_capacity_what_if.ipynb",
                     "04_calibrate_and_optimise.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name} has stored outputs"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "import sim" in code  # uses the package API rather than copies of it


# a whole notebook (04 calibrates, optimises and screens on worker processes) under a busy CI machine
# can outlast the suite's 5-minute hang limit; each cell still has NotebookClient's 300 s
@pytest.mark.timeout(900)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path: Path, kernel_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_path))
    # the kernel's own profile and config, not the machine's: no startup files or settings of whoever runs
    # the tests, and no history database shared with the notebooks other xdist workers run at the same time
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "jupyter-config"))
    monkeypatch.setenv("MPLBACKEND", "Agg")  # no display needed; %matplotlib inline still renders PNGs
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name="python3", timeout=300,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    # a notebook runs clean: no warning (pandas, matplotlib, ours) reaches the reader (issue 18, item 6)
    warnings = [o["text"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
                if o.output_type == "stream" and o.get("name") == "stderr"]
    assert not warnings, f"{path.name} prints warnings: {warnings[:3]}"
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    assert images, "the notebook shows no figure"
    # tables read like the CLI's: thousands separators, never e-notation (issue 9, item 18)
    tables = [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if "<table" in o.get("data", {}).get("text/html", "")]
    assert tables, "the notebook shows no table"
    cells = [re.sub(r"<[^>]+>", "", td) for html in tables for td in re.findall(r"<td[^>]*>.*?</td>", html, flags=re.S)]
    assert not [x for x in cells if re.search(r"\d[eE][+-]\d", x)], "a table shows e-notation"
    assert [x for x in cells if re.search(r"\d,\d{3}", x)], "no table shows a thousands separator"


def test_python3_kernel_is_this_interpreter(kernel_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jupyter_client.kernelspec import KernelSpecManager

    monkeypatch.setenv("JUPYTER_PATH", str(kernel_path))
    assert KernelSpecManager().get_kernel_spec("python3").argv[0] == sys.executable
