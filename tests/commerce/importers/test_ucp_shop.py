"""The UCP conformance suite's flower shop imports with minor-unit prices, its out-of-stock item, rates, codes,
promotions and its customers' saved addresses."""

from __future__ import annotations

import pytest

from commerce.checkout import create_checkout
from commerce.checkout_models import CheckoutInput, CheckoutStatus
from commerce.db import Database
from commerce.importers.ucp_shop import import_ucp_shop
from commerce.store import get_product
from tests.shared_data import SHARED_DATA

FLOWER_SHOP = SHARED_DATA / "ucp_flower_shop"


@pytest.mark.skipif(not FLOWER_SHOP.is_dir(), reason="UCP flower shop data not present")
def test_flower_shop_imports_and_a_checkout_prices_from_it(database: Database) -> None:
    with database.session() as session:
        report = import_ucp_shop(session, FLOWER_SHOP)
    assert report.loaded == {"products": 6, "shoppers": 3, "shipping rates": 3, "discount codes": 3, "promotions": 2,
                             "saved addresses": 3}
    assert not report.rejected
    with database.session() as session:
        roses, gardenias = get_product(session, "bouquet_roses"), get_product(session, "gardenias")
        assert roses is not None and roses.price == 35.0 and roses.stock == 1000
        assert gardenias is not None and gardenias.stock == 0
        checkout = create_checkout(session, "agent", "USD", CheckoutInput.model_validate({
            "lines": [{"item_id": "bouquet_roses", "quantity": 1}], "buyer": {"email": "jane.doe@example.com"},
            "destination": {"street_address": "1 A St", "city": "X", "country": "US", "postal_code": "1"},
            "shipping_option_id": "std-ship", "discount_codes": ["welcome20"]}))
    assert checkout.status == CheckoutStatus.READY_FOR_COMPLETE
    # roses ship free (promo_2): the standard rate is 0
    assert checkout.totals.model_dump() == {"subtotal": 3500, "discount": 700, "fulfillment": 0, "total": 2800}
    with database.session() as session:
        pot = create_checkout(session, "agent", "USD", CheckoutInput.model_validate({
            "lines": [{"item_id": "pot_ceramic", "quantity": 1}], "destination": {"id": "addr_2"},
            "shipping_option_id": "std-ship"}), shopper_id="cust_1")
    assert [address.id for address in pot.saved_destinations] == ["addr_1", "addr_2"]
    assert pot.request.destination is not None and pot.request.destination.postal_code == "10012"
    assert pot.totals.model_dump() == {"subtotal": 1500, "discount": 0, "fulfillment": 500, "total": 2000}
