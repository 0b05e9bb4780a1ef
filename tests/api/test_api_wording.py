"""A refusal raised from the Python API names the API's arguments (`resume=True`, `force=True`, `levers`),
and the same refusal at the command line its options (`--resume`, `--force`, `--lever`): sim.errors.option."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.errors import cli_wording
from sim.experiments.atomic import ResultsExistError
from sim.experiments.workdir import WorkDir, WorkExistsError


def _interrupted(path: Path) -> Path:
    """A work directory holding one finished task of an interrupted run."""
    WorkDir.open(path, manifest={"kind": "run"})
    (path / "parts" / "r00000-x.pkl").write_bytes(b"")
    return path


def test_a_work_directory_in_the_way_names_resume_true(short: sim.Scenario, tmp_path: Path) -> None:
    work = _interrupted(tmp_path / "w")
    with pytest.raises(WorkExistsError) as info:
        sim.run(short, replications=1, executor="serial", workdir=work)
    said = str(info.value)
    assert "pass resume=True to complete it" in said and f"delete {work}" in said
    assert "--" not in said  # neither --resume nor --force: sim.run has no such flags
    with cli_wording(), pytest.raises(WorkExistsError, match="use --resume to complete it, or --force to start afresh"):
        sim.run(short, replications=1, executor="serial", workdir=work)


def test_results_in_the_way_name_force_true(results: sim.Results, tmp_path: Path) -> None:
    results.write(tmp_path / "out")
    with pytest.raises(ResultsExistError) as info:
        results.write(tmp_path / "out")
    assert str(info.value).endswith("already exists; pass force=True to replace it")
    with cli_wording(), pytest.raises(ResultsExistError, match="already exists; use --force to replace it"):
        results.write(tmp_path / "out")


def test_a_decision_argument_is_named_as_the_api_calls_it(short: sim.Scenario) -> None:
    with pytest.raises(sim.SimError) as info:
        sim.optimize(short, ["unloading.grain.points=4"], ["min:backlog_wagons_mean"], executor="serial")
    assert str(info.value).startswith("levers: invalid input\n  unloading.grain.points: expected key.path=LOW:HIGH")
    with cli_wording(), pytest.raises(sim.SimError, match=r"^--lever: invalid input\n"):
        sim.optimize(short, ["unloading.grain.points=4"], ["min:backlog_wagons_mean"], executor="serial")


def test_an_option_with_no_key_path_reads_as_an_argument(short: sim.Scenario) -> None:
    with pytest.raises(sim.SimError) as info:  # sim.optimize said "--objective: invalid option"
        sim.optimize(short, ["unloading.grain.points=4:8"], [], executor="serial")
    assert str(info.value) == "objectives: invalid argument\n  give at least one objective, e.g. min:total_cost_usd"


def test_a_seed_lever_is_refused_naming_seed_not_its_flag(short: sim.Scenario) -> None:
    with pytest.raises(sim.SimError) as info:
        sim.sweep(short, vary={"seed": [1, 2]}, executor="serial")
    assert "give the seed with seed=," in str(info.value) and "--seed" not in str(info.value)


def test_examples_in_a_decision_message_are_written_as_python(short: sim.Scenario) -> None:
    levers = ["unloading.grain.points=4:10", "unloading.containers.points=2:8"]
    with pytest.raises(sim.SimError) as info:
        sim.sensitivity(short, levers, [], executor="serial")
    assert str(info.value) == "kpis: invalid argument\n  give at least one KPI, e.g. kpis=['backlog_wagons_mean']"
    with pytest.raises(sim.SimError, match="use sampler='tpe' for several"):
        sim.optimize(short, levers[:1], ["min:backlog_wagons_mean", "max:wagons_delivered"], sampler="cmaes",
                     executor="serial")


def test_the_cli_wording_ends_with_the_command(short: sim.Scenario, tmp_path: Path) -> None:
    """Invoked through click's runner (as some tests and tools do), a command still says --resume, and the
    Python API called afterwards in the same process says resume=True again."""
    from click.testing import CliRunner

    from sim.cli.app import cli
    from sim.scenario.yamltext import dump_yaml

    work = _interrupted(tmp_path / "out.work")
    (tmp_path / "s.yaml").write_text(dump_yaml(short.to_dict()), encoding="utf-8")
    said = CliRunner().invoke(cli, ["run", str(tmp_path / "s.yaml"), "-n", "1", "--executor", "serial",
                                    "--quiet", "--out", str(tmp_path / "out")])
    assert isinstance(said.exception, WorkExistsError) and "use --resume" in str(said.exception)
    with pytest.raises(WorkExistsError, match="pass resume=True"):
        sim.run(short, replications=1, executor="serial", workdir=work)


def test_an_unreachable_scheduler_names_the_argument_of_the_interface(monkeypatch: pytest.MonkeyPatch) -> None:
    """sim.run(executor='dask', scheduler=…) that cannot reach it said 'without --scheduler' (h-hostile)."""
    import distributed

    from sim.experiments.executors import SchedulerError, connect

    def refuse(address: str) -> None:
        raise OSError(f"Timed out trying to connect to {address}")

    monkeypatch.setattr(distributed, "Client", refuse)
    with pytest.raises(SchedulerError, match=r"\(without scheduler=, a local cluster is started\)$"):
        connect("tcp://127.0.0.1:1")
    with cli_wording(), pytest.raises(SchedulerError, match=r"\(without --scheduler, a local cluster is started\)$"):
        connect("tcp://127.0.0.1:1")
