"""Personal reranking of search results: the shopper's affinities move their items up, with a reason; searches are
recorded; guests and opted-out shoppers get the plain order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from commerce.store import get_products
from commerce.tables import EventRow, ProfileRow, ShopperRow
from tests.vectorstore.helpers import indexed_demo_shop
from tools.base import ToolContext
from tools.search import SEARCH_PRODUCTS, SearchProductsOutput


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ToolContext]:
    yield indexed_demo_shop(tmp_path_factory.mktemp("personal"))


def _favourite(shop: ToolContext) -> tuple[str, str]:
    """The shopper with the most purchases, and the top-level category they buy most."""
    with shop.db.session() as session:
        rows = session.execute(select(EventRow.shopper_id, EventRow.product_id).where(EventRow.kind == "purchase"))
        bought = Counter(shopper for shopper, _ in rows)
        shopper = bought.most_common(1)[0][0]
        ids = session.scalars(select(EventRow.product_id).where(EventRow.shopper_id == shopper,
                                                                 EventRow.kind == "purchase")).all()
        products = get_products(session, [i for i in ids if i])
    category = Counter(p.category_path[0] for p in products.values()).most_common(1)[0][0]
    return shopper, category


def _search(shop: ToolContext, shopper_id: str | None, text: str) -> SearchProductsOutput:
    context = ToolContext(shop.deps, shopper_id=shopper_id)
    result = SEARCH_PRODUCTS.run(context, {"query": text, "limit": 10})
    assert isinstance(result, SearchProductsOutput)
    return result


def test_personal_rerank_explains_and_records_the_search(shop: ToolContext) -> None:
    shopper, category = _favourite(shop)
    query = f"gift ideas {category}"
    guest = _search(shop, None, query)
    personal = _search(shop, shopper, query)
    assert [hit.id for hit in personal.hits] != [hit.id for hit in guest.hits]
    assert any("you" in hit.reason or "your" in hit.reason for hit in personal.hits), [h.reason for h in personal.hits]
    assert shop.deps.ranker.recorder.flush()
    with shop.db.session() as session:
        assert session.get(ProfileRow, shopper) is not None
        searches = session.scalars(select(EventRow.query).where(EventRow.shopper_id == shopper,
                                                                EventRow.kind == "search")).all()
    assert query in searches


def test_opted_out_shopper_gets_the_guest_order_and_is_not_recorded(shop: ToolContext) -> None:
    shopper, category = _favourite(shop)
    shop.deps.ranker.profile_ttl_s = 0  # the opt-out is written by another process (the shop's account page)
    with shop.db.session() as session:
        session.execute(update(ShopperRow).where(ShopperRow.id == shopper).values(personalization=False))
        before = len(session.scalars(select(EventRow.id).where(EventRow.shopper_id == shopper)).all())
    query = f"something for {category}"
    assert [h.id for h in _search(shop, shopper, query).hits] == [h.id for h in _search(shop, None, query).hits]
    assert shop.deps.ranker.recorder.flush()
    with shop.db.session() as session:
        after = len(session.scalars(select(EventRow.id).where(EventRow.shopper_id == shopper)).all())
        session.execute(update(ShopperRow).where(ShopperRow.id == shopper).values(personalization=True))
    assert after == before
