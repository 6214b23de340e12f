"""The offer-update path: new prices and stock levels for variants, set-based, with watches evaluated in the same
transaction (the operator console and `shopassist bench watches` use it; a catalog import re-evaluates too)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from commerce.offer_changes import offers_changed
from commerce.tables import ProductRow, VariantRow

_CHUNK = 500


class OfferUpdate(BaseModel):
    variant_id: str = Field(min_length=1, max_length=64, description="e.g. '9612497925'")
    price: float | None = Field(None, ge=0)
    stock: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _changes_something(self) -> OfferUpdate:
        if self.price is None and self.stock is None:
            raise ValueError("an offer update sets a price, a stock level or both")
        return self


class OfferUpdateResult(BaseModel):
    updated: int = Field(description="Variants changed")
    unknown: list[str] = Field(default_factory=list, description="Variant ids that are not in the catalog")
    notifications: int = Field(description="Watch notifications queued by this update")


def _owners(session: Session, variant_ids: Sequence[str]) -> dict[str, str]:
    owners: dict[str, str] = {}
    for start in range(0, len(variant_ids), _CHUNK):
        query = select(VariantRow.id, VariantRow.product_id).where(VariantRow.id.in_(variant_ids[start:start + _CHUNK]))
        owners.update({variant_id: product_id for variant_id, product_id in session.execute(query)})
    return owners


def update_offers(session: Session, updates: Sequence[OfferUpdate], now: datetime | None = None) -> OfferUpdateResult:
    """Apply the updates (unknown variants are reported, not fatal), keep each product's lowest price, record the
    price history and evaluate the watches on the products touched — all in the caller's transaction."""
    owners = _owners(session, [item.variant_id for item in updates])
    known = [item for item in updates if item.variant_id in owners]
    for field in ("price", "stock"):
        rows = [{"vid": item.variant_id, "value": getattr(item, field)} for item in known
                if getattr(item, field) is not None]
        if rows:
            statement = (update(VariantRow).where(VariantRow.id == bindparam("vid"))
                         .values({field: bindparam("value")}).execution_options(synchronize_session=False))
            session.connection().execute(statement, rows)
    products = sorted({owners[item.variant_id] for item in known if item.price is not None})
    lowest = select(func.min(VariantRow.price)).where(VariantRow.product_id == ProductRow.id).scalar_subquery()
    for start in range(0, len(products), _CHUNK):
        session.execute(update(ProductRow).where(ProductRow.id.in_(products[start:start + _CHUNK]))
                        .values(price=lowest).execution_options(synchronize_session=False))
    queued = offers_changed(session, {owners[item.variant_id] for item in known}, now)
    return OfferUpdateResult(updated=len(known), unknown=[i.variant_id for i in updates if i.variant_id not in owners],
                             notifications=queued)
