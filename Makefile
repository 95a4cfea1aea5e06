# Two commands: `make run` serves the suite, `make test` runs every test (`make streamlit` serves the
# same demos through the Streamlit front end). All three create .venv and
# install what is missing; a second run skips what is already installed (stamp files record the
# requirements each install came from).
PYTHON ?= python3
VENV   ?= .venv
HOST   ?= 127.0.0.1
PORT   ?= 7860
ST_PORT ?= 8501
ARGS   ?=
BIN    := $(VENV)/bin

.PHONY: run streamlit test test-fast lint benchmarks deploy prefetch clean-venv

run: $(VENV)/.installed
	$(BIN)/python app.py --host $(HOST) --port $(PORT) $(ARGS)

# the Streamlit front end over the same logic (streamlit_app.py; settings in .streamlit/config.toml)
streamlit: $(VENV)/.installed
	$(BIN)/python -m streamlit run streamlit_app.py --server.address $(HOST) --server.port $(ST_PORT) $(ARGS)

# three pytest-xdist workers on two cores, each sent the next test as it finishes one and taking
# over a slower worker's queue at the end (`--dist worksteal`). With two, the cores sat idle a third
# of the time (user + system time 27.4 min in 21.9 min on 2 cores): the browser tests wait on pages
# and servers, the live runs on their time caps. Whole files per worker (`--dist loadfile`)
# balanced worse; four workers were slower than three (18.1 min against 16.6 from a fresh clone). `make test TEST_WORKERS=`
# runs one process
TEST_WORKERS ?= -n 3 --dist worksteal
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(TEST_WORKERS) $(ARGS)

# ruff, configured in pyproject.toml; CI runs it before the tests
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

# unit and API tests only, no browser
test-fast: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(TEST_WORKERS) tests/unit tests/api $(ARGS)

benchmarks: $(VENV)/.installed
	$(BIN)/python -m benchmarks.startup
	$(BIN)/python -m benchmarks.shapes_classifier

# a snapshot of the working tree to a Hugging Face Space (not `git push`: the Hub refuses binary
# files outside Xet/LFS). make deploy SPACE=<user>/<name> [DRY_RUN=1] [FRONT=streamlit]
SPACE ?=
FRONT ?= gradio
deploy: $(VENV)/.installed
	@test -n "$(SPACE)" || { echo "usage: make deploy SPACE=<user>/<name> [DRY_RUN=1] [FRONT=gradio|streamlit]"; exit 2; }
	$(BIN)/python -m demos.deploy --space "$(SPACE)" --front $(FRONT) $(if $(DRY_RUN),--dry-run)

# the Hub models the tabs offer, into the local cache, for a talk without network
prefetch: $(VENV)/.installed
	$(BIN)/python -m demos.prefetch $(ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# --no-compile: pip would byte-compile every file of every package (69 s of a 69 s install, against
# 29 s without, measured on 2 cores); Python compiles a module the first time it is imported and
# keeps the .pyc, so only what the app and tests import is ever compiled. PYTHONDONTWRITEBYTECODE
# (set in some shells and CI images) would make every process compile those again: unset here.
unexport PYTHONDONTWRITEBYTECODE
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --no-compile -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install --no-compile -r requirements-dev.txt
	touch $@

clean-venv:
	rm -rf $(VENV)
