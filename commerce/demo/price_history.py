"""The demo shop's past year of prices: slow drifts towards today's price, a few sales, sell-outs and restocks.

Each product's history ends at its price and stock today, so the step function the points describe meets the
catalog at END; prices end in .99 as the catalog's do.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from commerce.demo.events import END
from commerce.models import Product

DAYS = 365


def _shelf(price: float) -> float:
    return max(0.99, round(price) - 0.01)


def _day_prices(rng: random.Random, today: float) -> list[float]:
    """One regular price a day, drifting in a few steps to today's, with sales of 10–35 % off cut into it."""
    regular = [today] * DAYS
    level = rng.uniform(0.9, 1.15)
    changes = sorted(rng.sample(range(30, DAYS - 20), rng.randint(1, 4)))
    day = 0
    for change in changes:
        step = _shelf(today * level)
        for moment in range(day, change):
            regular[moment] = step
        day = change
        level = 1 + (level - 1) * rng.uniform(0.2, 0.6)
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
        start, length = rng.randrange(0, DAYS - 10), rng.randint(3, 14)
        off = rng.choice((0.1, 0.15, 0.2, 0.25, 0.3, 0.35))
        for moment in range(start, min(start + length, DAYS - 1)):
            regular[moment] = _shelf(regular[moment] * (1 - off))
    regular[-1] = today
    return regular


def _day_stock(rng: random.Random, in_stock_today: bool) -> list[bool]:
    stock = [True] * DAYS
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        start, length = rng.randrange(0, DAYS - 30), rng.randint(4, 21)
        for moment in range(start, start + length):
            stock[moment] = False
    if not in_stock_today:
        for moment in range(DAYS - rng.randint(3, 25), DAYS):
            stock[moment] = False
    stock[-1] = in_stock_today
    return stock


def product_history(seed: int, product: Product, end: datetime = END) -> list[dict[str, Any]]:
    """The points of one product's year (a point on each day its price or stock state changed)."""
    rng = random.Random(f"{seed}:prices:{product.id}")
    prices = _day_prices(rng, product.price)
    stock = _day_stock(rng, any(variant.stock > 0 for variant in product.variants))
    start = end - timedelta(days=DAYS - 1)
    points: list[dict[str, Any]] = []
    for day, (price, in_stock) in enumerate(zip(prices, stock, strict=True)):
        if points and points[-1]["price"] == price and points[-1]["in_stock"] == in_stock:
            continue
        at = start + timedelta(days=day, hours=rng.randint(6, 20))
        points.append({"product_id": product.id, "at": min(at, end), "price": price, "low": price, "high": price,
                       "in_stock": in_stock, "span_days": 0})
    return points


def generate_price_history(seed: int, products: list[Product], end: datetime = END) -> list[dict[str, Any]]:
    return [point for product in products for point in product_history(seed, product, end)]
