"""Conversions between storage rows and domain models, and the catalog/shopper/order reads every layer shares."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from commerce.models import (
    Address,
    BehaviourEvent,
    Cart,
    CartLine,
    Fulfilment,
    Order,
    OrderLine,
    Passage,
    Payment,
    PaymentMethod,
    Product,
    Review,
    Shopper,
    Variant,
)
from commerce.tables import (
    AuditRow,
    Base,
    CartRow,
    EventRow,
    OrderRow,
    PassageRow,
    ProductRow,
    ReviewRow,
    ShopperRow,
    VariantRow,
)

ORDER_DETAIL_FIELDS = (
    "cancel_reason",
    "return_items",
    "return_payment_method_id",
    "exchange_items",
    "exchange_new_items",
    "exchange_payment_method_id",
    "exchange_price_difference",
)


def product_rows(product: Product) -> tuple[ProductRow, list[VariantRow]]:
    row = ProductRow(
        id=product.id,
        title=product.title,
        description=product.description,
        brand=product.brand,
        category_path=list(product.category_path),
        price=product.price,
        currency=product.currency,
        attributes=dict(product.attributes),
        rating=product.rating,
        review_count=product.review_count,
        image_url=product.image_url,
        language=product.language,
    )
    variants = [
        VariantRow(id=v.id, product_id=product.id, position=i, options=dict(v.options), price=v.price, stock=v.stock)
        for i, v in enumerate(product.variants)
    ]
    return row, variants


def product_from_rows(row: ProductRow, variants: Sequence[VariantRow]) -> Product:
    return Product(
        id=row.id,
        title=row.title,
        description=row.description,
        brand=row.brand,
        category_path=list(row.category_path),
        price=row.price,
        currency=row.currency,
        attributes=dict(row.attributes),
        rating=row.rating,
        review_count=row.review_count,
        image_url=row.image_url,
        language=row.language,  # type: ignore[arg-type]
        variants=[
            Variant(id=v.id, options=dict(v.options), price=v.price, stock=v.stock)
            for v in sorted(variants, key=lambda v: v.position)
        ],
    )


def shopper_row(shopper: Shopper) -> ShopperRow:
    return ShopperRow(
        id=shopper.id,
        first_name=shopper.first_name,
        last_name=shopper.last_name,
        email=shopper.email,
        address=shopper.address.model_dump() if shopper.address else None,
        payment_methods=[method.model_dump() for method in shopper.payment_methods],
        personalization=shopper.personalization,
    )


def shopper_from_row(row: ShopperRow) -> Shopper:
    return Shopper(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        address=Address(**row.address) if row.address else None,
        payment_methods=[PaymentMethod(**method) for method in row.payment_methods],
        personalization=row.personalization,
    )


def order_row(order: Order, position: int = 0) -> OrderRow:
    details = {name: getattr(order, name) for name in ORDER_DETAIL_FIELDS if getattr(order, name) is not None}
    row = OrderRow(
        id=order.id,
        shopper_id=order.shopper_id,
        position=position,
        status=order.status,
        address=order.address.model_dump(),
        lines=[line.model_dump() for line in order.lines],
        payments=[payment.model_dump() for payment in order.payments],
        fulfilments=[fulfilment.model_dump() for fulfilment in order.fulfilments],
        details=details,
    )
    if order.created_at is not None:
        row.created_at = order.created_at
    return row


def order_from_row(row: OrderRow) -> Order:
    return Order(
        id=row.id,
        shopper_id=row.shopper_id,
        address=Address(**row.address),
        lines=[OrderLine(**line) for line in row.lines],
        status=row.status,
        payments=[Payment(**payment) for payment in row.payments],
        fulfilments=[Fulfilment(**fulfilment) for fulfilment in row.fulfilments],
        created_at=row.created_at,
        **row.details,
    )


def passage_row(passage: Passage) -> PassageRow:
    return PassageRow(**passage.model_dump())


def passage_from_row(row: PassageRow) -> Passage:
    return Passage(
        id=row.id, title=row.title, section=row.section, text=row.text, source=row.source,
        language=row.language,  # type: ignore[arg-type]
    )


def event_row(event: BehaviourEvent) -> EventRow:
    return EventRow(
        shopper_id=event.shopper_id, kind=event.kind.value, product_id=event.product_id, query=event.query, at=event.at
    )


def event_from_row(row: EventRow) -> BehaviourEvent:
    return BehaviourEvent(
        shopper_id=row.shopper_id, kind=row.kind, product_id=row.product_id, query=row.query, at=row.at  # type: ignore[arg-type]
    )


def review_row(review: Review) -> ReviewRow:
    return ReviewRow(**review.model_dump())


def review_from_row(row: ReviewRow) -> Review:
    return Review(
        id=row.id, product_id=row.product_id, shopper_id=row.shopper_id, rating=row.rating, text=row.text,
        language=row.language, at=row.at,  # type: ignore[arg-type]
    )


def cart_from_row(shopper_id: str, row: CartRow | None) -> Cart:
    return Cart(shopper_id=shopper_id, lines=[CartLine(**line) for line in row.lines] if row else [])


def get_product(session: Session, product_id: str) -> Product | None:
    row = session.get(ProductRow, product_id)
    if row is None:
        return None
    variants = session.scalars(select(VariantRow).where(VariantRow.product_id == product_id)).all()
    return product_from_rows(row, variants)


def get_products(session: Session, product_ids: Iterable[str]) -> dict[str, Product]:
    ids = list(dict.fromkeys(product_ids))
    if not ids:
        return {}
    rows = session.scalars(select(ProductRow).where(ProductRow.id.in_(ids))).all()
    variants: dict[str, list[VariantRow]] = {}
    for variant in session.scalars(select(VariantRow).where(VariantRow.product_id.in_(ids))):
        variants.setdefault(variant.product_id, []).append(variant)
    return {row.id: product_from_rows(row, variants.get(row.id, [])) for row in rows}


def iter_products(session: Session, batch_size: int = 1000) -> Iterable[Product]:
    ids = session.scalars(select(ProductRow.id).order_by(ProductRow.id)).all()
    for start in range(0, len(ids), batch_size):
        batch = get_products(session, ids[start : start + batch_size])
        yield from (batch[product_id] for product_id in ids[start : start + batch_size])


def upsert_product(session: Session, product: Product) -> None:
    row, variants = product_rows(product)
    session.execute(delete(VariantRow).where(VariantRow.product_id == product.id))
    session.merge(row)
    session.add_all(variants)


def get_shopper(session: Session, shopper_id: str) -> Shopper | None:
    row = session.get(ShopperRow, shopper_id)
    return shopper_from_row(row) if row else None


def get_order(session: Session, order_id: str) -> Order | None:
    row = session.get(OrderRow, order_id)
    return order_from_row(row) if row else None


def list_passages(session: Session) -> list[Passage]:
    return [passage_from_row(row) for row in session.scalars(select(PassageRow).order_by(PassageRow.id))]


def counts(session: Session) -> dict[str, int]:
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


def record_audit(
    session: Session, actor: str, action: str, target: str, before: dict | None, after: dict | None
) -> None:
    session.add(AuditRow(actor=actor, action=action, target=target, before=before, after=after))
