# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test install lint typecheck bench clean notebook app docs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/dostyk run scenarios/baseline_2023.yaml --out results/baseline_2023 --force

# The whole suite, then the numeric tests again with numpy held to its baseline instruction set
# (no AVX2/AVX-512 kernels), so that a result that depends on the CPU fails here and not on a user's;
# both on every core (the workers inherit NPY_DISABLE_CPU_FEATURES).
PORTABLE_TESTS := tests/validation/test_goldens.py tests/validation/test_history.py tests/model \
	tests/experiments/test_determinism.py
test: $(STAMP) chromium
	$(BIN)/python -m pytest -q -n auto
	NPY_DISABLE_CPU_FEATURES="$$($(BIN)/python tests/baseline_cpu.py)" $(BIN)/python -m pytest -q -n auto $(PORTABLE_TESTS)

# The report rendering test and the workbench tests (Playwright) use Debian's headless chromium; install it when missing
# and we are root with apt (never fatal: without it that one test is skipped with its reason).
.PHONY: chromium
chromium:
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		echo "chromium not installed: the report rendering test will be skipped"

# JupyterLab from the project's environment (an extra: `make run` and `make test` do not need it),
# opened on notebooks/; the notebooks import this checkout's package.
NOTEBOOK_STAMP := $(VENV)/.notebook-stamp
$(NOTEBOOK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,notebook]'
	touch $(NOTEBOOK_STAMP)

notebook: $(NOTEBOOK_STAMP)
	$(BIN)/jupyter lab notebooks/

# The workbench in the browser (an extra: `make run` does not need it); prints its address.
APP_STAMP := $(VENV)/.app-stamp
$(APP_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[app]'
	touch $(APP_STAMP)

app: $(APP_STAMP)
	$(BIN)/dostyk app

# The documentation site (an extra: `make run` does not need it) from mkdocs.yml and docs/, into site/;
# --strict turns a broken link or a missing page into an error.
DOCS_STAMP := $(VENV)/.docs-stamp
$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --site-dir site

lint: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy sim

# Model speed and memory on every shipped scenario and the 300k-wagon benchmark scenario, side by
# side with the idiomatic per-wagon SimPy reference model (benchmarks/reference_model.py), the command
# line's answer times and the deterministic work counts, then the calibration and the executors; every
# figure goes to bench.json (committed), from which the figures in README.md and docs/performance.md
# are rewritten. ~20 min on 2 idle cores; run it with nothing else on the machine.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench_model --json bench.json
	$(MAKE) bench-calibrate
	$(MAKE) bench-executors
	$(BIN)/python -m benchmarks.performance_page

# Store the SimPy events and function calls per scenario that tests/validation/test_work_budget.py holds
# the model to (benchmarks/work_baseline.json); run it in a commit that adds work on purpose, and say why.
.PHONY: bench-baseline
bench-baseline: $(STAMP)
	PYTHONPATH=. $(BIN)/python -m benchmarks.work --write

# A calibration of 100 candidates x 5 replications of the 2023 baseline on 2 worker processes (~3 min).
.PHONY: bench-calibrate
bench-calibrate: $(STAMP)
	$(BIN)/python -m benchmarks.bench_calibration --candidates 100 --replications 5 --workers 2 --json bench.json

# Serial vs local processes vs a Dask LocalCluster of 2 workers on a sweep of 1,000 runs (one 90-day
# replication of the 2023 baseline each; serial's throughput from the first 100): the issue-17 targets,
# process >= 1.8x and Dask >= 0.8 x 2 of serial; adds the `executors` section to bench.json (~5 min).
EXECUTOR_TASKS ?= 1000
EXECUTOR_SERIAL_TASKS ?= 100
EXECUTOR_DURATION ?= 90d
EXECUTOR_REPEAT ?= 2
.PHONY: bench-executors
bench-executors: $(STAMP)
	$(BIN)/python -m benchmarks.bench_executors --tasks $(EXECUTOR_TASKS) --serial-tasks $(EXECUTOR_SERIAL_TASKS) \
		--workers 2 --duration $(EXECUTOR_DURATION) --repeat $(EXECUTOR_REPEAT) --json bench.json

# Rewrite the figures in README.md and docs/performance.md from bench.json (make bench ends with it).
.PHONY: bench-page
bench-page: $(STAMP)
	$(BIN)/python -m benchmarks.performance_page

clean:
	rm -rf $(VENV) results site .pytest_cache .ruff_cache .mypy_cache
