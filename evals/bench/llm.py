"""`shopassist bench llm`: prefill and decode tokens/s of the embedded model for each llama.cpp build flag set.

Each flag set is built once (agent/llama_build.py, ~6 min on 2 cores, then cached), installed into its own folder,
probed in a subprocess (a build that dies by a signal is reported, not run), then timed in a fresh subprocess.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from pydantic import BaseModel

from agent.llama_build import FLAG_SETS, build_key, install
from agent.llama_probe import NativeLibraryError, ensure_library_runs

_PROMPT_WORDS = ("shoes", "tent", "jacket", "lamp", "kettle", "backpack", "helmet", "puzzle", "novel", "wallet")


class BuildSpeed(BaseModel):
    flag_set: str
    cmake_args: str
    runs: bool
    error: str = ""
    prompt_tokens: int = 0
    prefill_tok_s: float | None = None
    decode_tokens: int = 0
    decode_tok_s: float | None = None
    load_s: float | None = None


def _measure_in_child(model_path: str, prompt_words: int, decode_tokens: int, threads: int) -> dict[str, float]:
    """Runs in the subprocess that imports the build under test."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from llama_cpp import Llama

    started = time.perf_counter()
    llama = Llama(model_path=model_path, n_ctx=2048, n_batch=256, n_threads=threads, n_threads_batch=threads,
                  verbose=False)
    load_s = time.perf_counter() - started
    words = " ".join(_PROMPT_WORDS[number % len(_PROMPT_WORDS)] for number in range(prompt_words))
    tokens = llama.tokenize(f"Write a long product description for: {words}\n".encode())
    started = time.perf_counter()
    llama.eval(tokens)
    prefill_s = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(decode_tokens):  # greedy decode without stopping at end-of-text: a fixed number of tokens
        token = llama.sample(temp=0.0)
        llama.eval([token])
    decode_s = time.perf_counter() - started
    return {"prompt_tokens": len(tokens), "prefill_tok_s": len(tokens) / prefill_s, "decode_tokens": decode_tokens,
            "decode_tok_s": decode_tokens / decode_s, "load_s": load_s}


def measure_build(flag_set: str, model_path: Path, builds_dir: Path, prompt_words: int, decode_tokens: int,
                  threads: int) -> BuildSpeed:
    folder = builds_dir / build_key(flag_set)
    install(flag_set, sys.executable, target=folder)
    env = {"PYTHONPATH": str(folder)}
    result = BuildSpeed(flag_set=flag_set, cmake_args=" ".join(FLAG_SETS[flag_set]), runs=False)
    try:
        ensure_library_runs(model_path, builds_dir / "probes", env=env)
    except NativeLibraryError as error:
        died = re.search(r"died by (SIG[A-Z]+)", str(error))
        return result.model_copy(update={"error": f"died by {died.group(1)} in the probe" if died else str(error)})
    command = [sys.executable, "-m", "evals.bench.llm", str(model_path), str(prompt_words), str(decode_tokens),
               str(threads)]
    child = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env}, timeout=900)
    if child.returncode != 0:
        return result.model_copy(update={"error": f"timing run failed (exit {child.returncode})"})
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    return result.model_copy(update={"runs": True, **figures})


def run(model_path: Path, flag_sets: list[str], builds_dir: Path, prompt_words: int = 450, decode_tokens: int = 64,
        threads: int = 2) -> dict[str, object]:
    speeds = [measure_build(name, model_path, builds_dir, prompt_words, decode_tokens, threads) for name in flag_sets]
    return {"model": model_path.name, "threads": threads, "cpu": _cpu_name(), "cpu_flags": _notable_cpu_flags(),
            "builds": [speed.model_dump() for speed in speeds]}


def _cpu_lines() -> list[str]:
    try:
        return Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return []


def _cpu_name() -> str:
    return next((line.split(":", 1)[1].strip() for line in _cpu_lines() if line.startswith("model name")), "")


def _notable_cpu_flags() -> list[str]:
    line = next((line for line in _cpu_lines() if line.startswith("flags")), "")
    return sorted(flag for flag in line.split() if flag.startswith(("avx", "amx", "fma", "f16c")))


if __name__ == "__main__":
    print(json.dumps(_measure_in_child(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))
