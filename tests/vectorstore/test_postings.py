"""BM25 top-k from posting lists equals bm25s' own dense scoring, filtered by the mask, ties broken by row."""

from __future__ import annotations

import numpy as np

from vectorstore.lexical import LexicalIndex, tokenize

WORDS = "red blue boot shoe tent lamp mug waterproof hiking trail".split()


def expected(index: LexicalIndex, text: str, k: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
    retriever = index._ensure()
    tokens = [token for token in tokenize(text) if token in index._vocab]
    scores = np.asarray(retriever.get_scores(tokens), dtype=np.float32)
    rows = [row for row in np.flatnonzero(scores > 0) if mask is None or mask[row]]
    rows.sort(key=lambda row: (-scores[row], row))
    return [(int(row), float(scores[row])) for row in rows[:k]]


def test_top_k_matches_dense_bm25_with_and_without_a_mask() -> None:
    rng = np.random.default_rng(3)
    index = LexicalIndex()
    texts = [" ".join(rng.choice(WORDS, int(rng.integers(1, 5)))) for _ in range(2_000)]
    index.set_texts(list(range(len(texts))), texts)
    mask = rng.random(len(texts)) < 0.2
    for text in ("red boot", "waterproof hiking boot boot", "lamp", "blue mug tent trail shoe"):
        for k in (1, 10, 100, 5_000):
            for allowed in (None, mask):
                got = index.search(text, k, allowed)
                want = expected(index, text, k, allowed)
                assert [row for row, _ in got] == [row for row, _ in want]
                assert np.allclose([s for _, s in got], [s for _, s in want], rtol=1e-6)
    assert index.search("nothing matches", 10) == []
    assert index.search("red", 10, np.zeros(len(texts), dtype=bool)) == []
