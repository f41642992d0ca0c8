# The two commands: `make run` and `make test`. Each installs what it needs first: `make run`
# only the application, `make test` the development tools on top.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := tff

.PHONY: install run test bench lint format clean

# Two layers, each with its own stamp, so either command installs only what is missing:
# the application (requirements.txt, GOV.UK Frontend), which `make run` needs, and the
# development tools on top (requirements-dev.txt, axe-core), which the other targets need.
APP := $(VENV)/.installed-app tff/static/govuk/.installed
DEV := $(VENV)/.installed-dev node_modules/.installed-dev

install: $(APP) $(DEV)

$(VENV)/.installed-app: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || scripts/install-venv-support.sh $(PYTHON) $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# pip leaves what requirements.txt installed alone and adds the tools.
$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed-app
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

tff/static/govuk/.installed: package.json package-lock.json scripts/install-assets.sh
	scripts/install-assets.sh
	touch $@

# Inside node_modules: a fresh `npm ci` of the assets removes it with the dev packages.
node_modules/.installed-dev: package.json package-lock.json tff/static/govuk/.installed
	scripts/install-assets.sh --dev
	touch $@

run: $(APP)
	scripts/run.sh

test: install
	$(BIN)/bandit -q -c pyproject.toml -r tff worker.py config.py
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules tff/static/govuk .pytest_cache

# Speed targets, measured on a region-sized cohort (made once into instance/bench/).
bench: install
	$(BIN)/python -m bench --database sqlite
	$(BIN)/python -m bench --database postgresql
