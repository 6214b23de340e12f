"""The dense index: exact and IVF search agree, filters hold on both paths, changed vectors update the IVF index."""

from __future__ import annotations

import numpy as np

from vectorstore.dense import DenseIndex

DIM = 32


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def clustered(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((20, DIM))
    return unit(centres[rng.integers(20, size=n)] + 0.3 * rng.standard_normal((n, DIM)))


def brute_force(vectors: np.ndarray, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[int]:
    scores = vectors @ query
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    return [int(row) for row in np.argsort(-scores, kind="stable")[:k] if np.isfinite(scores[row])]


def is_top_k(hits: list[tuple[int, float]], vectors: np.ndarray, query: np.ndarray, k: int,
             mask: np.ndarray | None = None) -> bool:
    """The hits are the k best rows, up to near-ties that float16 storage may order either way."""
    expected = [float(vectors[row] @ query) for row in brute_force(vectors, query, k, mask)]
    allowed = mask is None or all(mask[row] for row, _ in hits)
    return allowed and len(hits) == len(expected) and np.allclose([s for _, s in hits], expected, atol=2e-3)


def filled(vectors: np.ndarray, exact_max: int, nprobe: int = 16) -> DenseIndex:
    index = DenseIndex(DIM, exact_max=exact_max, nprobe=nprobe)
    index.set_vectors(list(range(len(vectors))), vectors)
    return index


def test_ivf_probing_every_list_returns_the_exact_top_k() -> None:
    vectors = clustered(3_000)
    exact, ivf = filled(vectors, exact_max=10_000), filled(vectors, exact_max=0, nprobe=10_000)
    mask = np.arange(3_000) % 3 == 0
    for query in vectors[:20]:
        assert is_top_k(exact.search(query, 10), vectors, query, 10)
        assert is_top_k(ivf.search(query, 10), vectors, query, 10)
        assert is_top_k(ivf.search(query, 10, mask), vectors, query, 10, mask)
        assert is_top_k(exact.search(query, 10, mask), vectors, query, 10, mask)
    assert ivf.has_ann and not exact.has_ann


def test_scores_are_cosines_from_the_stored_rows() -> None:
    vectors = clustered(500)
    # float16 rows, then 8-bit codes once the IVF index holds the vectors
    for index, error in ((filled(vectors, exact_max=10_000), 1e-3), (filled(vectors, exact_max=0), 5e-3)):
        hits = index.search(vectors[7], 5)
        assert hits[0][0] == 7 and abs(hits[0][1] - 1.0) < error
        for row, score in hits:
            assert abs(score - float(vectors[row] @ vectors[7])) < error
        assert np.abs(index.vectors([3, 7]) - vectors[[3, 7]]).max() < error


def test_a_selective_filter_returns_only_allowed_rows_and_all_of_them() -> None:
    vectors = clustered(3_000)
    mask = np.zeros(3_000, dtype=bool)
    mask[[5, 900, 2_999]] = True
    scanned = filled(vectors, exact_max=0)
    scanned.scan_per_decode = 0.0  # the IVF lists are scanned under the bitmap instead of the rows being decoded
    for index in (filled(vectors, exact_max=10_000), filled(vectors, exact_max=0), scanned):
        assert sorted(row for row, _ in index.search(vectors[0], 10, mask)) == [5, 900, 2_999]
        assert index.search(vectors[0], 10, np.zeros(3_000, dtype=bool)) == []


def test_a_changed_vector_replaces_the_old_one_in_the_ivf_index() -> None:
    vectors = clustered(2_000)
    index = filled(vectors, exact_max=0, nprobe=10_000)
    assert index.search(vectors[10], 1)[0][0] == 10
    index.set_vectors([10], vectors[1_500:1_501])
    hits = index.search(vectors[1_500], 2)
    assert {row for row, _ in hits} == {10, 1_500}
    rows = [row for row, _ in hits]
    assert len(rows) == len(set(rows))  # the old entry is gone, not shadowed
    stale = dict(index.search(vectors[10], 2_000))
    assert abs(stale[10] - float(vectors[1_500] @ vectors[10])) < 5e-3  # 8-bit codes
    assert np.allclose(index.vector(10), vectors[1_500], atol=5e-3)


def test_rows_added_after_the_build_are_found_and_a_doubled_catalog_retrains() -> None:
    vectors = clustered(4_000)
    index = filled(vectors[:1_000], exact_max=0, nprobe=10_000)
    index.search(vectors[0], 1)
    index.set_vectors(list(range(1_000, 1_500)), vectors[1_000:1_500])
    assert index.search(vectors[1_200], 1)[0][0] == 1_200
    index.set_vectors(list(range(1_500, 4_000)), vectors[1_500:])
    assert is_top_k(index.search(vectors[3_900], 5), vectors, vectors[3_900], 5)


def test_prepare_builds_the_ivf_index_only_for_a_catalog_past_exact_search() -> None:
    vectors = clustered(600)
    small, large = filled(vectors, exact_max=1_000), filled(vectors, exact_max=500)
    small.prepare()
    large.prepare()
    assert not small.has_ann and large.has_ann


def test_a_filtered_ivf_search_keeps_recall_at_ten() -> None:
    vectors = clustered(20_000, seed=3)
    ivf = filled(vectors, exact_max=0)
    mask = np.random.default_rng(4).random(20_000) < 0.3
    found = []
    for query in clustered(30, seed=5):
        expected = set(brute_force(vectors, query, 10, mask))
        found.append(len(expected & {row for row, _ in ivf.search(query, 10, mask)}) / 10)
    assert np.mean(found) >= 0.95
