"""The demo shop's checkout terms, so agents and shoppers can buy there: shipping rates (standard anywhere, express
in the US and abroad), a welcome code and free standard shipping over $50. Amounts in minor units."""

from __future__ import annotations

from commerce.tables import Base, DiscountCodeRow, PromotionRow, ShippingRateRow


def checkout_terms() -> list[Base]:
    return [
        ShippingRateRow(id="std-ship", country_code="default", service_level="standard", title="Standard shipping",
                        amount=599),
        ShippingRateRow(id="exp-ship-us", country_code="US", service_level="express", title="Express shipping (US)",
                        amount=1499),
        ShippingRateRow(id="exp-ship-intl", country_code="default", service_level="express",
                        title="International express", amount=2999),
        DiscountCodeRow(code="WELCOME10", kind="percentage", value=10, title="10% off your first order"),
        PromotionRow(id="free-ship-50", kind="free_shipping", min_subtotal=5000, item_ids=[],
                     title="Free standard shipping over $50"),
    ]
