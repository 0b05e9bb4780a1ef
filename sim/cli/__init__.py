"""The `dostyk` command line (the top layer: it only reads arguments and calls the layers below).

- `app`: the command group and `main`, where every known error is turned into a message, once
- `options`: what commands share (`--set`, execution options, output and work directories)
- `run`: `dostyk run`, `dostyk report`
- `describe`: `dostyk validate`, `dostyk schema`
- `experiments`: `dostyk sweep`, `dostyk compare`, `dostyk warmup`
- `fit`: `dostyk fit`, input analysis (a scenario distribution for observed durations)
"""

from sim.cli.app import cli, main

__all__ = ["cli", "main"]
