"""Chroma clients and collections: embedded PersistentClient by default, HttpClient when a host is configured."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from shopassist.settings import Settings

PRODUCTS = "products"
PRODUCTS_USE = "products_use"
PASSAGES = "passages"
BATCH = 2_000


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False)


def make_client(settings: Settings) -> Any:
    import chromadb

    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=_chroma_settings())
    return make_client_at(settings.chroma_path)


def make_client_at(path: Path) -> Any:
    import chromadb

    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())


def collection(client: Any, name: str, embedder_name: str) -> Any:
    # We always pass our own vectors, so the collection gets no embedding function (Chroma's default downloads one).
    return client.get_or_create_collection(
        name=name, embedding_function=None, metadata={"hnsw:space": "cosine", "embedder": embedder_name}
    )


def upsert(
    col: Any, ids: Sequence[str], vectors: np.ndarray, documents: Sequence[str], metadatas: Sequence[dict]
) -> None:
    for start in range(0, len(ids), BATCH):
        end = start + BATCH
        col.upsert(
            ids=list(ids[start:end]), embeddings=vectors[start:end], documents=list(documents[start:end]),
            metadatas=list(metadatas[start:end]),
        )


def update_metadata(col: Any, ids: Sequence[str], metadatas: Sequence[dict]) -> None:
    col.update(ids=list(ids), metadatas=list(metadatas))


def iter_all(col: Any, with_vectors: bool = True) -> Iterator[tuple[str, str, dict, np.ndarray | None]]:
    include = ["documents", "metadatas"] + (["embeddings"] if with_vectors else [])
    total = col.count()
    for offset in range(0, total, BATCH):
        page = col.get(limit=BATCH, offset=offset, include=include)
        vectors = page.get("embeddings") if with_vectors else None
        for i, doc_id in enumerate(page["ids"]):
            vector = None if vectors is None else np.asarray(vectors[i], dtype=np.float32)
            yield doc_id, page["documents"][i], page["metadatas"][i] or {}, vector

