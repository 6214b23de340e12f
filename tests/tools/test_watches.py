"""Alerts through the tools: proposed, confirmed by the shopper only, listed, cancelled, and erased by forget-me."""

from __future__ import annotations

from sqlalchemy import select

from commerce.offers import OfferUpdate, update_offers
from commerce.tables import AuditRow, WatchNotificationRow, WatchRow
from tests.tools.conftest import ALICE, BOB, Shop
from tools.actions import ProposedAction
from tools.base import ToolError
from tools.confirm import confirm_action, reject_action
from tools.registry import tool_by_name
from tools.watches import WatchList


def _run(shop: Shop, name: str, shopper_id: str | None = ALICE.id, **arguments: object) -> object:
    tool = tool_by_name(name)
    assert tool is not None
    return tool.run(shop.context(shopper_id), arguments)


def _watch(shop: Shop, shopper_id: str = ALICE.id, **arguments: object) -> ProposedAction:
    proposed = _run(shop, "watch_product", shopper_id, **({"product_id": "p_shirt"} | arguments))
    assert isinstance(proposed, ProposedAction), proposed
    confirm_action(shop.context(shopper_id), proposed.action_id)
    return proposed


def _listed(shop: Shop, shopper_id: str = ALICE.id) -> list[tuple[str, str, float | None]]:
    listed = _run(shop, "list_watches", shopper_id)
    assert isinstance(listed, WatchList)
    return [(view.title, view.kind, view.price_below) for view in listed.watches]


def test_a_proposed_watch_is_saved_only_once_the_shopper_confirms(shop: Shop) -> None:
    proposed = _run(shop, "watch_product", product_id="p_shirt", kind="below", price_below=40)
    assert isinstance(proposed, ProposedAction)
    assert proposed.summary == "Tell you when T-Shirt drops under 40.00 USD (for 90 days)."
    assert proposed.facts is not None and proposed.facts.operation == "watch_below" and proposed.facts.amount == 40
    assert _listed(shop) == []
    reject_action(shop.context(), proposed.action_id)
    assert _listed(shop) == []
    _watch(shop, kind="below", price_below=40)
    assert _listed(shop) == [("T-Shirt", "below", 40.0)]


def test_a_watch_whose_condition_already_holds_is_refused(shop: Shop) -> None:
    below = _run(shop, "watch_product", product_id="p_shirt", kind="below", price_below=60)
    in_stock = _run(shop, "watch_product", product_id="p_mug", kind="back_in_stock")
    unknown = _run(shop, "watch_product", product_id="p_nothing", kind="any_drop")
    other_variant = _run(shop, "watch_product", product_id="p_mug", variant_id="shirt_green_s", kind="back_in_stock")
    assert [getattr(out, "code", None) for out in (below, in_stock, unknown, other_variant)] == [
        "watch_already_below", "watch_in_stock", "unknown_product", "unknown_product"]


def test_back_in_stock_on_a_sold_out_variant(shop: Shop) -> None:
    _watch(shop, variant_id="shirt_green_s", kind="back_in_stock")
    assert _listed(shop) == [("T-Shirt", "back_in_stock", None)]


def test_anonymous_shoppers_get_nothing_stored(shop: Shop) -> None:
    refused = _run(shop, "watch_product", None, product_id="p_shirt", kind="any_drop")
    assert isinstance(refused, ToolError) and refused.code == "not_verified"
    assert isinstance(_run(shop, "list_watches", None), ToolError)


def test_cancel_by_words_product_or_everything_and_only_ones_own(shop: Shop) -> None:
    _watch(shop, kind="any_drop")
    _watch(shop, product_id="p_mug", kind="any_drop")
    _watch(shop, BOB.id, kind="any_drop")
    nothing = _run(shop, "cancel_watches", words="kettle")
    assert isinstance(nothing, ToolError) and nothing.code == "watch_not_found"
    several = _run(shop, "cancel_watches")  # no words and two alerts: which one is not guessed
    assert isinstance(several, ToolError)
    proposed = _run(shop, "cancel_watches", words="shirt")
    assert isinstance(proposed, ProposedAction) and proposed.facts and proposed.facts.items == ["T-Shirt"]
    confirm_action(shop.context(), proposed.action_id)
    assert _listed(shop) == [("Mug", "any_drop", None)]
    everything = _run(shop, "cancel_watches", everything=True)
    assert isinstance(everything, ProposedAction)
    confirm_action(shop.context(), everything.action_id)
    assert _listed(shop) == [] and _listed(shop, BOB.id) == [("T-Shirt", "any_drop", None)]


def test_forget_me_erases_watches_notifications_and_their_audit_entries(shop: Shop) -> None:
    _watch(shop, kind="any_drop")
    with shop.db.session() as session:
        update_offers(session, [OfferUpdate(variant_id="shirt_green_s", price=30.0)], now=shop.clock.now)
    forget = _run(shop, "forget_me")
    assert isinstance(forget, ProposedAction)
    assert "1 price or stock alert" in forget.summary and "1 alert notification" in forget.summary
    confirm_action(shop.context(), forget.action_id)
    with shop.db.session() as session:
        assert session.scalars(select(WatchRow)).all() == []
        assert session.scalars(select(WatchNotificationRow)).all() == []
        assert not [row for row in session.scalars(select(AuditRow)) if ALICE.id in row.target]


def test_a_threshold_in_another_currency_is_kept_in_the_shops(shop: Shop) -> None:
    proposed = _run(shop, "watch_product", product_id="p_shirt", kind="below", price_below=200, currency="元")
    assert isinstance(proposed, ProposedAction) and proposed.facts and proposed.facts.amount == 28.0
    confirm_action(shop.context(), proposed.action_id)
    assert _listed(shop) == [("T-Shirt", "below", 28.0)]
    unknown = _run(shop, "watch_product", product_id="p_shirt", kind="below", price_below=20, currency="EUR")
    assert isinstance(unknown, ToolError) and unknown.code == "watch_currency"
