"""Recommendations: cold start, opt-out, modes, and explanations that name a real signal."""

from __future__ import annotations

from ranking.recommend import Intent
from ranking.service import Ranker
from tests.ranking.factories import SyntheticShop

PRODUCT_SIGNALS = {"viewed", "carted", "co_view", "co_purchase", "purchased"}


def test_cold_start_serves_popular_products_of_the_stated_intent(ranker: Ranker) -> None:
    ranked = ranker.recommend("for_you", "guest_5", limit=4, intent=Intent(category="trail running"))
    assert len(ranked) == 4
    assert all(item.product_id.startswith("trail") for item in ranked)
    assert all(item.explanation.text == "popular in Trail Running" for item in ranked)
    by_query = ranker.recommend("for_you", None, limit=3, intent=Intent(query="camping stove"))
    assert by_query[0].product_id.startswith("stoves")


def test_cold_start_without_intent_is_the_popularity_list(ranker: Ranker) -> None:
    ranked = ranker.recommend("for_you", "nobody_known", limit=5)
    assert len(ranked) == 5
    assert {item.explanation.signal for item in ranked} == {"popular"}


def test_opted_out_shopper_gets_the_same_as_a_stranger(ranker: Ranker) -> None:
    assert ranker.profile("optout_4") is None
    assert ranker.recommend("for_you", "optout_4", limit=8) == ranker.recommend("for_you", None, limit=8)


def test_for_you_reflects_the_shoppers_taste(ranker: Ranker) -> None:
    ranked = ranker.recommend("for_you", "trail_fan_1", limit=5)
    assert ranked[0].product_id.split("-")[0] in {"trail", "hiking"}
    assert "trail-0" not in {item.product_id for item in ranked}  # bought already


def test_explanations_name_a_real_signal(ranker: Ranker, shop: SyntheticShop) -> None:
    for shopper in ("trail_fan_1", "camper_2", "coffee_3"):
        touched = {event.product_id for event in shop.events_of(shopper)}
        profile = ranker.profile(shopper)
        assert profile is not None
        for item in ranker.recommend("for_you", shopper, limit=10):
            explanation, product = item.explanation, ranker.catalog.items[item.product_id]
            assert explanation.text
            if explanation.signal in PRODUCT_SIGNALS:
                assert explanation.product_id in touched
                assert ranker.catalog.items[explanation.product_id].title in explanation.text or \
                    explanation.signal in {"viewed", "carted"}
            elif explanation.signal == "category":
                assert any(c in explanation.text for c in product.category_path)
                assert any(name in profile.categories for name in
                           [" > ".join(product.category_path[: i + 1]) for i in range(len(product.category_path))])
            elif explanation.signal == "brand":
                assert product.brand in explanation.text and product.brand in profile.brands
            elif explanation.signal == "popular":
                assert product.category_path[-1] in explanation.text


def test_bought_together_and_complete_cart_use_co_purchases(ranker: Ranker) -> None:
    together = ranker.recommend("bought_together", None, ["tents-0"], limit=2)
    assert {item.product_id.split("-")[0] for item in together} == {"stoves"}
    assert together[0].explanation.signal == "co_purchase"
    assert together[0].explanation.text == "often bought with Alpha Tents 0"
    cart = ranker.recommend("complete_cart", "camper_2", ["tents-1"], limit=5)
    assert cart and not any(item.product_id.startswith("tents") for item in cart)


def test_similar_stays_near_the_product(ranker: Ranker) -> None:
    ranked = ranker.recommend("similar", None, ["trail-1"], limit=3)
    assert "trail-1" not in {item.product_id for item in ranked}
    assert all(ranker.catalog.items[i.product_id].category_path[0] == "Shoes" for i in ranked)
    assert {item.explanation.signal for item in ranked} <= {"similar", "co_view"}
