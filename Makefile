# The one task entry point: README, CI and developers run these targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8866

.PHONY: run test demo dashboard validate bench lint clean

$(BIN)/telesales: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## make run: create the environment if missing and serve the workbook with Voilà
run: $(BIN)/telesales
	$(BIN)/telesales serve --port $(PORT)

## make test: create what the tests need (venv, chromium, CJK fonts) and run every test
test: $(BIN)/telesales
	bash .ci/system-deps
	$(BIN)/telesales validate
	$(BIN)/pytest --nbval-lax

## make demo [TRAINEES=200]: add a synthetic cohort to the store, to try the trainer cockpit
TRAINEES ?= 200
demo: $(BIN)/telesales
	$(BIN)/telesales demo --trainees $(TRAINEES)

## make dashboard: serve the trainer cockpit alone (http://127.0.0.1:8867/)
dashboard: $(BIN)/telesales
	$(BIN)/telesales dashboard

validate: $(BIN)/telesales
	$(BIN)/telesales validate

## make bench: lesson 01 vs an empty notebook, and the cockpit at 2,000 vs 20 trainees (ratios)
bench: $(BIN)/telesales
	bash .ci/system-deps
	$(BIN)/python bench/time_to_interactive.py
	$(BIN)/python bench/cockpit_scale.py

clean:
	rm -rf $(VENV) tests/artifacts bench/results .pytest_cache
