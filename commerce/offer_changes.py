"""What follows any change to offers, in the transaction that made it: the price history, the watches, and the
standing orders the change triggers (queued; their orders are made after it commits)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session

from commerce.price_history import record_prices
from commerce.standing_orders import evaluate_standing_orders
from commerce.watches import evaluate_watches


def offers_changed(session: Session, product_ids: Collection[str] | None, now: datetime | None = None) -> int:
    """Record the products' new price and stock state, evaluate their watches and standing orders; returns watch
    notifications queued."""
    record_prices(session, product_ids, now)
    evaluate_standing_orders(session, product_ids, now)
    return evaluate_watches(session, product_ids, now)
