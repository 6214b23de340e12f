"""'Is this a good price?' through the tool: today's price against 30/90/365 days of history, the verdict, the chart
points, a product found by name, and a clear error for one that is not there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert

from commerce.tables import PricePointRow
from tests.tools.conftest import Shop
from tools.base import ToolError
from tools.price_history import PriceHistoryView
from tools.registry import tool_by_name


def _history(shop: Shop, product_id: str, *changes: tuple[int, float]) -> None:
    """Points `days ago → price`, as the offer-changing paths would have written them."""
    now = shop.clock()
    with shop.db.session() as session:
        session.execute(insert(PricePointRow), [
            {"product_id": product_id, "at": now - timedelta(days=days), "price": price, "low": price, "high": price,
             "in_stock": True, "span_days": 0} for days, price in changes])


def _ask(shop: Shop, **arguments: object) -> PriceHistoryView | ToolError:
    tool = tool_by_name("price_history")
    assert tool is not None
    return tool.run(shop.context(None), arguments)  # anyone may ask: no account is read


def _view(shop: Shop, **arguments: object) -> PriceHistoryView:
    view = _ask(shop, **arguments)
    assert isinstance(view, PriceHistoryView), view
    return view


def test_the_lowest_price_of_the_year_is_said_to_be_so(shop: Shop) -> None:
    _history(shop, "p_mug", (400, 15.0), (200, 14.0), (60, 13.0), (5, 12.0))
    view = _view(shop, product_id="p_mug")
    assert view.price_now == 12.0 and view.verdict == "lowest_year"
    figures = {w.days: (w.low, w.high, w.median, w.covered_days) for w in view.windows}
    assert figures[30] == (12.0, 13.0, 13.0, 30)
    assert figures[90] == (12.0, 14.0, 13.0, 90)
    assert figures[365] == (12.0, 15.0, 14.0, 365)
    assert [point.price for point in view.points] == [15.0, 14.0, 13.0, 12.0]  # led by the price a year ago


def test_a_price_above_the_usual_one_is_not_called_a_low(shop: Shop) -> None:
    _history(shop, "p_mug", (300, 9.0), (100, 10.0), (20, 8.0), (3, 12.0))
    view = _view(shop, product_id="p_mug")
    assert view.verdict == "high_90"
    _history(shop, "p_mug", (2, 11.0), (1, 12.0))
    assert _view(shop, product_id="p_mug").verdict == "high_90"


def test_a_product_without_history_says_so(shop: Shop) -> None:
    view = _view(shop, product_id="p_shirt")
    assert view.verdict == "no_history" and view.windows == [] and view.points == []


def test_a_product_is_found_by_the_words_of_its_name(shop: Shop) -> None:
    assert _view(shop, words="t-shirt").product_id == "p_shirt"
    missing = _ask(shop, words="kayak paddle")
    assert isinstance(missing, ToolError) and missing.code == "unknown_product"


@pytest.mark.parametrize("arguments", [{}, {"product_id": "p_nope"}, {"words": "   "}])
def test_a_bad_request_is_a_typed_error(shop: Shop, arguments: dict[str, object]) -> None:
    assert isinstance(_ask(shop, **arguments), ToolError)
