"""Price a checkout request from the database now: variant prices and stock, shipping rates, discount codes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.checkout_models import (
    AppliedDiscount,
    CheckoutInput,
    Destination,
    PricedLine,
    Problem,
    ShippingOption,
    Totals,
)
from commerce.tables import DiscountCodeRow, ProductRow, ShippingRateRow, VariantRow

DEFAULT_COUNTRY = "default"


def minor_units(price: float) -> int:
    return round(price * 100)


def _variant(session: Session, item_id: str) -> VariantRow | None:
    """A variant by its id, or a product's first variant by the product's id."""
    variant = session.get(VariantRow, item_id)
    if variant is not None:
        return variant
    query = select(VariantRow).where(VariantRow.product_id == item_id).order_by(VariantRow.position).limit(1)
    return session.scalar(query)


def price_lines(session: Session, request: CheckoutInput) -> tuple[list[PricedLine], list[Problem]]:
    lines, problems = [], []
    for number, wanted in enumerate(request.lines):
        path = f"$.line_items[{number}]"
        variant = _variant(session, wanted.item_id)
        product = session.get(ProductRow, variant.product_id) if variant is not None else None
        if variant is None or product is None:
            problems.append(Problem(code="not_found", content=f"No product or variant {wanted.item_id!r}", path=path))
            continue
        if variant.stock < wanted.quantity:
            problems.append(Problem(code="out_of_stock", path=path,
                                    content=f"{product.title}: {variant.stock} in stock, {wanted.quantity} asked for"))
        lines.append(PricedLine(id=f"li_{number + 1}", item_id=variant.id, product_id=product.id, title=product.title,
                                unit_price=minor_units(variant.price), quantity=wanted.quantity,
                                options=dict(variant.options)))
    return lines, problems


def shipping_options(session: Session, destination: Destination | None) -> list[ShippingOption]:
    """The destination country's rates, plus the default rates of service levels that country has none of."""
    if destination is None or not destination.complete:
        return []
    country = destination.country.upper()
    rows = session.scalars(select(ShippingRateRow).where(ShippingRateRow.country_code.in_([country, DEFAULT_COUNTRY]))
                           .order_by(ShippingRateRow.amount, ShippingRateRow.id)).all()
    own_levels = {row.service_level for row in rows if row.country_code == country}
    return [ShippingOption(id=row.id, title=row.title, amount=row.amount, service_level=row.service_level)
            for row in rows if row.country_code == country or row.service_level not in own_levels]


def discounts(session: Session, codes: list[str], subtotal: int) -> tuple[list[AppliedDiscount], list[Problem]]:
    applied, problems, left = [], [], subtotal
    for code in dict.fromkeys(code.strip().upper() for code in codes):
        row = session.get(DiscountCodeRow, code)
        if row is None:
            problems.append(Problem(code="discount_code_invalid", content=f"Unknown discount code {code!r}",
                                    path="$.discounts.codes", blocking=False))
            continue
        amount = min(left, subtotal * row.value // 100 if row.kind == "percentage" else row.value)
        if amount > 0:
            applied.append(AppliedDiscount(code=row.code, title=row.title, amount=amount))
            left -= amount
    return applied, problems


def totals(lines: list[PricedLine], applied: list[AppliedDiscount], shipping: ShippingOption | None) -> Totals:
    subtotal = sum(line.subtotal for line in lines)
    discount = sum(item.amount for item in applied)
    fulfillment = shipping.amount if shipping else 0
    total = subtotal - discount + fulfillment
    return Totals(subtotal=subtotal, discount=discount, fulfillment=fulfillment, total=total)
