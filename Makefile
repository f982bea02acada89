# `make run` serves the app on SQLite; `make test` runs the whole suite. Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 6543
BIN := $(VENV)/bin

.PHONY: run test install bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: setup.py $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/pserve development.ini http_port=$(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) *.egg-info magpie.sqlite*
