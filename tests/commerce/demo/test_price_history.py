"""The demo shop's past year of prices: it ends at each product's price and stock today, moves the way shop prices
do (drifts, sales, sell-outs) and is the same for the same seed."""

from __future__ import annotations

from datetime import timedelta

from commerce.demo.events import END
from commerce.demo.price_history import generate_price_history, product_history
from commerce.demo.products import generate_products

PRODUCTS = [item.product for item in generate_products(7, count=300)]


def test_each_history_ends_at_the_product_as_it_is_today() -> None:
    for product in PRODUCTS:
        points = product_history(7, product)
        assert points[-1]["price"] == product.price
        assert points[-1]["in_stock"] == any(variant.stock > 0 for variant in product.variants)
        assert END - timedelta(days=365) <= points[0]["at"] <= END
        assert [point["at"] for point in points] == sorted(point["at"] for point in points)


def test_the_year_has_sales_drifts_and_sell_outs() -> None:
    histories = [product_history(7, product) for product in PRODUCTS]
    on_sale = sum(any(p["price"] <= product.price * 0.9 for p in points)
                  for product, points in zip(PRODUCTS, histories, strict=True))
    dearer_before = sum(any(p["price"] > product.price for p in points)
                        for product, points in zip(PRODUCTS, histories, strict=True))
    sold_out = sum(any(not p["in_stock"] for p in points) for points in histories)
    assert 0.4 * len(PRODUCTS) < on_sale < 0.95 * len(PRODUCTS)
    assert dearer_before > 0.3 * len(PRODUCTS)
    assert 0.2 * len(PRODUCTS) < sold_out < 0.9 * len(PRODUCTS)
    changes = sum(len(points) for points in histories) / len(PRODUCTS)
    assert 3 < changes < 40  # a handful of changes a product-year, not one a day


def test_the_same_seed_gives_the_same_history() -> None:
    assert generate_price_history(7, PRODUCTS[:20]) == generate_price_history(7, PRODUCTS[:20])
    assert generate_price_history(8, PRODUCTS[:20]) != generate_price_history(7, PRODUCTS[:20])
