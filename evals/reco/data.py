"""Interaction data for the recommendation eval (demo shop or τ-retail orders) and its leave-last-out split."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from commerce.db import Database
from commerce.models import BehaviourEvent, EventKind
from commerce.store import event_from_row
from commerce.tables import EventRow, ShopperRow
from ranking.catalog import Catalog
from ranking.schemas import Candidate, as_utc

SESSION_GAP = timedelta(minutes=30)
TAU_START = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass
class RecoData:
    name: str
    catalog: Catalog
    events: list[BehaviourEvent]


@dataclass
class HeldOut:
    shopper_id: str
    product_id: str
    session_start: datetime
    query: str | None  # the search typed in the held-out session, if any


@dataclass
class Split:
    train: list[BehaviourEvent]
    held_out: list[HeldOut]
    history: dict[str, list[BehaviourEvent]]


def load_demo(db: Database) -> RecoData:
    with db.session() as session:
        catalog = Catalog.load(session)
        opted_out = set(session.scalars(select(ShopperRow.id).where(ShopperRow.personalization.is_(False))))
        events = [event_from_row(row) for row in session.scalars(select(EventRow).order_by(EventRow.at))
                  if row.shopper_id not in opted_out]
    return RecoData("demo shop", catalog, [e.model_copy(update={"at": as_utc(e.at)}) for e in events])


def load_tau(folder: Path) -> RecoData:
    """τ-retail: items are variants (591), one purchase event per order line; orders are taken in the order the
    user record lists them (the data has no timestamps), one day apart, so a user's last listed order is held out."""
    products = json.loads((folder / "products.json").read_text())
    users = json.loads((folder / "users.json").read_text())
    orders = json.loads((folder / "orders.json").read_text())
    items = [Candidate(product_id=variant["item_id"],
                       title=f"{product['name']} ({', '.join(variant['options'].values())})",
                       category_path=[product["name"]], price=variant["price"], attributes=variant["options"])
             for product in products.values() for variant in product["variants"].values()]
    events = []
    for user_id, user in users.items():
        for day, order_id in enumerate(user.get("orders", [])):
            for line in orders.get(order_id, {}).get("items", []):
                events.append(BehaviourEvent(shopper_id=user_id, kind=EventKind.PURCHASE, product_id=line["item_id"],
                                             at=TAU_START + timedelta(days=day)))
    return RecoData("τ-retail orders", Catalog.from_candidates(items), events)


def leave_last_out(data: RecoData, min_history: int = 1) -> Split:
    """Hold out each shopper's last purchase; drop the whole session it belongs to (and anything later) from that
    shopper's training events, so the ranker cannot see the views and cart-adds that led to it."""
    by_shopper: dict[str, list[BehaviourEvent]] = defaultdict(list)
    for event in sorted(data.events, key=lambda e: e.at):
        by_shopper[event.shopper_id].append(event)
    train, held_out, history = [], [], {}
    for shopper_id, events in by_shopper.items():
        purchases = [i for i, e in enumerate(events) if e.kind == EventKind.PURCHASE and e.product_id]
        if not purchases:
            train.extend(events)
            continue
        last = purchases[-1]
        start = last
        while start > 0 and events[start].at - events[start - 1].at <= SESSION_GAP:
            start -= 1
        kept = events[:start]
        if sum(1 for e in kept if e.product_id) < min_history:
            train.extend(kept)
            continue
        query = next((e.query for e in events[start:last] if e.kind == EventKind.SEARCH and e.query), None)
        held_out.append(HeldOut(shopper_id, events[last].product_id or "", events[start].at, query))
        history[shopper_id] = kept
        train.extend(kept)
    return Split(train=train, held_out=held_out, history=history)
