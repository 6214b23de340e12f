"""Order ids as agents see them: the shop's '#W1234567' without its '#', which in a URL path starts a fragment."""

from __future__ import annotations


def public_order_id(order_id: str) -> str:
    return order_id.removeprefix("#")


def shop_order_id(public_id: str) -> str:
    return f"#{public_id}"
