"""The checkout page's words in English and Chinese, and how the page picks one."""

from __future__ import annotations

from typing import Literal

Language = Literal["en", "zh"]

TEXT: dict[Language, dict[str, str]] = {
    "en": {
        "lang": "en", "other_lang": "zh", "other_lang_name": "中文",
        "checkout": "Checkout", "your_cart": "Your cart", "item": "Item", "qty": "Qty", "price": "Price",
        "subtotal": "Subtotal", "discount": "Discount", "shipping": "Shipping", "total": "Total",
        "out_of_stock": "out of stock", "not_sold": "An item in your cart is no longer sold.",
        "ship_to": "Shipping address", "first_name": "First name", "last_name": "Last name",
        "street": "Street address", "city": "City", "region": "State / region", "postal_code": "Postal code",
        "country": "Country code", "country_hint": "two letters, e.g. US", "shipping_method": "Delivery",
        "no_options": "Enter your country and press “Update address and delivery” to see the delivery options.",
        "save": "Update address and delivery", "discount_code": "Discount code", "apply": "Apply",
        "bad_code": "The discount code {code} is not valid.", "code_applied": "Discount applied.",
        "review": "Your changes are saved; check the total, then pay.",
        "agent_review": "An assistant prepared this order for you. The shop asks you to check it and pay it here.",
        "pay": "Pay {total}", "pay_note": "Test payment: no card is charged.",
        "not_ready": "Add a shipping address and a delivery option to pay.",
        "unavailable_note": "Some items cannot be bought now.", "drop_unavailable": "Buy the rest without them",
        "done": "Thank you, your order is placed", "order_number": "Order number", "status": "Status",
        "paid": "Paid", "ask_chat": "Ask the assistant “where's my order?” any time to see how it is going.",
        "bad_link": "This checkout link is not valid; open the cart again in the chat.",
        "not_found": "This checkout was not found; open the cart again in the chat.",
        "closed": "This checkout was replaced by a newer one; open the cart again in the chat.",
        "nothing_available": "None of the items in this cart is in stock any more.",
        "out_of_stock_now": "An item is out of stock now; nothing was charged.",
        "payment_failed": "The payment was declined; nothing was charged.",
        "bad_form": "Please check the address: a field is too long.",
        "continue": "Continue to payment", "not_set_up": "This shop has not set up online checkout yet.",
    },
    "zh": {
        "lang": "zh", "other_lang": "en", "other_lang_name": "English",
        "checkout": "结算", "your_cart": "购物车", "item": "商品", "qty": "数量", "price": "价格",
        "subtotal": "小计", "discount": "优惠", "shipping": "运费", "total": "合计",
        "out_of_stock": "缺货", "not_sold": "购物车中有商品已下架。",
        "ship_to": "收货地址", "first_name": "名", "last_name": "姓",
        "street": "街道地址", "city": "城市", "region": "省 / 州", "postal_code": "邮编",
        "country": "国家代码", "country_hint": "两个字母，例如 CN", "shipping_method": "配送方式",
        "no_options": "填写国家后点击“更新地址和配送”，即可看到配送方式。",
        "save": "更新地址和配送", "discount_code": "优惠码", "apply": "使用",
        "bad_code": "优惠码 {code} 无效。", "code_applied": "优惠已生效。",
        "review": "修改已保存，请确认合计后再支付。",
        "agent_review": "这是购物助手为你准备的订单。本店请你核对后在这里支付。",
        "pay": "支付 {total}", "pay_note": "测试支付：不会扣款。",
        "not_ready": "请填写收货地址并选择配送方式后再支付。",
        "unavailable_note": "部分商品现在无法购买。", "drop_unavailable": "不买这些，结算其余商品",
        "done": "谢谢，订单已提交", "order_number": "订单号", "status": "状态",
        "paid": "已支付", "ask_chat": "随时可以问助手“我的订单到哪了？”查看进度。",
        "bad_link": "结算链接无效，请在聊天中重新打开购物车。",
        "not_found": "找不到这个结算，请在聊天中重新打开购物车。",
        "closed": "这个结算已被新的结算取代，请在聊天中重新打开购物车。",
        "nothing_available": "购物车中的商品都已缺货。",
        "out_of_stock_now": "有商品已缺货，未扣款。",
        "payment_failed": "支付被拒绝，未扣款。",
        "bad_form": "请检查地址：有一项太长了。",
        "continue": "去支付", "not_set_up": "本店尚未开通在线结算。",
    },
}

ORDER_STATUS: dict[Language, dict[str, str]] = {
    "en": {"pending": "pending", "pending (item modified)": "pending (items changed)", "processed": "processed",
           "delivered": "delivered", "cancelled": "cancelled", "return requested": "return requested",
           "exchange requested": "exchange requested"},
    "zh": {"pending": "待发货", "pending (item modified)": "待发货（商品已修改）", "processed": "已发货",
           "delivered": "已送达", "cancelled": "已取消", "return requested": "已申请退货",
           "exchange requested": "已申请换货"},
}


def language_of(asked: str | None, accept_language: str) -> Language:
    """The widget's choice when the link carries it (?lang=zh), else the browser's first language."""
    if asked in ("en", "zh"):
        return asked  # type: ignore[return-value]
    first = accept_language.split(",")[0].strip().lower()
    return "zh" if first.startswith("zh") else "en"
