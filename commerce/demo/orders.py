"""Demo orders in every status, built from the baskets of purchase sessions, in τ-bench's order shape."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from commerce.demo.events import END, Basket
from commerce.demo.products import DemoProduct
from commerce.models import Fulfilment, Order, OrderLine, OrderStatus, Payment, Variant

S = OrderStatus
# (maximum age in days, status weights) — recent orders are pending, old ones delivered or returned
STATUS_BY_AGE: tuple[tuple[float, dict[OrderStatus, float]], ...] = (
    (5, {S.PENDING: 0.6, S.PENDING_ITEM_MODIFIED: 0.15, S.PROCESSED: 0.15, S.CANCELLED: 0.1}),
    (10, {S.PROCESSED: 0.55, S.DELIVERED: 0.3, S.CANCELLED: 0.1, S.PENDING: 0.05}),
    (float("inf"), {S.DELIVERED: 0.78, S.CANCELLED: 0.08, S.RETURN_REQUESTED: 0.08, S.EXCHANGE_REQUESTED: 0.06}),
)
SHIPPED = {S.PROCESSED, S.DELIVERED, S.RETURN_REQUESTED, S.EXCHANGE_REQUESTED}
CANCEL_REASONS = ("no longer needed", "ordered by mistake")


def generate_orders(seed: int, baskets: list[Basket]) -> list[Order]:
    rng = random.Random(f"{seed}:orders")
    taken: set[str] = set()
    orders = []
    for basket in baskets:
        order_id = f"#W{rng.randrange(1_000_000, 10_000_000)}"
        while order_id in taken:
            order_id = f"#W{rng.randrange(1_000_000, 10_000_000)}"
        taken.add(order_id)
        orders.append(_order(rng, order_id, basket))
    return orders


def _status(rng: random.Random, at: datetime) -> OrderStatus:
    age = (END - at) / timedelta(days=1)
    weights = next(weights for limit, weights in STATUS_BY_AGE if age < limit)
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _line(item: DemoProduct, variant: Variant) -> OrderLine:
    return OrderLine(product_id=item.product.id, item_id=variant.id, name=item.product.title, price=variant.price,
                     options=dict(variant.options))


def _other_variant(rng: random.Random, item: DemoProduct, variant: Variant) -> Variant | None:
    others = [other for other in item.product.variants if other.id != variant.id and other.stock > 0]
    return rng.choice(others) if others else None


def _order(rng: random.Random, order_id: str, basket: Basket) -> Order:
    shopper = basket.shopper.shopper
    assert shopper.address is not None
    method = rng.choice(shopper.payment_methods).id
    status = _status(rng, basket.at)
    items = list(basket.items)
    details: dict[str, object] = {}
    swaps = [(i, other) for i, (item, variant) in enumerate(items) if (other := _other_variant(rng, item, variant))]
    if status in (S.PENDING_ITEM_MODIFIED, S.EXCHANGE_REQUESTED) and not swaps:
        status = S.PENDING if status == S.PENDING_ITEM_MODIFIED else S.DELIVERED
    lines = [_line(item, variant) for item, variant in items]
    total = round(sum(line.price for line in lines), 2)
    payments = [Payment(transaction_type="payment", amount=total, payment_method_id=method)]
    if status == S.CANCELLED:
        payments.append(Payment(transaction_type="refund", amount=total, payment_method_id=method))
        details["cancel_reason"] = rng.choice(CANCEL_REASONS)
    elif status == S.PENDING_ITEM_MODIFIED:
        index, new_variant = swaps[0]
        difference = round(new_variant.price - lines[index].price, 2)
        lines[index] = _line(items[index][0], new_variant)
        payments.append(Payment(transaction_type="payment" if difference > 0 else "refund", amount=abs(difference),
                                payment_method_id=method))
    elif status == S.RETURN_REQUESTED:
        details["return_items"] = sorted(line.item_id for line in rng.sample(lines, rng.randint(1, len(lines))))
        details["return_payment_method_id"] = method
    elif status == S.EXCHANGE_REQUESTED:
        index, new_variant = swaps[0]
        details["exchange_items"] = [lines[index].item_id]
        details["exchange_new_items"] = [new_variant.id]
        details["exchange_payment_method_id"] = method
        details["exchange_price_difference"] = round(new_variant.price - lines[index].price, 2)
    fulfilments = _fulfilments(rng, lines) if status in SHIPPED else []
    return Order(id=order_id, shopper_id=shopper.id, address=shopper.address, lines=lines, status=status.value,
                 payments=payments, fulfilments=fulfilments, created_at=basket.at, **details)  # type: ignore[arg-type]


def _fulfilments(rng: random.Random, lines: list[OrderLine]) -> list[Fulfilment]:
    item_ids = [line.item_id for line in lines]
    split = rng.randint(1, len(item_ids) - 1) if len(item_ids) > 1 and rng.random() < 0.3 else len(item_ids)
    groups = [item_ids[:split], item_ids[split:]]
    return [Fulfilment(tracking_id=[str(rng.randrange(10**11, 10**12))], item_ids=group) for group in groups if group]
