"""Assembling a GGUF from part packages and refusing a file whose sha256 does not match."""

from __future__ import annotations

import hashlib
import sys
import types
from pathlib import Path

import pytest

from agent.model_files import GgufModel, ModelFileError, ensure_model_file


def _install_parts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, chunks: list[bytes]) -> None:
    for number, chunk in enumerate(chunks, start=1):
        part = tmp_path / f"part{number}.bin"
        part.write_bytes(chunk)
        module = types.ModuleType(f"fake_model_part{number}")
        module.get_part_path = lambda part=part: str(part)  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, module.__name__, module)


def _model(content: bytes, sha256: str | None = None) -> GgufModel:
    return GgufModel(name="fake", part_module="fake_model_part{n}", parts=2,
                     sha256=sha256 or hashlib.sha256(content).hexdigest(), size=len(content))


def test_parts_are_concatenated_in_order_and_verified(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _install_parts(monkeypatch, tmp_path, [b"GGUF-head", b"-tail"])
    path = ensure_model_file(tmp_path / "cache", _model(b"GGUF-head-tail"))
    assert path.read_bytes() == b"GGUF-head-tail"
    assert ensure_model_file(tmp_path / "cache", _model(b"GGUF-head-tail")) == path  # second call: cached


def test_checksum_mismatch_is_refused_and_file_removed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _install_parts(monkeypatch, tmp_path, [b"GGUF-head", b"-tampered"])
    with pytest.raises(ModelFileError, match="sha256"):
        ensure_model_file(tmp_path / "cache", _model(b"GGUF-head-tampered", sha256="0" * 64))
    assert not (tmp_path / "cache" / "fake.gguf").exists()


def test_missing_part_package_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="not installed"):
        ensure_model_file(tmp_path, GgufModel("nope", "no_such_model_part{n}", 1, "0" * 64, 1))


def test_a_second_party_gets_its_own_embedded_model(tmp_path: Path) -> None:
    from agent.llm import build_chat_model
    from shopassist.settings import load_settings

    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF")  # never loaded: the Llama instance is created on first use
    settings = load_settings(data_dir=tmp_path, llm_model=str(gguf), env="test")
    shared = build_chat_model(settings)
    assert build_chat_model(settings) is shared
    assert build_chat_model(settings, own_instance=True) is not shared
