# The one task entry point: README, CI and developers run these targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8866

# Python keeps what it compiles (these machines' shells set PYTHONDONTWRITEBYTECODE=1): without it every process
# compiles the workbook's modules from source again and every pytest process rewrites the asserts of every test
# module again (collecting the unit suite: 9.8 s of CPU against 5.3 s; make test starts dozens of such processes).
# __pycache__ folders are ignored by git.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: bench-review run lint test test-services test-unit test-instants test-notebooks test-browser test-team test-servers hub-demo demo dashboard validate bench clean

# The workbook itself (what `make run` needs); pip's output goes to a log, shown only when something fails.
$(BIN)/telesales: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	$(BIN)/pip install --quiet -e . > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	touch $@

# The tools the tests, lint, bench and the team demo need besides (pytest, Playwright, JupyterHub, ruff, ...).
TOOLS := $(VENV)/.test-tools
$(TOOLS): $(BIN)/telesales
	$(BIN)/pip install --quiet -e '.[test]' > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	touch $@

# A Learning Record Store for the LRS tests (issue 30): Ralph with its file-system backend, in a virtual
# environment of its own (its pins are not the workbook's).
LRS_VENV := .venv-lrs
LRS := $(LRS_VENV)/.ralph
$(LRS):
	$(PYTHON) -m venv $(LRS_VENV)
	$(LRS_VENV)/bin/pip install --quiet 'ralph-malph[cli,lrs]==5.1.0' 'requests>=2.31' > $(LRS_VENV)/install.log 2>&1 || { cat $(LRS_VENV)/install.log; exit 1; }
	touch $@

## make run: create the environment if missing and serve the workbook with Voilà
run: $(BIN)/telesales
	$(BIN)/telesales serve --port $(PORT)

## make lint: ruff (lint rules and the formatter's check), notebooks without outputs, no import loops
lint: $(TOOLS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q -p no:cacheprovider tests/test_packaging.py tests/test_layers.py

## make test: create what the tests need (venv, chromium, CJK fonts, PostgreSQL) and run every test. The
## browser tests (two processes, they wait on pages as much as they compute) run beside the other parts; each
## part's output is printed when it ends. The unit tests run inside test-instants (each once, at one of two
## awkward instants, two at once: the PostgreSQL half at the first, the SQLite half at the second), not at the
## default one. The unit runs go a little below the browser lane (nice 4): the lane waits on pages and servers
## between bursts of work, so it takes the CPU when it needs it and the unit runs take the rest.
## The notebooks (one process, ≈ 20 s) start with the other two parts rather than after the first of them ends.
test: validate $(TOOLS)
	bash .ci/system-deps
	$(MAKE) --no-print-directory -j3 --output-sync=target WORKERS=1 AT_ONCE=2 UNITS_NICE="nice -n 4" test-servers test-instants test-notebooks

# make test's browser lane: tests/browser, tests/team and tests/services in one pytest, two processes, one test file
# each (three were slower: the machine is then short of CPU, not of waiting), the longest files first
# (tests/conftest.py: LONGEST_FIRST) so that the two processes end together.
test-servers: $(TOOLS) $(LRS)
	bash .ci/system-deps
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder tests/team tests/browser tests/services

# Processes per part when a part runs alone (make test-unit etc.); make test runs two parts side by side.
WORKERS ?= 2
PARALLEL = $(if $(filter 1,$(WORKERS)),,-n $(WORKERS))

## make test-unit: unit and widget tests, no browser, no kernels; store tests on SQLite and PostgreSQL
test-unit: $(TOOLS)
	$(BIN)/pytest $(PARALLEL) tests --ignore=tests/browser --ignore=tests/team --ignore=tests/services

## make test-instants: the unit suite split over two awkward instants (the PostgreSQL half at Monday 00:05 of ISO week 1
## in UTC+8, the SQLite half at Sunday 29 Feb 23:55 in UTC-5)
test-instants: $(TOOLS)
	$(UNITS_NICE) $(BIN)/python tests/at_instants.py --at-once $(or $(AT_ONCE),$(WORKERS))

## make test-notebooks: every notebook run by nbval against a temporary store (kernels forked as the pages' are)
test-notebooks: $(TOOLS)
	$(BIN)/pytest --nbval-lax $(PARALLEL) --dist loadscope notebooks

## make test-browser: real workbook servers driven by Debian's chromium (installs chromium and CJK fonts as root)
test-browser: $(TOOLS)
	bash .ci/system-deps
	$(BIN)/pytest $(PARALLEL) --dist loadfile tests/browser

## make test-services: the services the workbook talks to, for real (a Learning Record Store)
test-services: $(TOOLS) $(LRS)
	$(BIN)/pytest tests/services

## make test-team: team mode for real - telesales hub-demo's JupyterHub, OS accounts, PostgreSQL, Chromium (as root)
test-team: $(TOOLS) $(LRS)
	bash .ci/system-deps
	$(BIN)/pytest tests/team

## make hub-demo [PASSWORD=...]: the team deployment on this machine (JupyterHub + PostgreSQL) with three demo
## accounts; their password from PASSWORD or TELESALES_DEMO_PASSWORD (passed in the environment, never on a
## command line), else asked for
hub-demo: export TELESALES_DEMO_PASSWORD := $(or $(PASSWORD),$(TELESALES_DEMO_PASSWORD))
hub-demo: $(TOOLS)
	bash .ci/system-deps
	$(BIN)/telesales hub-demo --port 8000 --trainees alice,bob --trainers tina

## make demo [TRAINEES=200]: add a synthetic cohort to the store, to try the trainer cockpit
TRAINEES ?= 200
demo: $(BIN)/telesales
	$(BIN)/telesales demo --trainees $(TRAINEES)

## make dashboard: serve the trainer cockpit alone (http://127.0.0.1:8867/)
dashboard: $(BIN)/telesales
	$(BIN)/telesales dashboard

validate: $(BIN)/telesales
	$(BIN)/telesales validate

## make bench: lesson 01 vs an empty notebook, the cockpit at 2,000 vs 20 trainees (ratios), and concurrent
## writers on SQLite and PostgreSQL (lost, errors, p50/p99)
bench: $(TOOLS)
	bash .ci/system-deps
	$(BIN)/python bench/time_to_interactive.py
	$(BIN)/python bench/personal_server.py
	$(BIN)/python bench/cockpit_scale.py
	$(BIN)/python bench/cockpit_scale.py --backend postgresql --large 20000
	$(BIN)/python bench/store_concurrency.py
	$(BIN)/python bench/team_saves.py
	$(BIN)/python bench/team_memory.py
	$(BIN)/python bench/review_due.py
	$(BIN)/python bench/speech_analysis.py
	$(BIN)/python bench/call_import.py --rows 200000
	$(BIN)/python bench/call_import.py

## make bench-review: today's review's due list at 20,000 vs 20 trainees on PostgreSQL (fails above 2x; CI runs it)
bench-review: $(TOOLS)
	bash .ci/system-deps
	$(BIN)/python bench/review_due.py --check

clean:
	rm -rf $(VENV) $(LRS_VENV) tests/artifacts bench/results .pytest_cache
