"""Build and install llama-cpp-python with chosen CPU instruction sets, never the build host's own.

llama.cpp's default `GGML_NATIVE=ON` compiles for the machine that builds it, AMX tile kernels included where the CPU
advertises them; those die with SIGILL on VMs that advertise AMX but fault on it, and on any host older than the
builder. Each flag set below is a named build; its wheel is kept in our own cache, keyed by version + flags, because
pip's wheel cache keys on the source package alone and would silently reuse a wheel built with other flags.

Standard library only: the Makefile runs it before the project is installed (`python agent/llama_build.py install`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

LLAMA_CPP_VERSION = "0.3.36"
_BASELINE = ["-DGGML_NATIVE=OFF", "-DGGML_AVX=ON", "-DGGML_AVX2=ON", "-DGGML_FMA=ON", "-DGGML_F16C=ON",
             "-DGGML_BMI2=ON"]
_NO_AMX = ["-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_BF16=OFF"]
FLAG_SETS: dict[str, list[str]] = {
    # Every x86-64 CPU since Haswell (2013) / Zen 1; the default.
    "portable": [*_BASELINE, "-DGGML_AVX512=OFF", *_NO_AMX],
    # AVX-512 (Skylake-SP and newer Xeons, Zen 4): only for hosts known to have it, chosen after the probe passes.
    "avx512": [*_BASELINE, "-DGGML_AVX512=ON", "-DGGML_AVX512_VBMI=ON", "-DGGML_AVX512_VNNI=ON", *_NO_AMX],
    # llama.cpp's own default: whatever the build host has, AMX included. Kept to measure it, never installed by make.
    "native": ["-DGGML_NATIVE=ON"],
}
DEFAULT_FLAG_SET = "portable"
BUILD_INFO = "llama-cpp-build.json"  # written into the environment's prefix: which build is installed


def build_key(flag_set: str) -> str:
    digest = hashlib.sha256(" ".join(FLAG_SETS[flag_set]).encode()).hexdigest()[:12]
    python = f"py{sys.version_info.major}{sys.version_info.minor}"
    return f"llama-cpp-python-{LLAMA_CPP_VERSION}-{flag_set}-{digest}-{python}"


def wheel_cache() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return Path(os.environ.get("SHOPASSIST_WHEEL_CACHE") or base / "shopassist" / "wheels")


def build_wheel(flag_set: str, python: str = sys.executable) -> Path:
    """The wheel for `flag_set`, compiled once per machine (~6 min on 2 cores) and reused from our cache after."""
    folder = wheel_cache() / build_key(flag_set)
    wheels = sorted(folder.glob("llama_cpp_python-*.whl"))
    if wheels:
        return wheels[0]
    partial = folder.with_name(folder.name + f".partial.{os.getpid()}")
    partial.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CMAKE_ARGS": " ".join(FLAG_SETS[flag_set]),
           "CMAKE_BUILD_PARALLEL_LEVEL": str(os.cpu_count() or 2)}
    print(f"building llama-cpp-python {LLAMA_CPP_VERSION} ({flag_set}: {env['CMAKE_ARGS']}); ~6 min on 2 cores",
          flush=True)
    subprocess.run(
        [python, "-m", "pip", "wheel", "-q", "--no-deps", "--no-cache-dir", "--no-binary", "llama-cpp-python",
         f"llama-cpp-python=={LLAMA_CPP_VERSION}", "-w", str(partial)],
        env=env, check=True,
    )
    partial.rename(folder)
    return sorted(folder.glob("llama_cpp_python-*.whl"))[0]


def installed_build(prefix: Path) -> dict[str, str] | None:
    path = prefix / BUILD_INFO
    return json.loads(path.read_text()) if path.exists() else None


def install(flag_set: str, python: str, target: Path | None = None) -> None:
    """Install the `flag_set` build into the environment of `python` (or into the folder `target`)."""
    prefix = target or Path(subprocess.check_output([python, "-c", "import sys; print(sys.prefix)"], text=True).strip())
    key = build_key(flag_set)
    current = installed_build(prefix)
    if current and current.get("key") == key:
        return
    wheel = build_wheel(flag_set, python)
    command = [python, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)]
    if target:
        command += ["--target", str(target)]
    subprocess.run(command, check=True)
    info = {"key": key, "flag_set": flag_set, "cmake_args": " ".join(FLAG_SETS[flag_set]), "wheel": str(wheel)}
    (prefix / BUILD_INFO).write_text(json.dumps(info, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["install", "wheel"])
    parser.add_argument("--flags", choices=sorted(FLAG_SETS), default=DEFAULT_FLAG_SET)
    parser.add_argument("--python", default=sys.executable, help="the environment to install into")
    parser.add_argument("--target", type=Path, help="install into this folder instead (a build to benchmark)")
    args = parser.parse_args()
    if args.command == "wheel":
        print(build_wheel(args.flags, args.python))
    else:
        install(args.flags, args.python, args.target)


if __name__ == "__main__":
    main()
