"""A small shop for checkout tests, built by code: five one-variant products (one out of stock), a hoodie with colour
and size options, rates, discount codes."""

from __future__ import annotations

from commerce.db import Database
from commerce.models import Product, Shopper, Variant
from commerce.store import shopper_row, upsert_product
from commerce.tables import DiscountCodeRow, ShippingRateRow

# (product id, variant id, title, price, stock)
ITEMS = (
    ("bouquet_roses", "roses_12", "Bouquet of Red Roses", 35.00, 1000),
    ("pot_ceramic", "pot_m", "Ceramic Pot", 15.00, 2000),
    ("bouquet_tulips", "tulips_10", "Spring Tulips", 30.00, 1500),
    ("orchid_white", "orchid_1", "White Orchid", 45.00, 1),
    ("gardenias", "gardenias_6", "Gardenias", 20.00, 0),
)
# Colour × size; blue M is sold out and there is no blue L.
HOODIE = Product(id="hoodie", title="Garden Hoodie", price=40.0, variants=[
    Variant(id="hoodie_green_m", options={"colour": "green", "size": "M"}, price=40.0, stock=10),
    Variant(id="hoodie_green_l", options={"colour": "green", "size": "L"}, price=40.0, stock=10),
    Variant(id="hoodie_blue_m", options={"colour": "blue", "size": "M"}, price=42.0, stock=0),
])
OUT_OF_STOCK = "gardenias"
LAST_ONE = "orchid_1"
SHOPPER_EMAIL = "john.doe@example.com"
ADDRESS = {"street_address": "123 Main St", "city": "Springfield", "region": "IL", "country": "US",
           "postal_code": "62704"}


def seed_checkout_shop(db: Database) -> None:
    with db.session() as session:
        for product_id, variant_id, title, price, stock in ITEMS:
            upsert_product(session, Product(id=product_id, title=title, price=price,
                                            variants=[Variant(id=variant_id, price=price, stock=stock)]))
        upsert_product(session, HOODIE)
        session.add(shopper_row(Shopper(id="john_doe_1", first_name="John", last_name="Doe", email=SHOPPER_EMAIL)))
        session.add_all([
            ShippingRateRow(id="std-ship", country_code="default", service_level="standard", title="Standard",
                            amount=500),
            ShippingRateRow(id="exp-ship-us", country_code="US", service_level="express", title="Express (US)",
                            amount=1500),
            ShippingRateRow(id="exp-ship-intl", country_code="default", service_level="express",
                            title="International Express", amount=2500),
            DiscountCodeRow(code="10OFF", kind="percentage", value=10, title="10% Off"),
            DiscountCodeRow(code="FIXED500", kind="fixed_amount", value=500, title="$5.00 Off"),
        ])
