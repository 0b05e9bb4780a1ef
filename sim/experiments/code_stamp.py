"""Which code computed a saved replication: a digest of the modules that compute one.

A work directory's part files are pickled replications, resumed by a later command. The version
number says nothing (it has stayed 0.1.0 while the model, its KPIs and its tables changed), and a
part's task key names only the scenario, the replication and the seed, so a part computed by an
older dostyk was taken as this one's: a run resumed after an upgrade mixed two models' replications
under today's name, or failed on the old tables' columns. The digest covers the layers a replication
runs in (the scenario's meaning, the model, its analysis, the experiment that collects it); a change
to the command line, the reports or the decision tools, which only read results, keeps it.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

#: The sim package's folders and top-level modules whose code decides what a replication holds.
COMPUTING = ("scenario", "model", "analysis", "experiments")


@cache
def code_stamp() -> str:
    """SHA-256 (hex, 16 digits) of the computing modules' paths and bytes, in a fixed order."""
    root = Path(__file__).resolve().parent.parent
    files = sorted([*root.glob("*.py"), *(f for d in COMPUTING for f in (root / d).rglob("*.py"))])
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
