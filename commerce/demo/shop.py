"""The whole demo shop from one seed, and writing it to the database in one transaction."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from commerce.demo.events import generate_events
from commerce.demo.orders import generate_orders
from commerce.demo.passages import load_passages
from commerce.demo.price_history import generate_price_history
from commerce.demo.products import DemoProduct, generate_products
from commerce.demo.reviews import generate_reviews
from commerce.demo.shoppers import DemoShopper, generate_shoppers
from commerce.demo.terms import checkout_terms
from commerce.models import BehaviourEvent, Order, Passage, Product, Review, Shopper
from commerce.store import order_row, passage_row, shopper_row
from commerce.tables import (
    Base,
    CartRow,
    DiscountCodeRow,
    EventRow,
    OrderRow,
    PassageRow,
    PricePointRow,
    ProductRow,
    ProfileRow,
    PromotionRow,
    ReviewRow,
    ShippingRateRow,
    ShopperRow,
    VariantRow,
)

# children first, so deleting never trips a foreign key
SHOP_TABLES = (EventRow, ReviewRow, ProfileRow, CartRow, OrderRow, ShopperRow, VariantRow, ProductRow, PassageRow,
               PricePointRow, ShippingRateRow, DiscountCodeRow, PromotionRow)


@dataclass
class DemoShop:
    products: list[Product]
    passages: list[Passage]
    shoppers: list[Shopper]
    orders: list[Order]
    events: list[BehaviourEvent]
    reviews: list[Review]
    demo_products: list[DemoProduct]
    demo_shoppers: list[DemoShopper]
    price_history: list[dict[str, Any]]  # PricePointRow rows: each product's past year


def generate_shop(seed: int) -> DemoShop:
    demo_products = generate_products(seed)
    demo_shoppers = generate_shoppers(seed)
    events, baskets = generate_events(seed, demo_shoppers, demo_products)
    orders = generate_orders(seed, baskets)
    reviews = generate_reviews(seed, demo_products, baskets)
    return DemoShop(
        products=[item.product for item in demo_products],
        passages=load_passages(),
        shoppers=[item.shopper for item in demo_shoppers],
        orders=orders,
        events=events,
        reviews=reviews,
        demo_products=demo_products,
        demo_shoppers=demo_shoppers,
        price_history=generate_price_history(seed, [item.product for item in demo_products]),
    )


def shop_exists(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(ProductRow)))


def clear_shop(session: Session) -> None:
    for table in SHOP_TABLES:
        session.execute(delete(table))


def write_shop(session: Session, shop: DemoShop) -> None:
    """Insert the shop; the big tables go in as Core executemany batches (ORM objects would cost many seconds)."""
    _bulk(session, ProductRow, [product.model_dump(exclude={"variants"}) for product in shop.products])
    _bulk(session, VariantRow, [
        variant.model_dump() | {"product_id": product.id, "position": position}
        for product in shop.products
        for position, variant in enumerate(product.variants)
    ])
    session.add_all(passage_row(passage) for passage in shop.passages)
    session.add_all(shopper_row(shopper) for shopper in shop.shoppers)
    session.flush()
    positions: dict[str, int] = defaultdict(int)
    for order in sorted(shop.orders, key=lambda order: (order.created_at, order.id)):
        session.add(order_row(order, positions[order.shopper_id]))
        positions[order.shopper_id] += 1
    session.flush()
    _bulk(session, EventRow, [event.model_dump() | {"kind": event.kind.value} for event in shop.events])
    _bulk(session, ReviewRow, [review.model_dump() for review in shop.reviews])
    _bulk(session, PricePointRow, shop.price_history)
    session.add_all(checkout_terms())


def _bulk(session: Session, table: type[Base], rows: list[dict[str, Any]]) -> None:
    session.connection().execute(insert(table.__table__), rows)  # type: ignore[arg-type]
