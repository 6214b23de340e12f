"""The native-library probe: a library that dies by a signal becomes a clear error, never a dead process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.llama_probe import REBUILD_COMMAND, NativeLibraryError, ensure_library_runs, library_files
from agent.model_files import ensure_model_file
from shopassist.settings import load_settings

DIES_BY_SIGILL = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGILL)"]
EXITS_CLEANLY = [sys.executable, "-c", "pass"]


def _fake_build(folder: Path) -> Path:
    """A folder shaped like an installed llama_cpp package, with one library file."""
    lib = folder / "llama_cpp" / "lib"
    lib.mkdir(parents=True)
    (folder / "llama_cpp" / "__init__.py").write_text("")
    (lib / "libggml-cpu.so").write_bytes(b"not really a library")
    return folder


def _trapping_library(folder: Path) -> Path:
    """A real shared library whose constructor executes an illegal instruction (ud2), as an AMX kernel does on a
    CPU that faults on it: whatever loads it dies by SIGILL."""
    source = folder / "trap.c"
    source.write_text("__attribute__((constructor)) static void trap(void) { __builtin_trap(); }\n")
    for name in ("libggml-base.so", "libggml.so", "libggml-cpu.so", "libllama.so"):
        subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(folder / name), str(source)], check=True)
    return folder


def test_a_probe_that_dies_by_a_signal_names_the_cause_and_the_rebuild(tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(_fake_build(tmp_path / "build"))}
    with pytest.raises(NativeLibraryError) as raised:
        ensure_library_runs(tmp_path / "model.gguf", tmp_path / "cache", env=env, command=DIES_BY_SIGILL)
    message = str(raised.value)
    assert "SIGILL" in message and REBUILD_COMMAND in message and "SHOPASSIST_LLM_BACKEND=openai" in message
    assert not list((tmp_path / "cache").glob("llama-probe-*")), "a failed probe must not be cached as passing"


def test_a_passing_probe_is_cached_per_library_file_until_the_file_changes(tmp_path: Path) -> None:
    build = _fake_build(tmp_path / "build")
    env, cache = {"PYTHONPATH": str(build)}, tmp_path / "cache"
    ensure_library_runs(tmp_path / "model.gguf", cache, env=env, command=EXITS_CLEANLY)
    # Cached: the same library is not probed again (a probe that would fail is never run).
    ensure_library_runs(tmp_path / "model.gguf", cache, env=env, command=DIES_BY_SIGILL)
    library = build / "llama_cpp" / "lib" / "libggml-cpu.so"
    library.write_bytes(b"rebuilt with other flags")
    os.utime(library, ns=(1, 1))
    with pytest.raises(NativeLibraryError):
        ensure_library_runs(tmp_path / "model.gguf", cache, env=env, command=DIES_BY_SIGILL)


def test_llama_cpps_own_library_override_is_what_gets_probed(tmp_path: Path) -> None:
    trap = _trapping_library(tmp_path)
    assert library_files({"LLAMA_CPP_LIB_PATH": str(trap)}) == sorted(trap.glob("*.so"))


@pytest.mark.slow
def test_the_real_probe_turns_a_crashing_native_library_into_a_clear_cli_error(tmp_path: Path) -> None:
    """`shopassist ask` with llama_cpp pointed at a library that dies by SIGILL exits 2 with the probe's message,
    before anything loads the library in-process (which would kill the command without a word)."""
    model = ensure_model_file(load_settings().model_cache_dir)
    (tmp_path / "lib").mkdir()
    trap = _trapping_library(tmp_path / "lib")
    env = {**os.environ, "LLAMA_CPP_LIB_PATH": str(trap), "SHOPASSIST_DATA_DIR": str(tmp_path / "var"),
           "SHOPASSIST_LLM_MODEL": str(model), "SHOPASSIST_LLM_BACKEND": "embedded"}
    result = subprocess.run([sys.executable, "-m", "shopassist.cli", "ask", "hello"], capture_output=True,
                            text=True, env=env, timeout=600)
    assert result.returncode == 2, result.stderr
    assert "died by SIGILL" in result.stderr and REBUILD_COMMAND in result.stderr
