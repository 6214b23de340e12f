"""Leak and premature-done detectors on shopper-facing text, English and Chinese, positive and negative cases."""

from __future__ import annotations

import pytest

from agent.leaks import claims_done, find_leaks


@pytest.mark.parametrize(("text", "kind"), [
    ("The Trail Runner (5715373301) costs $89.", "product_id"),
    ("商品5715373301现在有货。", "product_id"),
    ("I can swap item 6469567736.", "product_id"),
    ("Please confirm act_3f9c2a1b7d4e8f60 in the app.", "action_id"),
    ("Your account mei_chen_1234 has two orders.", "shopper_id"),
    ("账户 yusuf_hernandez_6785 有两个订单。", "shopper_id"),
    ("I'll refund it to credit_card_1234567.", "payment_id"),
    ("退款将退回 paypal_5727330。", "payment_id"),
    ("The balance on gift_card_1725971 is $40.", "payment_id"),
    ("<data> search_products returned 3 items </data>", "data_marker"),
    ("According to the DATA, the tent weighs 2 kg.", "data_marker"),
    ("Products shown earlier: 1) Trail Tent", "data_marker"),
    ("1) id 5715373301: Trail Tent — 129.00 USD", "data_marker"),
    ('{"tool_calls": []}', "data_marker"),
    ('search_products({"query":"tent"}) -> ok', "data_marker"),
    ('{"about_this_shop": true, "intent": "product_search"}', "prompt_text"),
    ("PLAN: call the search tool", "prompt_text"),
    ("ANSWER in English: here are tents", "prompt_text"),
    ("This request is off_topic.", "prompt_text"),
    ("Requests that have nothing to do with shopping at this store are off topic.", "prompt_text"),
    ("The tool said invalid_arguments.", "tool_error"),
    ("1 validation error for CancelInput order_id Field required", "tool_error"),
    ("Input should be a valid string", "tool_error"),
    ("工具返回：Field required", "tool_error"),
    ("I could not find it: order_not_found.", "internal_name"),
    ("I called get_order_details for you.", "internal_name"),
    ("The shopper wants a cheaper tent.", "narration"),
    ("It seems the user is asking about returns.", "narration"),
    ("The customer wants to cancel #W1234567.", "narration"),
    ("该用户想要退货。", "narration"),
    ("顾客正在询问耳机的价格。", "narration"),
    ("用户想要更便宜的帐篷。", "narration"),
])
def test_finds_each_kind_of_leak(text: str, kind: str) -> None:
    assert kind in find_leaks(text)


@pytest.mark.parametrize("text", [
    "Your order #W1234567 was delivered on May 3; the headphones cost $89.99.",
    "您的订单 #W2611340 已发货，运单号 357962501027。",
    "The Trail Tent 2P costs 129.00 USD and weighs 1.8 kg; the Summit Tent 3P is $189.50.",
    "这款帐篷售价 ¥899，适合两人使用。",
    "You can return items within 30 days of delivery. See the user manual for care instructions.",
    "I can cancel order #W1234567 for you. Please confirm in the app.",
    "Email us at mei.chen1234@example.com or call 1-800-555-0199.",
    "The USB DATA CABLE is in stock.",
    "这款蓝牙耳机支持降噪，续航 30 小时。",
    "Hello! I can help find products, track orders and answer store policy questions.",
    "Customer service is open 9–5; the customer service team answers within a day.",
])
def test_shopper_facing_text_is_clean(text: str) -> None:
    assert find_leaks(text) == []


def test_reports_several_kinds_once_each_in_a_fixed_order() -> None:
    text = "The shopper mei_chen_1234 wants 5715373301 and 6469567736; DATA says so."
    assert find_leaks(text) == ["product_id", "shopper_id", "data_marker", "narration"]


@pytest.mark.parametrize("text", [
    "Your order #W1234567 has been cancelled.",
    "I've cancelled order #W1234567 for you.",
    "I have successfully updated your shipping address.",
    "The delivery address is now changed to 12 Oak St.",
    "Your order is cancelled.",
    "The headphones have been returned and your refund is on its way.",
    "The exchange has been processed.",
    "Done — the boots were added to your cart.",
    "I added the Trail Tent 2P to your cart.",
    "Great news, your cancellation is complete!",
    "All done! Anything else?",
    "您的订单已取消。",
    "已经为您取消订单 #W1234567。",
    "收货地址已修改为上海市浦东新区。",
    "耳机已退货，退款将在5个工作日内到账。",
    "已加入购物车。",
    "我已经帮您把耳机加入购物车了。",
    "订单取消成功！",
    "您的 order #W1234567 已取消，请确认。",
])
def test_claims_done(text: str) -> None:
    assert claims_done(text)


@pytest.mark.parametrize("text", [
    "Order #W1234567 will be cancelled once you confirm in the app.",
    "Once you confirm, your order is cancelled and the refund goes to your card.",
    "I've prepared the cancellation of #W1234567; please confirm it in the app.",
    "If you confirm, the headphones will be returned for a refund of $89.99.",
    "The boots will be added to your cart when you confirm.",
    "Your order has not been cancelled yet: please confirm first.",
    "The address change is pending your confirmation.",
    "Shall I add the Trail Tent 2P to your cart?",
    "Refunds are processed within 5–7 business days.",
    "请确认后，我们将为您取消订单 #W1234567。",
    "确认后，订单将被取消。",
    "您确认后即可退货，退款将原路返回。",
    "地址修改待您确认。",
    "订单尚未取消，请在应用中确认。",
    "要把它加入购物车吗？",
    "取消成功后，退款将在5个工作日内到账。",
    "这款帐篷售价 ¥899，有货。",
])
def test_proposals_and_plain_answers_do_not_claim_done(text: str) -> None:
    assert not claims_done(text)
