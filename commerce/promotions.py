"""Automatic promotions priced into a checkout: free shipping on the standard rate when the goods' total (after
discount codes) reaches a threshold, or when the checkout holds an item the promotion names."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.checkout_models import PricedLine, ShippingOption
from commerce.tables import PromotionRow

FREE_SHIPPING = "free_shipping"
STANDARD = "standard"


def _applies(promotion: PromotionRow, lines: list[PricedLine], goods: int) -> bool:
    if promotion.min_subtotal is not None and goods >= promotion.min_subtotal:
        return True
    named = set(promotion.item_ids or [])
    return any(line.product_id in named or line.item_id in named for line in lines)


def with_free_shipping(session: Session, options: list[ShippingOption], lines: list[PricedLine],
                       goods: int) -> list[ShippingOption]:
    """`options` with the standard-service ones (else the cheapest) free under the first promotion that applies;
    faster services keep their price."""
    if not options or not lines:
        return options
    promotions = session.scalars(select(PromotionRow).where(PromotionRow.kind == FREE_SHIPPING)
                                 .order_by(PromotionRow.id))
    promotion = next((row for row in promotions if _applies(row, lines, goods)), None)
    if promotion is None:
        return options
    standard = {option.id for option in options if option.service_level == STANDARD}
    free = standard or {min(options, key=lambda option: option.amount).id}
    return [option.model_copy(update={"amount": 0, "promotion": promotion.title}) if option.id in free else option
            for option in options]
