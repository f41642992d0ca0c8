# The two commands: `make run` and `make test`. Both install what they need first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := tff

.PHONY: install run test bench lint format clean

install: $(VENV)/.installed tff/static/govuk/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || scripts/install-venv-support.sh $(PYTHON) $(VENV)
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

tff/static/govuk/.installed: package.json package-lock.json scripts/install-assets.sh
	scripts/install-assets.sh
	touch $@

run: install
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
