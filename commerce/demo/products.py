"""Demo catalog: products with brands at price tiers, attributes, option variants and stock, ~12% in Chinese."""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass

from commerce.demo.vocab import OPTION_VALUES, ROOTS, SERIES, TIER_PITCH, TIER_PRICE, Adjective, Root, Sub, Tier
from commerce.models import Product, Variant

CHINESE_SHARE = 0.12
SCALED_OPTIONS = {"capacity", "volume", "storage", "weight", "bottle", "load", "pet size"}
MAX_VARIANTS = 8


@dataclass
class DemoProduct:
    """A product plus the latent facts the rest of the generator samples from."""

    product: Product
    root: Root
    sub: Sub
    tier: Tier
    popularity: float
    quality: float
    pros: tuple[int, ...]
    cons: tuple[int, ...]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def unique_ids(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """`count` fresh 10-digit ids (the τ-bench id shape), never in `taken`; adds them to it."""
    ids: list[str] = []
    while len(ids) < count:
        candidate = str(rng.randrange(1_000_000_000, 10_000_000_000))
        if candidate not in taken:
            taken.add(candidate)
            ids.append(candidate)
    return ids


def generate_products(seed: int, count: int = 3200) -> list[DemoProduct]:
    rng = random.Random(f"{seed}:products")
    slots = [(root, sub) for root in ROOTS for sub in root.subs]
    assignments = [slots[i % len(slots)] for i in range(count)]
    rng.shuffle(assignments)
    taken: set[str] = set()
    return [_product(rng, root, sub, taken) for root, sub in assignments]


@dataclass(frozen=True)
class _Draft:
    brand: str
    series: str
    adjective: Adjective
    sub: Sub
    attributes: dict[str, str]
    tier: Tier
    variants: list[Variant]


def _product(rng: random.Random, root: Root, sub: Sub, taken: set[str]) -> DemoProduct:
    brand = rng.choice(sorted(root.brands))
    tier = root.brands[brand]
    adjective = rng.choice([adj for adj in root.adjectives if not adj.only or sub.name in adj.only])
    series = rng.choice(SERIES) + rng.choice(("", "", " 2", " 3", " Pro", " Lite", " X"))
    choices = root.attributes | sub.attributes
    attributes = {key: rng.choice(values) for key, values in choices.items()} | adjective.sets
    base = rng.uniform(sub.low, sub.high) * TIER_PRICE[tier]
    axes = root.options if sub.options is None else sub.options
    draft = _Draft(brand, series, adjective, sub, attributes, tier, _variants(rng, axes, base, taken))
    chinese = rng.random() < CHINESE_SHARE
    title, description = _chinese_text(draft) if chinese else _english_text(draft)
    product = Product(
        id=unique_ids(rng, 1, taken)[0],
        title=title,
        description=description,
        brand=brand,
        category_path=[root.name, sub.name],
        price=min(variant.price for variant in draft.variants),
        attributes=attributes,
        image_url=f"/static/img/{slug(root.name)}.svg",
        language="zh" if chinese else "en",
        variants=draft.variants,
    )
    quality = min(4.9, rng.uniform(2.6, 4.6) + {"budget": -0.2, "mid": 0.0, "premium": 0.3}[tier])
    pros = tuple(rng.sample(range(5), 3))
    cons = tuple(rng.sample(range(5), 2))
    return DemoProduct(product, root, sub, tier, rng.lognormvariate(0, 1), quality, pros, cons)


def _variants(rng: random.Random, axes_names: tuple[str, ...], base: float, taken: set[str]) -> list[Variant]:
    axes = {axis: _pick_values(rng, OPTION_VALUES[axis]) for axis in axes_names}
    combos = list(itertools.product(*axes.values())) if axes else [()]
    if len(combos) > MAX_VARIANTS:
        combos = [combos[i] for i in sorted(rng.sample(range(len(combos)), MAX_VARIANTS))]
    sold_out = rng.random() < 0.03
    variants = []
    for combo, variant_id in zip(combos, unique_ids(rng, len(combos), taken), strict=True):
        options = dict(zip(axes, combo, strict=True))
        step = sum(OPTION_VALUES[axis].index(value) for axis, value in options.items() if axis in SCALED_OPTIONS)
        price = max(1.99, round(base * (1 + 0.2 * step + rng.uniform(-0.03, 0.03))) - 0.01)
        stock = 0 if sold_out or rng.random() < 0.1 else rng.randint(1, 60)
        variants.append(Variant(id=variant_id, options=options, price=price, stock=stock))
    return variants


def _pick_values(rng: random.Random, values: tuple[str, ...]) -> list[str]:
    picked = rng.sample(values, min(len(values), rng.randint(2, 4)))
    return sorted(picked, key=values.index)


def _english_text(draft: _Draft) -> tuple[str, str]:
    title = f"{draft.brand} {draft.series} {draft.adjective.en} {draft.sub.noun}"
    details = "; ".join(f"{key}: {value}" for key, value in draft.attributes.items())
    choices = _option_summary(draft.variants)
    description = (
        f"{draft.adjective.en} {draft.sub.noun.lower()} by {draft.brand}, from the {draft.series} line. "
        f"{details[:1].upper()}{details[1:]}. {TIER_PITCH[draft.tier][0]}"
        + (f" Available in {choices}." if choices else "")
    )
    return title, description


def _chinese_text(draft: _Draft) -> tuple[str, str]:
    name = f"{draft.adjective.zh}{draft.sub.zh}"
    details = "，".join(f"{key}：{value}" for key, value in draft.attributes.items())
    pitch = TIER_PITCH[draft.tier][1]
    description = f"{draft.brand} {draft.series} 系列{name}。{details}。{pitch}共{len(draft.variants)}种规格可选。"
    return f"{draft.brand} {draft.series} {name}", description


def _option_summary(variants: list[Variant]) -> str:
    axes: dict[str, list[str]] = {}
    for variant in variants:
        for axis, value in variant.options.items():
            axes.setdefault(axis, [])
            if value not in axes[axis]:
                axes[axis].append(value)
    return "; ".join(f"{axis} {', '.join(values)}" for axis, values in axes.items())
