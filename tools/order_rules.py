"""The retail order policy as pure functions: each takes domain models and returns changed copies or refuses.

Semantics follow the τ-bench retail policy (statuses, one item-modification per pending order, refunds, gift
card balances, price differences, availability of the replacement item of the same product).
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

from commerce.models import Address, Order, OrderStatus, Payment, Product, Shopper
from tools.access import payment_method
from tools.base import ToolFailure

CancelReason = Literal["no longer needed", "ordered by mistake"]


def cents(amount: float) -> float:
    return round(amount, 2)


def _require_status(order: Order, status: OrderStatus, refusal: str) -> None:
    if order.status != status:
        raise ToolFailure("wrong_status", f"{refusal} (order {order.id} is '{order.status}')", order.status)


def _require_items(order: Order, item_ids: list[str], refusal: str | None = None) -> None:
    wanted, present = Counter(item_ids), Counter(line.item_id for line in order.lines)
    for item_id, count in wanted.items():
        if count > present[item_id]:
            raise ToolFailure("item_not_found", refusal or f"{item_id} not found in order {order.id}")


def _add_to_gift_card(shopper: Shopper, payment_method_id: str, amount: float) -> None:
    method = payment_method(shopper, payment_method_id)
    if method.source == "gift_card":
        method.balance = cents((method.balance or 0.0) + amount)


def _price_difference(
    order: Order, products: dict[str, Product], item_ids: list[str], new_item_ids: list[str]
) -> float:
    if len(item_ids) != len(new_item_ids):
        raise ToolFailure("item_count_mismatch", "the number of items to be exchanged should match")
    difference = 0.0
    for item_id, new_item_id in zip(item_ids, new_item_ids, strict=True):
        line = next(line for line in order.lines if line.item_id == item_id)
        product = products.get(line.product_id)
        variant = next((v for v in product.variants if v.id == new_item_id), None) if product else None
        if variant is None or not variant.available:
            raise ToolFailure(
                "item_unavailable", f"new item {new_item_id} not found or available for product {line.product_id}"
            )
        difference += variant.price - line.price
    return difference


def _check_gift_card_covers(shopper: Shopper, payment_method_id: str, amount: float, what: str) -> None:
    method = payment_method(shopper, payment_method_id)
    if method.source == "gift_card" and (method.balance or 0.0) < amount:
        raise ToolFailure("insufficient_balance", f"insufficient gift card balance to pay for {what}")


def cancel(order: Order, shopper: Shopper, reason: CancelReason) -> tuple[Order, Shopper]:
    _require_status(order, OrderStatus.PENDING, "non-pending order cannot be cancelled")
    order, shopper = order.model_copy(deep=True), shopper.model_copy(deep=True)
    # Refund what each method paid net of earlier refunds, in the order the methods were first used.
    net: dict[str, float] = {}
    for payment in order.payments:
        sign = 1 if payment.transaction_type == "payment" else -1
        net[payment.payment_method_id] = net.get(payment.payment_method_id, 0.0) + sign * payment.amount
    for method_id, amount in net.items():
        if cents(amount) > 0:
            order.payments.append(Payment(transaction_type="refund", amount=cents(amount), payment_method_id=method_id))
            _add_to_gift_card(shopper, method_id, amount)
    order.status, order.cancel_reason = OrderStatus.CANCELLED.value, reason
    return order, shopper


def modify_address(order: Order, address: Address) -> Order:
    _require_status(order, OrderStatus.PENDING, "non-pending order cannot be modified")
    return order.model_copy(update={"address": address}, deep=True)


def modify_payment(order: Order, shopper: Shopper, payment_method_id: str) -> tuple[Order, Shopper]:
    _require_status(order, OrderStatus.PENDING, "non-pending order cannot be modified")
    payment_method(shopper, payment_method_id)
    if len(order.payments) != 1 or order.payments[0].transaction_type != "payment":
        raise ToolFailure("payment_history", "there should be exactly one payment for a pending order")
    original = order.payments[0]
    if original.payment_method_id == payment_method_id:
        raise ToolFailure("same_payment_method", "the new payment method should be different from the current one")
    _check_gift_card_covers(shopper, payment_method_id, original.amount, "the order")
    order, shopper = order.model_copy(deep=True), shopper.model_copy(deep=True)
    order.payments += [
        Payment(transaction_type="payment", amount=original.amount, payment_method_id=payment_method_id),
        Payment(transaction_type="refund", amount=original.amount, payment_method_id=original.payment_method_id),
    ]
    _add_to_gift_card(shopper, payment_method_id, -original.amount)
    _add_to_gift_card(shopper, original.payment_method_id, original.amount)
    return order, shopper


def modify_items(
    order: Order, shopper: Shopper, products: dict[str, Product], item_ids: list[str], new_item_ids: list[str],
    payment_method_id: str,
) -> tuple[Order, Shopper]:
    _require_status(order, OrderStatus.PENDING, "non-pending order cannot be modified")
    _require_items(order, item_ids)
    difference = _price_difference(order, products, item_ids, new_item_ids)
    payment_method(shopper, payment_method_id)
    _check_gift_card_covers(shopper, payment_method_id, difference, "the new item")
    order, shopper = order.model_copy(deep=True), shopper.model_copy(deep=True)
    kind: Literal["payment", "refund"] = "payment" if difference > 0 else "refund"
    order.payments.append(
        Payment(transaction_type=kind, amount=cents(abs(difference)), payment_method_id=payment_method_id)
    )
    _add_to_gift_card(shopper, payment_method_id, -difference)
    for item_id, new_item_id in zip(item_ids, new_item_ids, strict=True):
        line = next(line for line in order.lines if line.item_id == item_id)
        variant = next(v for v in products[line.product_id].variants if v.id == new_item_id)
        line.item_id, line.price, line.options = variant.id, variant.price, dict(variant.options)
    order.status = OrderStatus.PENDING_ITEM_MODIFIED.value
    return order, shopper


def return_items(order: Order, shopper: Shopper, item_ids: list[str], payment_method_id: str) -> Order:
    _require_status(order, OrderStatus.DELIVERED, "non-delivered order cannot be returned")
    method = payment_method(shopper, payment_method_id)
    original = order.payments[0].payment_method_id if order.payments else None
    if method.source != "gift_card" and payment_method_id != original:
        raise ToolFailure(
            "refund_method", "payment method should be either the original payment method or a gift card"
        )
    _require_items(order, item_ids, "some item not found")
    return order.model_copy(
        update={
            "status": OrderStatus.RETURN_REQUESTED.value, "return_items": sorted(item_ids),
            "return_payment_method_id": payment_method_id,
        },
        deep=True,
    )


def exchange_items(
    order: Order, shopper: Shopper, products: dict[str, Product], item_ids: list[str], new_item_ids: list[str],
    payment_method_id: str,
) -> Order:
    _require_status(order, OrderStatus.DELIVERED, "non-delivered order cannot be exchanged")
    _require_items(order, item_ids)
    difference = cents(_price_difference(order, products, item_ids, new_item_ids))
    payment_method(shopper, payment_method_id)
    _check_gift_card_covers(shopper, payment_method_id, difference, "the price difference")
    return order.model_copy(
        update={
            "status": OrderStatus.EXCHANGE_REQUESTED.value, "exchange_items": sorted(item_ids),
            "exchange_new_items": sorted(new_item_ids), "exchange_payment_method_id": payment_method_id,
            "exchange_price_difference": difference,
        },
        deep=True,
    )
