"""Alerts in chat: the router proposes an alert on the product the shopper points at, lists and cancels theirs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.prompts import PROMPTS_DIR
from agent.render_watches import notification_text, watch_lines
from agent.state import ShownItem
from agent.templates import load_templates
from commerce.notifications import Notification
from tests.agent.test_router import SHOWN, plan
from tools.watches import WatchList, WatchView

TEMPLATES = load_templates(PROMPTS_DIR)


@pytest.mark.parametrize(("text", "product", "kind", "below"), [
    ("tell me when the first one drops under $40", "1000000001", "below", (40.0, "USD")),
    ("let me know when the second one is back in stock", "1000000002", "back_in_stock", None),
    ("notify me about any price drop on the third one", "1000000003", "any_drop", None),
    ("alert me if Ridge GTX goes under 100", "1000000002", "below", (100.0, None)),
    ("keep an eye on the price of the first one", "1000000001", "any_drop", None),
    ("第一个降到200元以下通知我", "1000000001", "below", (200.0, "CNY")),
    ("第二个到货了告诉我", "1000000002", "back_in_stock", None),
    ("第三个降价提醒我", "1000000003", "any_drop", None),
    ("第一个 back in stock 通知我", "1000000001", "back_in_stock", None),
])
def test_an_alert_on_the_product_pointed_at_is_proposed(text: str, product: str, kind: str,
                                                        below: tuple[float, str | None] | None) -> None:
    limit = {"price_below": below[0]} | ({"currency": below[1]} if below[1] else {}) if below else {}
    arguments = {"product_id": product, "kind": kind} | limit
    assert plan(text, shown=SHOWN) == ("watch", [("watch_product", arguments)], "")


def test_it_after_one_product_is_that_product_and_otherwise_the_shopper_is_asked() -> None:
    assert plan("back in stock 通知我", shown=SHOWN[:1]) == (
        "watch", [("watch_product", {"product_id": "1000000001", "kind": "back_in_stock"})], "")
    assert plan("降价提醒我", shown=SHOWN) == ("watch", [], "which_product")
    assert plan("tell me when it drops under $40") == ("watch", [], "which_product")


def test_anonymous_shoppers_are_asked_to_sign_in() -> None:
    assert plan("tell me when the first one drops under $40", signed_in=False, shown=SHOWN) == (
        "watch", [], "watch_sign_in")


@pytest.mark.parametrize("text", ["my alerts", "show my price alerts", "what am I watching?", "我的提醒",
                                  "我设了哪些提醒"])
def test_listing(text: str) -> None:
    assert plan(text, shown=SHOWN) == ("watch", [("list_watches", {})], "")


@pytest.mark.parametrize(("text", "arguments"), [
    ("cancel my alert on the trail runner", {"words": "trail runner"}),
    ("stop watching the second one", {"product_id": "1000000002"}),
    ("delete all my alerts", {"everything": True}),
    ("取消登山鞋的提醒", {"words": "登山鞋"}),
    ("删除所有提醒", {"everything": True}),
    ("cancel my price alert", {}),
])
def test_cancelling(text: str, arguments: dict[str, object]) -> None:
    assert plan(text, shown=SHOWN) == ("watch", [("cancel_watches", arguments)], "")


def test_other_requests_are_not_alerts() -> None:
    assert plan("cancel my order #W2222222")[1][0][0] == "cancel_pending_order"  # type: ignore[index]
    assert plan("tell me about the first one", shown=SHOWN)[1][0][0] == "get_product_details"  # type: ignore[index]


def test_alerts_and_notifications_in_both_languages() -> None:
    until = datetime(2027, 3, 6, tzinfo=UTC)
    listed = WatchList(watches=[
        WatchView(title="Trail Runner X", kind="below", price_below=40.0, price_now=52.5, in_stock=True,
                  expires_at=until),
        WatchView(title="Ridge GTX", kind="back_in_stock", price_now=119.0, in_stock=False, expires_at=until)])
    assert watch_lines(listed, TEMPLATES["en"]) == [
        "Your alerts (2):", "1. Trail Runner X — under $40.00 (now $52.50), until 2027-03-06",
        "2. Ridge GTX — back in stock (sold out now), until 2027-03-06"]
    assert watch_lines(listed, TEMPLATES["zh"])[1] == (
        "1. Trail Runner X — 低于 $40.00（现价 $52.50），有效期至 2027-03-06")
    assert watch_lines(WatchList(), TEMPLATES["en"])[0].startswith("You have no price or stock alerts")
    note = Notification(id=1, shopper_id="s1", product_id="p1", kind="any_drop", title="Trail Runner X", price=89.0,
                        reference_price=120.0, created_at=until)
    assert notification_text(note, TEMPLATES["en"], away=True) == (
        "While you were away: Trail Runner X dropped from $120.00 to $89.00.")
    assert notification_text(note, TEMPLATES["zh"]) == "Trail Runner X 从 $120.00 降到了 $89.00。"


def test_an_alert_names_one_variant_when_the_message_does_even_a_sold_out_one() -> None:
    shown = [SHOWN[0], ShownItem(id="1000000002", title="Ridge GTX", price=119.0,
                                 variants={"2000000002": {"size": "9", "colour": "blue"}},
                                 sold_out={"2000000003": {"size": "10", "colour": "red"},
                                           "2000000004": {"size": "10", "colour": "blue"}})]
    assert plan("tell me when the second one is back in stock in size 10 in red", shown=shown) == ("watch", [(
        "watch_product", {"product_id": "1000000002", "kind": "back_in_stock", "variant_id": "2000000003"})], "")
    # size 10 comes in two colours: the alert is on the product
    assert plan("tell me when the second one is back in stock in size 10", shown=shown)[1][0][1] == {
        "product_id": "1000000002", "kind": "back_in_stock"}
    assert plan("tell me when the blue one of the second drops under $100", shown=shown)[1][0][1] == {
        "product_id": "1000000002", "kind": "below", "price_below": 100.0, "currency": "USD"}
