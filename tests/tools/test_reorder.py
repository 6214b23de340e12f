"""Reorder through the tools: the items of the shopper's own latest order (or the one with the item named), same
variants, proposed for the cart at today's prices and added only once the shopper confirms."""

from __future__ import annotations

from commerce.offers import OfferUpdate, update_offers
from tests.tools.conftest import ALICE, BOB, Shop
from tools.actions import ProposedAction
from tools.base import ToolError
from tools.cart import CartView
from tools.confirm import confirm_action
from tools.registry import tool_by_name


def _reorder(shop: Shop, shopper_id: str | None = ALICE.id, **arguments: object) -> ProposedAction | ToolError:
    tool = tool_by_name("reorder")
    assert tool is not None
    return tool.run(shop.context(shopper_id), arguments)


def _cart(shop: Shop, shopper_id: str = ALICE.id) -> list[tuple[str, int, float]]:
    tool = tool_by_name("view_cart")
    assert tool is not None
    view = tool.run(shop.context(shopper_id), {})
    assert isinstance(view, CartView)
    return [(line.item_id, line.quantity, line.price) for line in view.lines]


def test_the_latest_order_goes_back_in_the_cart_once_confirmed(shop: Shop) -> None:
    proposed = _reorder(shop)
    assert isinstance(proposed, ProposedAction), proposed
    assert proposed.summary == "Add to your cart from order #W4, at today's prices: 1 × Mug (12.00 in all)."
    assert proposed.facts is not None and proposed.facts.operation == "reorder"
    assert _cart(shop) == []  # nothing until the shopper confirms
    confirm_action(shop.context(), proposed.action_id)
    assert _cart(shop) == [("mug_white", 1, 12.0)]


def test_an_item_named_is_found_in_the_latest_order_that_has_it_and_repriced_today(shop: Shop) -> None:
    with shop.db.session() as session:
        update_offers(session, [OfferUpdate(variant_id="shirt_blue_m", price=47.5)])
    proposed = _reorder(shop, words="t-shirt")
    assert isinstance(proposed, ProposedAction), proposed
    assert proposed.summary == ("Add to your cart from order #W2, at today's prices: 2 × T-Shirt (blue, M) "
                                "(95.00 in all).")
    confirm_action(shop.context(), proposed.action_id)
    assert _cart(shop) == [("shirt_blue_m", 2, 47.5)]


def test_what_is_short_today_is_refused_and_what_was_never_ordered_is_not_found(shop: Shop) -> None:
    with shop.db.session() as session:
        update_offers(session, [OfferUpdate(variant_id="shirt_blue_m", stock=1)])
    short = _reorder(shop, order_id="#W2")
    assert isinstance(short, ToolError) and short.code == "reorder_unavailable"
    missing = _reorder(shop, words="kayak")
    assert isinstance(missing, ToolError) and missing.code == "reorder_not_found"


def test_only_the_session_shoppers_orders_are_read(shop: Shop) -> None:
    other = _reorder(shop, BOB.id, order_id="#W1")
    assert isinstance(other, ToolError) and other.code == "reorder_not_found"
    anonymous = _reorder(shop, None)
    assert isinstance(anonymous, ToolError) and anonymous.code == "not_verified"
