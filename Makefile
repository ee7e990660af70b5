# Two commands matter: `make run` and `make test`. Both create .venv and install into it first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint generate check-generated clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python -m deploy.launcher

generate: install
	$(BIN)/python scripts/gen_protos.py

check-generated: install
	$(BIN)/python scripts/gen_protos.py --check

lint: install
	$(BIN)/buf lint

test: install lint check-generated
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .data
