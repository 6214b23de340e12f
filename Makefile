# Two entry points: `make run` (demo shop + assistant) and `make test`. Both set up .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := var/shop.db

.PHONY: run test lint install demo index clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, from the CPU build: a bare `torch` requirement would pull GBs of CUDA wheels.
	$(BIN)/pip install -q "torch==2.13.0"
	# llama-cpp-python builds from source (~11 min on 2 cores) the first time; pip caches the wheel.
	$(BIN)/pip install -q -e ".[dev,postgres]"
	touch $(STAMP)

install: $(STAMP)

$(DEMO): | $(STAMP)
	$(BIN)/shopassist data generate

demo: $(DEMO)

index: $(DEMO)
	$(BIN)/shopassist index

run: $(DEMO)
	$(BIN)/shopassist index --if-missing
	$(BIN)/shopassist serve

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

clean:
	rm -rf var
