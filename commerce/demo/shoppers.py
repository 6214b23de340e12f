"""Demo shoppers: pseudonymous profiles with masked payment methods, each with latent tastes behaviour is drawn from."""

from __future__ import annotations

import random
from dataclasses import dataclass

from commerce.demo.people import CARD_BRANDS, CITIES, FIRST_NAMES, LAST_NAMES, STREETS
from commerce.demo.vocab import ROOTS, Sub, Tier
from commerce.models import Address, PaymentMethod, Shopper

TIERS: tuple[Tier, ...] = ("budget", "mid", "premium")


@dataclass(frozen=True)
class Taste:
    """What a shopper likes: a few subcategories (with weights), some brands, a price tier, a reading language."""

    subs: tuple[Sub, ...]
    weights: tuple[float, ...]
    brands: frozenset[str]
    tier: Tier
    reads_chinese: bool


@dataclass(frozen=True)
class DemoShopper:
    shopper: Shopper
    taste: Taste
    activity: float


def generate_shoppers(seed: int, count: int = 320) -> list[DemoShopper]:
    rng = random.Random(f"{seed}:shoppers")
    used: set[str] = set()
    shoppers = []
    for _ in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        number = rng.randrange(1000, 10000)
        while f"{first}_{last}_{number}".lower() in used:
            number = rng.randrange(1000, 10000)
        shopper_id = f"{first}_{last}_{number}".lower()
        used.add(shopper_id)
        shopper = Shopper(
            id=shopper_id,
            first_name=first,
            last_name=last,
            email=f"{first}.{last}{number}@example.com".lower(),
            address=_address(rng),
            payment_methods=_payment_methods(rng),
        )
        shoppers.append(DemoShopper(shopper, _taste(rng), rng.lognormvariate(0, 0.5)))
    return shoppers


def _taste(rng: random.Random) -> Taste:
    roots = rng.sample(ROOTS, rng.choice((1, 2, 2, 3)))
    subs = [sub for root in roots for sub in rng.sample(root.subs, rng.randint(1, 2))]
    brands = {brand for root in roots for brand in rng.sample(sorted(root.brands), 2)}
    weights = [rng.uniform(0.5, 2.0) for _ in subs]
    tier = rng.choices(TIERS, weights=(0.35, 0.4, 0.25))[0]
    return Taste(tuple(subs), tuple(weights), frozenset(brands), tier, rng.random() < 0.15)


def _address(rng: random.Random) -> Address:
    city, state, zip_prefix = rng.choice(CITIES)
    return Address(
        address1=f"{rng.randrange(10, 9999)} {rng.choice(STREETS)}",
        address2=rng.choice(("", "", f"Suite {rng.randrange(100, 999)}", f"Apt {rng.randrange(1, 40)}")),
        city=city,
        state=state,
        country="USA",
        zip=f"{zip_prefix}{rng.randrange(0, 100):02d}",
    )


def _payment_methods(rng: random.Random) -> list[PaymentMethod]:
    sources = rng.sample(("credit_card", "gift_card", "paypal"), rng.randint(1, 3))
    methods = []
    for source in sorted(sources):
        method_id = f"{source}_{rng.randrange(1_000_000, 10_000_000)}"
        if source == "credit_card":
            methods.append(PaymentMethod(id=method_id, source="credit_card", brand=rng.choice(CARD_BRANDS),
                                         last_four=f"{rng.randrange(0, 10000):04d}"))
        elif source == "gift_card":
            methods.append(PaymentMethod(id=method_id, source="gift_card", balance=float(rng.randrange(0, 300))))
        else:
            methods.append(PaymentMethod(id=method_id, source="paypal"))
    return methods
