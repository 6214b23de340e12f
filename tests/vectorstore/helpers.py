"""Test helpers for search: a feature-hashing embedder (real, deterministic, no model) and a demo-shop database."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from commerce.db import Database
from commerce.demo import generate_shop, write_shop
from shopassist.settings import load_settings
from tools.base import ToolContext
from tools.deps import Deps
from vectorstore.lexical import tokenize
from vectorstore.service import build_from_database, open_service


class HashingEmbedder:
    """Bag of hashed tokens, L2-normalised: similar wording gives similar vectors. Counts what it embeds."""

    def __init__(self, dim: int = 64) -> None:
        self.name = f"hashing-{dim}"
        self.dim = dim
        self.embedded = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for token in tokenize(text):
                out[i, int(hashlib.md5(token.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


def demo_database(folder: Path, seed: int = 7) -> Database:
    database = Database(f"sqlite:///{folder / 'shop.db'}")
    database.migrate()
    with database.session() as session:
        write_shop(session, generate_shop(seed))
    return database


def indexed_demo_shop(folder: Path) -> ToolContext:
    """The demo shop in a fresh database, indexed with the hashing embedder, as a guest's tool context."""
    settings = load_settings(data_dir=folder / "var", env="test")
    database = demo_database(folder)
    service = open_service(settings, HashingEmbedder())
    build_from_database(service, database)
    return ToolContext(Deps(database, settings, search=service))
