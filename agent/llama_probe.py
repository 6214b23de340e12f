"""Probe the native llama.cpp library in a subprocess before this process loads it.

A build with instruction sets the CPU faults on (AMX on some VMs, AVX-512 on older hosts) passes a one-word prompt and
dies by SIGILL on the first batched one, taking the server or pytest with it. The probe evaluates a prompt longer than
one batch in a child process; a signal death there becomes a `NativeLibraryError` that says why and how to rebuild.
A passing result is cached per library file and CPU, so it costs nothing after the first run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

log = logging.getLogger(__name__)

PROBE_PROMPT_WORDS = 300  # > n_batch (256) tokens: the batched matrix kernels run, not only the one-token path
_WORDS = ("red", "blue", "shoe", "bag", "tent", "lamp", "cup", "hat", "sock", "desk")
REBUILD_COMMAND = "rm -f .venv/.installed && make install  # rebuilds llama-cpp-python with LLAMA_FLAGS=portable"


class NativeLibraryError(RuntimeError):
    """The embedded model's native library cannot run on this CPU."""


def library_files(env: dict[str, str] | None = None) -> list[Path]:
    """The shared libraries that `import llama_cpp` would load under `env`: llama_cpp's own `LLAMA_CPP_LIB_PATH`
    override, else the package found first on `PYTHONPATH`, else this environment's."""
    env = {**os.environ, **(env or {})}
    if env.get("LLAMA_CPP_LIB_PATH"):
        return sorted(Path(env["LLAMA_CPP_LIB_PATH"]).glob("*.so*"))
    search = [entry for entry in env.get("PYTHONPATH", "").split(os.pathsep) if entry] + sys.path
    for entry in search:
        if (Path(entry) / "llama_cpp" / "__init__.py").exists():
            return sorted((Path(entry) / "llama_cpp" / "lib").glob("*.so*"))
    raise NativeLibraryError("llama-cpp-python is not installed: run `make install`.")


def _cpu_flags() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return ""
    return next((line for line in lines if line.startswith("flags")), "")


def probe_key(libraries: list[Path]) -> str:
    """Changes when a library file is replaced (rebuild, reinstall) or the same files run on another CPU."""
    digest = hashlib.sha256(_cpu_flags().encode())
    for path in libraries:
        stat = path.stat()
        digest.update(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def probe_command(model_path: Path) -> list[str]:
    return [sys.executable, "-m", "agent.llama_probe", str(model_path)]


def _failure_message(returncode: int, output: str) -> str:
    if returncode < 0:
        name = signal.Signals(-returncode).name
        cause = (f"the native llama.cpp library died by {name} while evaluating a {PROBE_PROMPT_WORDS}-word prompt: "
                 "it was compiled for instructions this CPU does not run (a build with the build host's native "
                 "flags, e.g. AMX or AVX-512 kernels, moved to or run on a machine that faults on them)")
    else:
        cause = f"the native llama.cpp library failed a {PROBE_PROMPT_WORDS}-word test prompt (exit {returncode})"
    tail = output.strip().splitlines()[-3:]
    detail = f" Its last output: {' | '.join(tail)}." if tail else ""
    return (f"The embedded model cannot run here: {cause}.{detail} Rebuild it for a portable x86-64 baseline with "
            f"`{REBUILD_COMMAND}`, or use an OpenAI-compatible server (SHOPASSIST_LLM_BACKEND=openai).")


def ensure_library_runs(model_path: Path, cache_dir: Path, env: dict[str, str] | None = None,
                        command: list[str] | None = None, timeout_s: float = 300.0) -> None:
    """Raise `NativeLibraryError` unless the library has run a batched prompt on this CPU (probed once per library).

    `env` is the child's extra environment (which build it loads); `command` replaces the probe program (tests)."""
    marker = cache_dir / f"llama-probe-{probe_key(library_files(env))}.json"
    if marker.exists():
        return
    try:
        result = subprocess.run(command or probe_command(model_path), capture_output=True, text=True,
                                timeout=timeout_s, env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired as error:
        raise NativeLibraryError(f"The embedded model's probe did not finish in {timeout_s:.0f} s.") from error
    if result.returncode != 0:
        raise NativeLibraryError(_failure_message(result.returncode, result.stderr or result.stdout))
    cache_dir.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"libraries": [str(path) for path in library_files(env)], "ok": True}) + "\n")


def _run_probe(model_path: str) -> None:
    """The child side: load the model and evaluate a prompt that takes the batched path."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from llama_cpp import Llama

    llama = Llama(model_path=model_path, n_ctx=1024, n_batch=256, n_threads=2, verbose=False)
    words = " ".join(_WORDS[number % len(_WORDS)] for number in range(PROBE_PROMPT_WORDS))
    llama.create_completion(f"Count these words: {words}", max_tokens=1)


if __name__ == "__main__":
    _run_probe(sys.argv[1])


def choose_native_build(model_path: Path, native_build: Path | None) -> None:
    """Probe the native library before this process loads it; prefer `native_build` only when it runs here."""
    if "llama_cpp" in sys.modules:
        return
    if native_build is not None:
        try:
            ensure_library_runs(model_path, model_path.parent, env={"PYTHONPATH": str(native_build)})
            sys.path.insert(0, str(native_build))
            return
        except NativeLibraryError as error:
            log.warning("not using the llama.cpp build in %s: %s", native_build, error)
    ensure_library_runs(model_path, model_path.parent)
