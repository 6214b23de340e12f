"""`bench search` on a small synthetic catalog: every stage of the search path is timed and the IVF index is used."""

from __future__ import annotations

from pathlib import Path

from evals.bench.search import bench_size

STAGES = {"parse", "mask", "dense_minilm", "dense_use", "bm25", "feedback_bm25", "fusion", "relevance_stage",
          "personal_rerank", "record_search", "cards", "stored_behind", "sum_of_stages"}


def test_every_stage_is_timed_with_and_without_filters(tmp_path: Path) -> None:
    result = bench_size(3_000, 8, tmp_path)
    for key in ("stages_no_filter", "stages_filtered"):
        assert STAGES <= set(result[key])
        assert all(result[key][stage]["p95_ms"] >= result[key][stage]["p50_ms"] >= 0 for stage in STAGES)
        assert result[key]["sum_of_stages"]["p50_ms"] > result[key]["dense_use"]["p50_ms"]
    assert result["search_products_filtered"]["p50_ms"] > 0
    assert 0 < result["filtered_share_of_catalog"][1] <= result["filtered_share_of_catalog"][0] < 1
    assert set(result["build_seconds"]) >= {"ivf_minilm", "ivf_use", "bm25", "filter_table", "relevance_tokens"}
    # The relevance stage runs (the real ColBERT query encoder) over stored token vectors for every product.
    assert result["relevance_stage"]["model"] == "colbert" and result["relevance_tokens_mb"] > 0
    assert result["stages_no_filter"]["relevance_stage"]["p50_ms"] > result["stages_no_filter"]["cards"]["p50_ms"]
