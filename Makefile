# illumres: every set-up step lives here, so a fresh clone needs only `make reproduce` or `make test`.
SHELL   := /bin/bash
PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: reproduce test bench export clean-nbs readme env fixtures figures

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
# `make test FLAGS=slow` also runs the cells flagged `#| slow`. The real-browser test needs Debian's chromium:
# tools/ensure_chromium.sh installs it with apt-get where it can (else that test is skipped, and says why).
test: $(STAMP)
	bash tools/ensure_chromium.sh
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python tools/testall.py --flags "$(FLAGS)"

bench: $(STAMP)
	$(BIN)/illumres bench sh

# The test fixtures in tests_data/ (see tests_data/README.md); rerun only to change them.
fixtures: $(STAMP)
	rm -rf tests_data/synth_sfs tests_data/synth_wild tests_data/pseudo
	$(BIN)/illumres synth tests_data/synth_sfs --n 6 --size 64 --domain sfs --seed 0 --shapes procedural --framing fill --workers 1
	$(BIN)/illumres synth tests_data/synth_wild --n 3 --size 64 --domain wild --seed 0 --shapes procedural --framing fill --workers 1
	$(BIN)/python -c "from illumres.data import find_faces, load_sample, write_pseudo; \
	[write_pseudo('tests_data/pseudo', k, load_sample(f)) for k, f in enumerate(find_faces('tests_data/synth_sfs')[:2])]"

# Developer helpers.
export: $(STAMP)
	$(BIN)/nbdev-export
clean-nbs: $(STAMP)
	$(BIN)/nbdev-clean
	$(BIN)/nbdev-clean --fname index.ipynb
readme: $(STAMP)
	$(BIN)/python tools/render_readme.py

# Run the notebooks that draw and keep their figures (only the images, re-encoded small) as saved outputs.
figures: $(STAMP)
	$(BIN)/python tools/figures.py
	$(BIN)/nbdev-clean
