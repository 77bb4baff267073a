# illumres: every set-up step lives here, so a fresh clone needs only `make reproduce` or `make test`.
SHELL   := /bin/bash
PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: reproduce test bench export clean-nbs readme env

# The environment: one venv, pinned dependencies (requirements.lock pins the whole set;
# torch 2.14.1 / torchvision 0.29.1 install from files already on the machine).
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade "pip>=24"
	$(BIN)/python -m pip install -qq -c requirements.lock -e ".[dev]"
	touch $(STAMP)

env: $(STAMP)

# The main job on the embedded default (no data to download).
reproduce: $(STAMP)
	$(BIN)/illumres reproduce --out results

# The whole test suite: library in sync with notebooks, README in sync with index.ipynb,
# nbdev-test, the pytest suite; last line `N passed, N failed`.
# `make test FLAGS=slow` also runs the cells flagged `#| slow`.
test: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python tools/testall.py --flags "$(FLAGS)"

bench: $(STAMP)
	$(BIN)/illumres bench sh

# Developer helpers.
export: $(STAMP)
	$(BIN)/nbdev-export
clean-nbs: $(STAMP)
	$(BIN)/nbdev-clean
	$(BIN)/nbdev-clean --fname index.ipynb
readme: $(STAMP)
	$(BIN)/python tools/render_readme.py
