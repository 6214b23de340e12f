"""MiniLM embeddings: the ONNX export gives the sentence-transformers vectors, and the content-hash cache works."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.vectorstore.helpers import HashingEmbedder
from vectorstore.embeddings import CachedEmbedder, EmbeddingCache, MiniLMEmbedder
from vectorstore.onnx_embedder import OnnxMiniLMEmbedder

TEXTS = ["Waterproof Hiking Boot | Northpeak | Shoes > Hiking Boots", "kitchen towels", "防水登山鞋", ""]


def test_cache_embeds_each_text_once(tmp_path: Path) -> None:
    inner = HashingEmbedder()
    cached = CachedEmbedder(inner, EmbeddingCache(tmp_path / "cache.sqlite"))
    first = cached.embed(TEXTS[:3])
    again = CachedEmbedder(inner, EmbeddingCache(tmp_path / "cache.sqlite")).embed(list(reversed(TEXTS[:3])))
    assert inner.embedded == 3 and np.allclose(first, again[::-1])


@pytest.mark.slow
def test_onnx_matches_sentence_transformers(tmp_path: Path) -> None:
    reference = MiniLMEmbedder().embed(TEXTS)
    onnx = OnnxMiniLMEmbedder(tmp_path).embed(TEXTS)
    assert onnx.shape == (4, 384) and np.all(np.sum(onnx * reference, axis=1) > 0.999)
    related, unrelated = onnx[0] @ MiniLMEmbedder().embed(["hiking boots"])[0], onnx[1] @ onnx[0]
    assert related > unrelated
