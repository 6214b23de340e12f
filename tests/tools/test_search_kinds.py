"""Search holds its results to the kind of product asked for, says when the shop lacks it or a constraint rules it
out, and names a brand the shop does not carry; with the multilingual space, as the shop runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.render import RenderContext, render_outcomes
from agent.state import ToolOutcome
from agent.templates import load_templates
from shopassist.settings import load_settings
from tests.vectorstore.helpers import HashingEmbedder, demo_database
from tools.base import ToolContext
from tools.deps import Deps
from tools.search import SEARCH_PRODUCTS, SearchProductsOutput
from vectorstore.multilingual import USEEmbedder
from vectorstore.product_types import head_phrase, type_texts
from vectorstore.service import build_from_database, open_service

TEMPLATES = load_templates(Path(__file__).parents[2] / "prompts")


@pytest.mark.parametrize(("text", "head"), [
    ("waterproof hiking boots under $120", "hiking boots"),
    ("laptop bag that fits 15 inch, leather but not brown", "laptop bag"),
    ("我想买一双防水的登山鞋", "登山鞋"),
    ("有没有 Sony 的 noise cancelling 耳机", "耳机"),
    ("cheapest tent for 4 people that's in stock", "tent"),
    ("show me red t-shirts in size M", "t-shirts"),
    ("a gift for my dad who likes grilling", None),
    ("送妈妈的生日礼物", None),
    ("anything cheaper?", None),
])
def test_the_head_phrase_names_the_kind_asked_for(text: str, head: str | None) -> None:
    assert head_phrase(text) == head


def test_type_texts_keep_the_noun_the_titles_share() -> None:
    from commerce.models import Product
    from vectorstore.documents import product_doc

    docs = [product_doc(Product(id=str(n), title=title, category_path=["Shoes", "Trail Running"], price=90.0))
            for n, title in enumerate(["A 轻量越野跑鞋", "B 防水越野跑鞋", "C 越野跑鞋", "D Grippy Trail Running Shoes",
                                       "E Lightweight Trail Running Shoes"])]
    assert type_texts(docs) == {"Trail Running": {"Trail Running", "running shoes", "越野跑鞋"}}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ToolContext]:
    folder = tmp_path_factory.mktemp("kinds")
    settings = load_settings(data_dir=folder / "var", env="test")
    database = demo_database(folder)
    service = open_service(settings, HashingEmbedder(), USEEmbedder())
    build_from_database(service, database)
    yield ToolContext(Deps(database, settings, search=service))


def _search(shop: ToolContext, **arguments: object) -> tuple[SearchProductsOutput, str]:
    result = SEARCH_PRODUCTS.run(shop, {"limit": 5, **arguments})
    assert isinstance(result, SearchProductsOutput), result
    outcome = ToolOutcome(name="search_products", arguments=arguments, ok=True, data={}, output=result)
    language = "zh" if any("\u4e00" <= c <= "\u9fff" for c in str(arguments["query"])) else "en"
    return result, render_outcomes([outcome], RenderContext(templates=TEMPLATES[language], message=""))


@pytest.mark.slow
def test_a_kind_the_price_rules_out_is_said_with_its_cheapest(shop: ToolContext) -> None:
    result, answer = _search(shop, query="waterproof hiking boots under $60")
    assert result.kind is not None and result.kind.status == "constrained" and result.kind.blocked_by == "price_max"
    assert result.hits and all(hit.category.endswith("Hiking Boots") for hit in result.hits)
    prices = [hit.price for hit in result.hits]
    assert prices == sorted(prices)
    assert f"There are no “hiking boots” under $60.00 — the cheapest is ${prices[0]:.2f}" in answer


@pytest.mark.slow
@pytest.mark.parametrize("query", ["a hammock for the garden", "snow chains for my car", "电热水壶", "有没有婴儿奶瓶"])
def test_a_kind_the_shop_lacks_is_said_and_the_closest_are_labelled(shop: ToolContext, query: str) -> None:
    result, answer = _search(shop, query=query)
    assert result.kind is not None and result.kind.status == "missing" and result.closest_only
    assert all(hit.other_kind for hit in result.hits)
    assert ("We don't carry" in answer) or ("本店没有" in answer)
    first_line = next(line for line in answer.splitlines() if line.startswith("1. "))
    assert first_line.endswith(")") or first_line.endswith("）")  # labelled with its own kind


@pytest.mark.slow
@pytest.mark.parametrize(("query", "leaf"), [
    ("我想买一双防水的登山鞋", "Shoes > "), ("a rain jacket with a hood", "Jackets"), ("trainers", "Running"),
    ("蓝牙耳机", "Headphones"), ("tent for four people", "Tents"),
])
def test_hits_of_the_kind_come_first_and_others_are_labelled(shop: ToolContext, query: str, leaf: str) -> None:
    result, _ = _search(shop, query=query)
    assert result.kind is not None and result.kind.status == "matched"
    assert leaf in result.hits[0].category and not result.hits[0].other_kind
    kinds = [hit.other_kind for hit in result.hits]
    assert kinds == sorted(kinds)  # no product of another kind ahead of one of the kind
    assert all(leaf in hit.category for hit in result.hits if not hit.other_kind) or leaf == "Running"


@pytest.mark.slow
def test_a_brand_the_shop_does_not_carry_is_named(shop: ToolContext) -> None:
    result, answer = _search(shop, query="有没有 Sony 的 noise cancelling 耳机", max_price=200)
    assert result.unknown_brand == "Sony"
    assert answer.splitlines()[0] == "本店没有 Sony 品牌的商品；以下是其他品牌的。"
    assert result.hits and all(hit.price <= 200 and "Headphones" in hit.category for hit in result.hits)
    carried, _ = _search(shop, query="Voltix headphones")
    assert carried.unknown_brand is None
