"""The learned ranker: features per candidate, its order when a model file is there, fusion when it is absent or
unreadable."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from commerce.models import Product
from tests.vectorstore.helpers import HashingEmbedder
from vectorstore.documents import product_doc
from vectorstore.fusion import BM25, MINILM
from vectorstore.hybrid import ProductIndex
from vectorstore.ltr import FEATURES, LearnedRanker, features
from vectorstore.query import SearchQuery
from vectorstore.spaces import DenseSpace

TITLES = ["Trail Running Shoe", "Running Shoe Cleaner Spray", "Road Running Shoe Lightweight", "Running Socks",
          "Hiking Boot", "Shoe Rack"]


def index_with(ranker: LearnedRanker | None) -> ProductIndex:
    index = ProductIndex([DenseSpace(MINILM, HashingEmbedder())], ranker=ranker)
    index.add_docs([product_doc(Product(id=f"p{i}", title=title, brand="Acme" if i == 3 else "Stride",
                                        category_path=["Shoes"], price=10.0 + i, rating=1.0 + i % 5))
                    for i, title in enumerate(TITLES)])
    return index


def train_rating_model(path: Path) -> None:
    """A tiny lambdarank model that learned 'higher rating first', so its order is easy to tell from fusion's."""
    import lightgbm

    rng = np.random.default_rng(0)
    x = rng.random((400, len(FEATURES))).astype(np.float32)
    rating = FEATURES.index("rating")
    x[:, rating] = rng.integers(1, 6, len(x))
    y = np.digitize(x[:, rating], [1.5, 2.5, 3.5, 4.5])
    data = lightgbm.Dataset(x, y, group=[20] * 20, feature_name=list(FEATURES))
    lightgbm.train({"objective": "lambdarank", "verbose": -1, "min_data_in_leaf": 5, "num_threads": 1}, data,
                   num_boost_round=20).save_model(str(path))


def test_features_carry_every_retrievers_rank_and_field_matches() -> None:
    index = index_with(None)
    query = SearchQuery(text="acme running socks")
    candidates = index.fused(query, 10)

    rows = features(query, [c.doc for c in candidates], [c.signals for c in candidates],
                    [c.score for c in candidates], index.lexical, query.text)
    socks = next(i for i, c in enumerate(candidates) if c.product_id == "p3")
    assert rows.shape == (len(candidates), len(FEATURES))
    assert rows[socks, FEATURES.index("brand_in_query")] == 1.0
    assert rows[socks, FEATURES.index("title_match")] > rows[socks, FEATURES.index("category_match")]
    assert rows[socks, FEATURES.index(f"{BM25}_rank")] == candidates[socks].signals[BM25][0]
    assert np.isnan(rows[socks, FEATURES.index("use_score")])  # no multilingual space here
    assert rows[socks, FEATURES.index("retrievers_found")] == len(candidates[socks].signals)


def test_field_matches_read_the_query_in_catalog_words() -> None:
    index = index_with(None)
    query = SearchQuery(text="跑步袜")
    candidates = index.fused(SearchQuery(text="running socks"), 10)
    docs, signals, fused = [c.doc for c in candidates], [c.signals for c in candidates], [c.score for c in candidates]
    socks = next(i for i, c in enumerate(candidates) if c.product_id == "p3")
    as_typed = features(query, docs, signals, fused, index.lexical, query.text)
    in_catalog_words = features(query, docs, signals, fused, index.lexical, "running sock")
    title = FEATURES.index("title_match")
    assert as_typed[socks, title] == 0.0 and in_catalog_words[socks, title] == 1.0
    assert in_catalog_words[socks, FEATURES.index("query_zh")] == 1.0


def test_without_a_model_file_search_keeps_the_fused_order(tmp_path: Path) -> None:
    query = SearchQuery(text="running shoe")
    ranker = LearnedRanker(tmp_path / "absent.txt")
    assert not ranker.available
    index = index_with(ranker)
    assert [c.product_id for c in index.retrieve(query, 5)] == [c.product_id for c in index.fused(query, 5)]


def test_an_unreadable_model_file_falls_back_to_fusion(tmp_path: Path) -> None:
    broken = tmp_path / "ranker.txt"
    broken.write_text("not a model")
    query = SearchQuery(text="running shoe")
    index = index_with(LearnedRanker(broken))
    assert [c.product_id for c in index.retrieve(query, 5)] == [c.product_id for c in index.fused(query, 5)]


def test_a_model_trained_on_other_features_falls_back_to_fusion(tmp_path: Path) -> None:
    import lightgbm

    path = tmp_path / "ranker.txt"
    rng = np.random.default_rng(0)
    data = lightgbm.Dataset(rng.random((200, 5)), rng.integers(0, 3, 200), group=[20] * 10)
    lightgbm.train({"objective": "lambdarank", "verbose": -1, "min_data_in_leaf": 5}, data, 5).save_model(str(path))
    query = SearchQuery(text="running shoe")
    index = index_with(LearnedRanker(path))
    assert not index.ranker.available
    assert [c.product_id for c in index.retrieve(query, 5)] == [c.product_id for c in index.fused(query, 5)]


def test_a_model_file_reorders_the_fused_candidates(tmp_path: Path) -> None:
    path = tmp_path / "ranker.txt"
    train_rating_model(path)
    index = index_with(LearnedRanker(path))
    hits = index.retrieve(SearchQuery(text="running shoe"), 4)
    ratings = [hit.doc.rating for hit in hits]
    assert ratings == sorted(ratings, reverse=True) and ratings[0] == 5.0
