"""The generated demo shop: determinism, size thresholds, statuses, Chinese share, policy passages, taste signal."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest
from sqlalchemy import select

from commerce.db import Database
from commerce.demo import clear_shop, generate_shop, write_shop
from commerce.demo.events import generate_events
from commerce.demo.products import generate_products
from commerce.demo.shoppers import generate_shoppers
from commerce.models import OrderStatus
from commerce.store import counts, get_order, iter_products, list_passages
from commerce.tables import EventRow, OrderRow, ProductRow, ReviewRow, ShopperRow


@pytest.fixture(scope="module")
def shop_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    path: Path = tmp_path_factory.mktemp("demo") / "shop.db"
    database = Database(f"sqlite:///{path}")
    database.migrate()
    with database.session() as session:
        write_shop(session, generate_shop(7))
    return database


def test_same_seed_same_catalog_and_behaviour() -> None:
    first, second = generate_products(7, count=300), generate_products(7, count=300)
    assert [item.product for item in first] == [item.product for item in second]
    assert [item.product for item in generate_products(8, count=300)] != [item.product for item in first]
    shoppers = generate_shoppers(7, count=15)
    assert generate_events(7, shoppers, first)[0] == generate_events(7, generate_shoppers(7, count=15), second)[0]


def test_counts_meet_the_thresholds(shop_db: Database) -> None:
    with shop_db.session() as session:
        table_counts = counts(session)
    assert table_counts["products"] >= 3000
    assert table_counts["passages"] >= 60
    assert table_counts["shoppers"] >= 300
    assert table_counts["events"] >= 30_000
    assert table_counts["reviews"] >= 20_000
    assert table_counts["variants"] > table_counts["products"]


def test_catalog_is_varied_and_consistent(shop_db: Database) -> None:
    with shop_db.session() as session:
        products = list(iter_products(session))
        review_counts = Counter(session.scalars(select(ReviewRow.product_id)))
    assert all(len(p.category_path) == 2 for p in products)
    assert len({p.category_path[0] for p in products}) >= 12
    brands_per_root = defaultdict(set)
    for p in products:
        brands_per_root[p.category_path[0]].add(p.brand)
        assert p.price == min(v.price for v in p.variants) and p.currency == "USD"
        assert p.image_url.startswith("/static/img/") and p.attributes
        assert p.review_count == review_counts[p.id]
    assert min(len(brands) for brands in brands_per_root.values()) >= 3
    assert sum(p.language == "zh" for p in products) / len(products) >= 0.10
    assert any(not p.in_stock for p in products) and any(v.stock == 0 for p in products for v in p.variants)
    assert any(len(p.variants) > 1 and len(p.variants[0].options) == 2 for p in products)


def test_every_order_status_with_tau_shaped_details(shop_db: Database) -> None:
    with shop_db.session() as session:
        statuses = Counter(session.scalars(select(OrderRow.status)))
        cancelled_id = session.scalars(select(OrderRow.id).where(OrderRow.status == "cancelled")).first()
        exchange_id = session.scalars(select(OrderRow.id).where(OrderRow.status == "exchange requested")).first()
        delivered_id = session.scalars(select(OrderRow.id).where(OrderRow.status == "delivered")).first()
        cancelled, exchange, delivered = (get_order(session, i) for i in (cancelled_id, exchange_id, delivered_id))
    assert set(statuses) == {status.value for status in OrderStatus}
    assert cancelled and cancelled.cancel_reason in {"no longer needed", "ordered by mistake"}
    assert [p.transaction_type for p in cancelled.payments] == ["payment", "refund"]
    assert exchange and exchange.exchange_items and exchange.exchange_new_items
    assert delivered and delivered.fulfilments and delivered.id.startswith("#W") and len(delivered.id) == 9


def test_policies_cover_the_sections_and_match_tau_rules(shop_db: Database) -> None:
    with shop_db.session() as session:
        passages = {p.id: p for p in list_passages(session)}
    sections = {p.section for p in passages.values()}
    assert {"shipping", "returns", "warranty", "payment", "sizing", "privacy", "account", "orders"} <= sections
    assert any(p.language == "zh" for p in passages.values())
    assert all(p.source.startswith(f"policies/{p.section}.md#") for p in passages.values())
    assert "delivered" in passages["returns-eligibility"].text
    assert "original payment method of the order or to an existing gift card" in passages["returns-refunds"].text
    assert '"no longer needed" or "ordered by mistake"' in passages["cancellations-reasons"].text
    assert "only once" in passages["modifications-items-once"].text


def test_shoppers_are_pseudonymous_with_masked_payments(shop_db: Database) -> None:
    with shop_db.session() as session:
        rows = session.scalars(select(ShopperRow)).all()
    assert all(row.email.endswith("@example.com") and row.id.count("_") == 2 for row in rows)
    methods = [method for row in rows for method in row.payment_methods]
    assert {method["source"] for method in methods} == {"credit_card", "gift_card", "paypal"}
    assert all(len(m["last_four"]) == 4 for m in methods if m["source"] == "credit_card")


def test_reviews_have_mixed_ratings_and_chinese(shop_db: Database) -> None:
    with shop_db.session() as session:
        ratings = Counter(session.scalars(select(ReviewRow.rating)))
        chinese = session.scalars(select(ReviewRow.text).where(ReviewRow.language == "zh")).first()
    assert set(ratings) == {1, 2, 3, 4, 5} and ratings[1] + ratings[2] > 0.05 * sum(ratings.values())
    assert chinese and any("\u4e00" <= ch <= "\u9fff" for ch in chinese)


def test_earlier_behaviour_predicts_later_purchases_better_than_popularity(shop_db: Database) -> None:
    """From the stored events alone: each shopper's top-3 subcategories so far vs the globally most bought ones."""
    with shop_db.session() as session:
        category = {pid: tuple(path) for pid, path in session.execute(select(ProductRow.id, ProductRow.category_path))}
        events = session.execute(
            select(EventRow.shopper_id, EventRow.kind, EventRow.product_id, EventRow.at)
            .where(EventRow.product_id.is_not(None))
            .order_by(EventRow.at)
        ).all()
    by_shopper = defaultdict(list)
    for event in events:
        by_shopper[event.shopper_id].append(event)
    history: dict[str, Counter] = {}
    future: dict[str, list[tuple[str, ...]]] = {}
    for shopper, items in by_shopper.items():
        cut = items[len(items) // 2].at
        history[shopper] = Counter(category[e.product_id] for e in items if e.at < cut)
        future[shopper] = [category[e.product_id] for e in items if e.at >= cut and e.kind == "purchase"]
    popular = [c for c, _ in sum(history.values(), Counter()).most_common(3)]
    personal_hits = popular_hits = total = 0
    for shopper, purchases in future.items():
        top = [c for c, _ in history[shopper].most_common(3)]
        personal_hits += sum(c in top for c in purchases)
        popular_hits += sum(c in popular for c in purchases)
        total += len(purchases)
    assert total > 500
    assert personal_hits / total > 0.6
    assert personal_hits > 3 * popular_hits


@pytest.mark.postgres
def test_demo_shop_writes_to_postgres(postgres_url: str) -> None:
    database = Database(postgres_url)
    database.migrate()
    shop = generate_shop(7)
    with database.session() as session:
        clear_shop(session)
        write_shop(session, shop)
    with database.session() as session:
        table_counts = counts(session)
        order = get_order(session, shop.orders[0].id)
        clear_shop(session)
    assert table_counts["products"] == len(shop.products) and table_counts["events"] == len(shop.events)
    assert order is not None and order.lines == shop.orders[0].lines
