"""Checkout core: free-shipping promotions (threshold, named item) and a known buyer's saved addresses."""

from __future__ import annotations

import pytest

from commerce.checkout import create_checkout, update_checkout
from commerce.checkout_models import Checkout, CheckoutInput, CheckoutStatus
from commerce.db import Database
from commerce.tables import PromotionRow, SavedAddressRow
from tests.checkout_shop import ADDRESS, SHOPPER_EMAIL, seed_checkout_shop


@pytest.fixture
def shop(database: Database) -> Database:
    seed_checkout_shop(database)
    with database.session() as session:
        session.add_all([
            PromotionRow(id="promo_1", kind="free_shipping", min_subtotal=10000, item_ids=[],
                         title="Free Shipping on orders over $100"),
            PromotionRow(id="promo_2", kind="free_shipping", min_subtotal=None, item_ids=["bouquet_roses"],
                         title="Free Shipping on Rose Bouquets"),
            SavedAddressRow(id="addr_1", shopper_id="john_doe_1", position=0, address=ADDRESS),
            SavedAddressRow(id="addr_2", shopper_id="john_doe_1", position=1, address={
                "street_address": "456 Oak Ave", "city": "Metropolis", "region": "NY", "postal_code": "10012",
                "country": "US"}),
        ])
    return database


def checkout(shop: Database, item_id: str, quantity: int, option: str = "std-ship", shopper_id: str | None = None,
             **fields: object) -> Checkout:
    request = CheckoutInput.model_validate({"lines": [{"item_id": item_id, "quantity": quantity}],
                                            "buyer": {"email": SHOPPER_EMAIL}, "destination": ADDRESS,
                                            "shipping_option_id": option, **fields})
    with shop.session() as session:
        return create_checkout(session, "agent_a", "USD", request, shopper_id=shopper_id)


def amounts(priced: Checkout) -> dict[str, int]:
    return {option.id: option.amount for option in priced.shipping_options}


def test_below_the_threshold_shipping_costs(shop: Database) -> None:
    priced = checkout(shop, "pot_m", 2)  # 30.00
    assert amounts(priced) == {"std-ship": 500, "exp-ship-us": 1500}
    assert priced.totals.total == 3000 + 500


def test_over_the_threshold_standard_shipping_is_free_and_express_still_costs(shop: Database) -> None:
    priced = checkout(shop, "pot_m", 7)  # 105.00
    assert amounts(priced) == {"std-ship": 0, "exp-ship-us": 1500}
    assert priced.totals.model_dump() == {"subtotal": 10500, "discount": 0, "fulfillment": 0, "total": 10500}
    assert priced.shipping_options[0].promotion == "Free Shipping on orders over $100"
    express = checkout(shop, "pot_m", 7, option="exp-ship-us")
    assert express.totals.fulfillment == 1500


def test_the_threshold_counts_the_goods_after_discount_codes(shop: Database) -> None:
    priced = checkout(shop, "pot_m", 7, discount_codes=["10OFF"])  # 105.00 - 10.50 = 94.50
    assert amounts(priced)["std-ship"] == 500


def test_a_named_item_ships_free_whatever_the_total(shop: Database) -> None:
    priced = checkout(shop, "roses_12", 1)  # a product id the promotion names; the variant is roses_12
    assert amounts(priced)["std-ship"] == 0 and priced.totals.total == 3500
    assert priced.shipping_options[0].promotion == "Free Shipping on Rose Bouquets"


def test_a_known_buyer_is_offered_saved_addresses_and_picks_one_by_id(shop: Database) -> None:
    priced = checkout(shop, "pot_m", 1, shopper_id="john_doe_1", destination=None, shipping_option_id=None)
    assert [address.id for address in priced.saved_destinations] == ["addr_1", "addr_2"]
    assert priced.status == CheckoutStatus.INCOMPLETE
    picked = CheckoutInput.model_validate({"lines": [{"item_id": "pot_m", "quantity": 1}],
                                           "destination": {"id": "addr_2"}, "shipping_option_id": "std-ship"})
    with shop.session() as session:
        updated = update_checkout(session, "agent_a", priced.id, picked)
    assert updated.request.destination is not None and updated.request.destination.city == "Metropolis"
    assert updated.status == CheckoutStatus.READY_FOR_COMPLETE and updated.shopper_id == "john_doe_1"


def test_without_a_known_buyer_a_saved_address_id_is_nothing(shop: Database) -> None:
    priced = checkout(shop, "pot_m", 1, destination={"id": "addr_2"})
    assert priced.saved_destinations == [] and priced.status == CheckoutStatus.INCOMPLETE
    assert priced.request.destination is not None and not priced.request.destination.complete
