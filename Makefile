# Two commands: `make run` serves the suite, `make test` runs every test. Both create .venv and
# install what is missing; a second run skips what is already installed (stamp files record the
# requirements each install came from).
PYTHON ?= python3
VENV   ?= .venv
HOST   ?= 127.0.0.1
PORT   ?= 7860
ARGS   ?=
BIN    := $(VENV)/bin

.PHONY: run test test-fast benchmarks clean-venv

run: $(VENV)/.installed
	$(BIN)/python app.py --host $(HOST) --port $(PORT) $(ARGS)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(ARGS)

# unit and API tests only, no browser
test-fast: $(VENV)/.installed-dev
	$(BIN)/python -m pytest tests/unit tests/api $(ARGS)

benchmarks: $(VENV)/.installed
	$(BIN)/python -m benchmarks.startup
	$(BIN)/python -m benchmarks.shapes_classifier

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install -r requirements-dev.txt
	touch $@

clean-venv:
	rm -rf $(VENV)
