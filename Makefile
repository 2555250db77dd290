# Two commands on a fresh machine with Python >= 3.11 and make:
#   make run    the regime comparison study: sweep, figures, results/REPORT.md
#   make test   lint (ruff, the layer contract) + the whole test suite (the documentation site's build included)
# Each creates or refreshes the virtual environment in .venv first: make run with what the package needs
# only, make test with the explorer, the test and the documentation tools too ([viz], [dev] and [docs]).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run
# Debian's chromium, where the explorer's browser test looks for it.
CHROMIUM := /usr/bin/chromium

.PHONY: run test docs browser lint format bench dist venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml src/ecsim/_version.py
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "ecsim needs Python >= 3.11, found " + sys.version.split()[0]'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,docs,viz]"
	@touch $(STAMP) $(RUN_STAMP)

# What the package needs and nothing more (no test or documentation tools).
$(RUN_STAMP): pyproject.toml src/ecsim/_version.py
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "ecsim needs Python >= 3.11, found " + sys.version.split()[0]'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/ecsim reproduce --only regime_comparison

# The documentation site in site/ (MkDocs Material; the notebooks are executed as its tutorials).
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

test: $(STAMP) browser
	$(BIN)/ruff check src tests benchmarks experiments
	$(BIN)/lint-imports --no-logo
	$(BIN)/python -m pytest -n 2 -q

# The explorer's browser test drives Debian's chromium (playwright never downloads a browser).
# Installed here where it is missing and we can (root or passwordless sudo, apt-get); otherwise
# say so and go on: the test is then skipped with that reason.
browser:
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else echo "chromium not installed (not root, no passwordless sudo): the browser test will be skipped"; exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "chromium not installed (no apt-get on this system): the browser test will be skipped"; exit 0; fi; \
	echo "Installing Debian's chromium for the explorer's browser test"; \
	export DEBIAN_FRONTEND=noninteractive; \
	$$sudo apt-get install -y -q --no-install-recommends chromium \
		|| { $$sudo apt-get update -q && $$sudo apt-get install -y -q --no-install-recommends chromium; } \
		|| echo "chromium could not be installed (apt-get failed, see above): the browser test will be skipped"; \
	exit 0

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks experiments
	$(BIN)/ruff format --check src tests benchmarks experiments
	$(BIN)/lint-imports --no-logo

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks experiments
	$(BIN)/ruff check --fix src tests benchmarks experiments

bench: $(STAMP)
	$(BIN)/python benchmarks/model_speed.py
	$(BIN)/python benchmarks/sweep_speed.py
	$(BIN)/python benchmarks/analysis_scale.py

# The release artefacts: the sdist, then the wheel built from it, in dist/ (tests/test_package.py builds
# and installs them in a temporary folder as part of make test).
dist: $(STAMP)
	$(BIN)/python -m build --outdir dist

clean:
	rm -rf $(VENV) site .pytest_cache .ruff_cache .import_linter_cache .hypothesis src/*.egg-info build dist
