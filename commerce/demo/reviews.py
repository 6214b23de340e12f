"""Short product reviews with ratings around each product's latent quality, built from recurring pros and cons."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import numpy as np

from commerce.demo.events import END, Basket
from commerce.demo.products import DemoProduct
from commerce.demo.review_vocab import OPENERS, PROS_CONS
from commerce.models import Language, Review

TARGET_REVIEWS = 22_000
BUYER_REVIEW_RATE = 0.4
CHINESE_REVIEW_RATE = 0.7


def generate_reviews(seed: int, products: list[DemoProduct], baskets: list[Basket]) -> list[Review]:
    """Reviews from buyers (after their purchase) plus guest reviewers; updates each product's rating and count."""
    rng = random.Random(f"{seed}:reviews")
    authors: list[tuple[DemoProduct, str, datetime]] = []
    for basket in baskets:
        for item, _variant in basket.items:
            if rng.random() < BUYER_REVIEW_RATE:
                authors.append((item, basket.shopper.shopper.id, basket.at + timedelta(days=rng.uniform(5, 30))))
    popularity = np.array([item.popularity for item in products]) ** 0.8
    guests = np.random.default_rng(seed).multinomial(TARGET_REVIEWS - len(authors), popularity / popularity.sum())
    for item, count in zip(products, guests.tolist(), strict=True):
        for _ in range(count):
            at = END - timedelta(days=rng.uniform(0, 365))
            authors.append((item, f"guest_{rng.randrange(10_000, 100_000)}", at))
    reviews = [_review(rng, f"rv{index:06d}", *author) for index, author in enumerate(authors)]
    _update_products(products, reviews)
    return reviews


def _review(rng: random.Random, review_id: str, item: DemoProduct, shopper_id: str, at: datetime) -> Review:
    rating = int(min(5, max(1, round(rng.gauss(item.quality, 0.9)))))
    chinese = item.product.language == "zh" and rng.random() < CHINESE_REVIEW_RATE
    language: Language = "zh" if chinese else "en"
    pros_all, cons_all = PROS_CONS[item.root.name]
    pros = [pros_all[i][chinese] for i in item.pros]
    cons = [cons_all[i][chinese] for i in item.cons]
    opener = rng.choice(OPENERS[rating])[chinese]
    if rating >= 4:
        body = rng.sample(pros, rng.randint(1, 2))
        caveat = [cons[0]] if rating == 4 and rng.random() < 0.3 else []
    elif rating == 3:
        body, caveat = [rng.choice(pros)], [rng.choice(cons)]
    else:
        body = rng.sample(cons, rng.randint(1, 2))
        caveat = [pros[0]] if rng.random() < 0.2 else []
    return Review(id=review_id, product_id=item.product.id, shopper_id=shopper_id, rating=rating,
                  text=_compose(opener, body, caveat, rating, chinese), language=language, at=min(at, END))


def _compose(opener: str, body: list[str], caveat: list[str], rating: int, chinese: bool) -> str:
    if chinese:
        text = opener + "，".join(body)
        if caveat:
            text += "，不过" + caveat[0] if rating >= 3 else "，优点是" + caveat[0]
        return text + "。"
    text = f"{opener} {'. '.join(sentence[0].upper() + sentence[1:] for sentence in body)}."
    if caveat:
        text += f" Only downside: {caveat[0]}." if rating >= 3 else f" On the plus side, {caveat[0]}."
    return text


def _update_products(products: list[DemoProduct], reviews: list[Review]) -> None:
    ratings: dict[str, list[int]] = {}
    for review in reviews:
        ratings.setdefault(review.product_id, []).append(review.rating)
    for item in products:
        scores = ratings.get(item.product.id, [])
        item.product.review_count = len(scores)
        item.product.rating = round(sum(scores) / len(scores), 1) if scores else 0.0
