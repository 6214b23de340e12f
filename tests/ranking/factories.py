"""A small synthetic shop with shoppers of known tastes, for the ranking tests."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from commerce.db import Database
from commerce.models import BehaviourEvent, EventKind, Product, Shopper, Variant
from commerce.store import event_row, shopper_row, upsert_product

START = datetime(2026, 1, 1, tzinfo=UTC)
CATEGORIES = {
    "trail": ["Shoes", "Running", "Trail Running"], "road": ["Shoes", "Running", "Road Running"],
    "hiking": ["Shoes", "Hiking"], "tents": ["Outdoor", "Camping", "Tents"], "stoves": ["Outdoor", "Camping", "Stoves"],
    "coffee": ["Grocery", "Coffee"], "audio": ["Electronics", "Headphones"],
}
BRANDS = ["Alpha", "Bravo", "Cirrus"]


@dataclass
class SyntheticShop:
    products: list[Product]
    shoppers: list[Shopper]
    events: list[BehaviourEvent] = field(default_factory=list)

    def ids(self, key: str) -> list[str]:
        return [p.id for p in self.products if p.category_path == CATEGORIES[key]]

    def events_of(self, shopper_id: str) -> list[BehaviourEvent]:
        return [e for e in self.events if e.shopper_id == shopper_id]


def make_products() -> list[Product]:
    products = []
    for key, path in CATEGORIES.items():
        for i in range(6):
            price = {"coffee": 12.0, "audio": 150.0, "tents": 300.0}.get(key, 90.0) * (0.6 + 0.2 * i)
            stock = 0 if (key == "trail" and i == 5) else 10
            products.append(Product(
                id=f"{key}-{i}", title=f"{BRANDS[i % 3]} {path[-1]} {i}", brand=BRANDS[i % 3], category_path=path,
                price=round(price, 2), attributes={"color": ["blue", "red"][i % 2]},
                variants=[Variant(id=f"{key}-{i}-v", price=round(price, 2), stock=stock)]))
    return products


def make_shop(seed: int = 0) -> SyntheticShop:
    rng = random.Random(seed)
    people = ["trail_fan_1", "camper_2", "coffee_3", "optout_4", "guest_5"] + [f"crowd_{i}" for i in range(30)]
    shoppers = [Shopper(id=p, first_name="Pat", last_name=p.split("_")[0], email=f"{p}@example.com",
                        personalization=not p.startswith("optout")) for p in people]
    shop = SyntheticShop(products=make_products(), shoppers=shoppers)

    def add(shopper: str, kind: EventKind, product: str, day: float) -> None:
        shop.events.append(BehaviourEvent(shopper_id=shopper, kind=kind, product_id=product,
                                          at=START + timedelta(days=day)))

    for day, product in enumerate(["trail-0", "trail-3", "trail-0", "hiking-0", "trail-1"]):
        add("trail_fan_1", EventKind.VIEW, product, day)
    add("trail_fan_1", EventKind.PURCHASE, "trail-0", 6)
    add("camper_2", EventKind.VIEW, "tents-1", 1)
    add("camper_2", EventKind.PURCHASE, "tents-1", 2)
    add("coffee_3", EventKind.PURCHASE, "coffee-2", 1)
    add("coffee_3", EventKind.PURCHASE, "coffee-2", 40)
    add("optout_4", EventKind.VIEW, "audio-1", 1)
    for i in range(30):  # the crowd: trail runners also look at hiking shoes; campers buy tents with stoves
        shopper, day = f"crowd_{i}", rng.uniform(0, 30)
        if i % 2 == 0:
            add(shopper, EventKind.VIEW, f"trail-{rng.randrange(3)}", day)
            add(shopper, EventKind.VIEW, f"hiking-{rng.randrange(2)}", day + 0.1)
        else:
            add(shopper, EventKind.PURCHASE, f"tents-{rng.randrange(2)}", day)
            add(shopper, EventKind.PURCHASE, f"stoves-{rng.randrange(2)}", day + 0.1)
        add(shopper, EventKind.VIEW, f"audio-{rng.randrange(6)}", day + 0.2)
    return shop


def load_shop(db: Database, shop: SyntheticShop) -> None:
    with db.session() as session:
        for product in shop.products:
            upsert_product(session, product)
        session.add_all([shopper_row(s) for s in shop.shoppers])
        session.add_all([event_row(e) for e in shop.events])
