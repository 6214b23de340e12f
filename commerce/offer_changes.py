"""What follows any change to offers, in the transaction that made it: the price history, then the watches."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session

from commerce.price_history import record_prices
from commerce.watches import evaluate_watches


def offers_changed(session: Session, product_ids: Collection[str] | None, now: datetime | None = None) -> int:
    """Record the products' new price and stock state and evaluate their watches; returns notifications queued."""
    record_prices(session, product_ids, now)
    return evaluate_watches(session, product_ids, now)
