"""`shopassist bench watches`: catalog price-update throughput with 0 and N active watches at M offers.

Each run builds a fresh database (SQLite in a temporary folder unless a URL is given), loads M one-variant
products and N watches (a third each below a threshold, back in stock, any drop), then times one transaction that
updates every offer's price through the offer-update path, watches evaluated inside it: 10 % cheaper and restocked
(every watch triggers) or 10 % dearer (none does). With `--standing-orders S`, S of the N watches are standing
orders instead (buy under a target: their runs are queued in the same transaction; the orders are made after it)."""

from __future__ import annotations

import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import delete, func, insert, select

from commerce.db import Database
from commerce.offers import OfferUpdate, update_offers
from commerce.tables import (
    PricePointRow,
    ProductRow,
    StandingOrderRow,
    StandingOrderRunRow,
    VariantRow,
    WatchNotificationRow,
    WatchRow,
)

KINDS = ("below", "back_in_stock", "any_drop")
_BATCH = 10_000


def _stock(offer: int) -> int:
    return 0 if offer % 3 == 1 else 5  # a third sold out: their back-in-stock watches wait


def _load_standing(database: Database, count: int, prices: list[float], now: datetime) -> None:
    """`count` standing orders on the first offers, each to buy under 95 % of today's price."""
    for start in range(0, count, _BATCH):
        rows = [{"id": f"so{i}", "shopper_id": f"s{i % 5000}", "product_id": f"p{i % len(prices)}",
                 "variant_id": f"v{i % len(prices)}", "quantity": 1, "target": round(prices[i % len(prices)] * 0.95, 2),
                 "ceiling": 1000.0, "spend_cap": 1000.0, "spent": 0.0, "currency": "USD", "address": {},
                 "payment_handler": "mock_payment_handler", "payment_token": "success_token", "armed": True,
                 "fired": 0, "status": "active", "created_at": now, "expires_at": now + timedelta(days=90)}
                for i in range(start, min(start + _BATCH, count))]
        with database.session() as session:
            session.execute(insert(StandingOrderRow), rows)


def _load(database: Database, offers: int, watches: int, rng: random.Random) -> list[float]:
    prices = [round(rng.uniform(20, 300), 2) for _ in range(offers)]
    now = datetime.now(UTC)
    with database.session() as session:
        for start in range(0, offers, _BATCH):
            ids = range(start, min(start + _BATCH, offers))
            session.execute(insert(ProductRow), [{"id": f"p{i}", "title": f"Product {i}", "price": prices[i],
                                                  "category_path": [], "attributes": {}} for i in ids])
            session.execute(insert(VariantRow), [{"id": f"v{i}", "product_id": f"p{i}", "price": prices[i],
                                                  "stock": _stock(i), "options": {}} for i in ids])
        for start in range(0, watches, _BATCH):
            rows = []
            for i in range(start, min(start + _BATCH, watches)):
                product = i % offers
                kind = KINDS[i % 3]
                rows.append({"id": f"w{i}", "shopper_id": f"s{i % 5000}", "product_id": f"p{product}",
                             "variant_id": f"v{product}" if i % 2 else None, "kind": kind,
                             "threshold": round(prices[product] * 0.95, 2) if kind == "below" else None,
                             "reference_price": prices[product], "armed": True, "fired": 0, "created_at": now,
                             "expires_at": now + timedelta(days=90)})
            session.execute(insert(WatchRow), rows)
    return prices


def _updates(prices: list[float], crossing: bool) -> list[OfferUpdate]:
    """Every offer 10 % cheaper and restocked (each watch triggers), or 10 % dearer at the same stock (none does)."""
    if crossing:
        return [OfferUpdate(variant_id=f"v{i}", price=round(price * 0.9, 2), stock=3) for i, price in enumerate(prices)]
    return [OfferUpdate(variant_id=f"v{i}", price=round(price * 1.1, 2), stock=_stock(i))
            for i, price in enumerate(prices)]


def _case(url: str | None, offers: int, watches: int, seed: int, crossing: bool = True,
          standing: int = 0) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(url or f"sqlite:///{Path(folder) / 'bench.db'}")
        database.migrate()
        with database.session() as session:  # a given URL is emptied first
            for table in (WatchNotificationRow, WatchRow, StandingOrderRunRow, StandingOrderRow, PricePointRow,
                          VariantRow, ProductRow):
                session.execute(delete(table))
        prices = _load(database, offers, watches - standing, random.Random(seed))
        _load_standing(database, standing, prices, datetime.now(UTC))
        updates = _updates(prices, crossing)
        started = time.perf_counter()
        with database.session() as session:
            result = update_offers(session, updates)
        seconds = time.perf_counter() - started
        with database.session() as session:  # what the repricing transaction queued, before the one-offer update
            runs = session.scalar(select(func.count()).select_from(StandingOrderRunRow)) or 0
        single_started = time.perf_counter()
        with database.session() as session:
            update_offers(session, [OfferUpdate(variant_id="v0", price=round(prices[0] * 0.5, 2))])
        single_ms = (time.perf_counter() - single_started) * 1000
        with database.session() as session:
            stored = session.scalar(select(func.count()).select_from(WatchNotificationRow)) or 0
            points = session.scalar(select(func.count()).select_from(PricePointRow)) or 0
        database.engine.dispose()
    return {"offers": offers, "watches": watches, "standing_orders": standing, "runs_queued": runs,
            "price_points": points, "update": "cheaper" if crossing else "dearer",
            "seconds": round(seconds, 3),
            "offers_per_s": round(offers / seconds), "notifications": result.notifications,
            "notifications_stored": stored, "one_offer_update_ms": round(single_ms, 1)}


def _median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median update time, and every run's seconds (the machine may be shared)."""
    ordered = sorted(runs, key=lambda run: run["seconds"])
    return ordered[len(ordered) // 2] | {"runs_seconds": [run["seconds"] for run in runs]}


def run(offers: int, watches: int, database_url: str | None, seed: int, repeats: int = 3,
        standing: int = 0) -> dict[str, Any]:
    shapes = [(0, True, 0), (watches, True, 0), (watches, False, 0)]
    shapes += [(watches, True, standing), (watches, False, standing)] if standing else []
    cases = [_median_of([_case(database_url, offers, count, seed, crossing, among) for _ in range(repeats)])
             for count, crossing, among in shapes]
    return {"database": (database_url or "sqlite").split(":", 1)[0], "repeats": repeats, "cases": cases}


def bench_watches(
    out: Annotated[Path, typer.Option(help="Where to write the JSON report")] = Path("var/reports/bench_watches.json"),
    offers: Annotated[int, typer.Option(help="Offers (one-variant products) updated in one transaction")] = 100_000,
    watches: Annotated[int, typer.Option(help="Active watches in the second case")] = 100_000,
    database_url: Annotated[str, typer.Option(help="An empty database to use instead of a temporary SQLite; "
                                                   "its catalog and watch tables are emptied")] = "",
    seed: Annotated[int, typer.Option(help="Random seed of the prices")] = 7,
    repeats: Annotated[int, typer.Option(min=1, help="Fresh runs per case; the median is reported")] = 3,
    standing_orders: Annotated[int, typer.Option(min=0, help="Two more cases where this many of the watches are "
                                                            "standing orders (buy under a target)")] = 0,
) -> None:
    """Throughput of a price update of every offer with 0 and N active watches (every one triggered, or none),
    and one offer's update latency."""
    report = run(offers, watches, database_url or None, seed, repeats, standing_orders)
    typer.echo(f"database: {report['database']}, median of {repeats} runs")
    typer.echo(f"{'offers':>8} {'watches':>8} {'standing':>8} {'update':>7} {'seconds':>8} {'offers/s':>9} "
               f"{'queued':>7} {'runs':>7} {'1-offer ms':>10}")
    for case in report["cases"]:
        typer.echo(f"{case['offers']:>8,} {case['watches']:>8,} {case['standing_orders']:>8,} {case['update']:>7} "
                   f"{case['seconds']:>8.2f} {case['offers_per_s']:>9,} "
                   f"{case['notifications']:>7,} {case['runs_queued']:>7,} {case['one_offer_update_ms']:>10.1f}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    typer.echo(f"wrote {out}")
