"""`shopassist bench insights`: the insights report over 1M and 10M attribution events, on SQLite or Postgres.

Each size loads a fresh database with N synthetic events spread over `days` days (kinds in the mix a chat makes:
turns, cards, clicks, carts, orders, handoffs, ratings, searches and unmet demand with Zipf-distributed terms), then
times: folding every day into the daily rollup (once; afterwards only days with new events are folded), the report
with the rollup current, the report after one more day of events arrives (today folded again), and, for scale, one
plain GROUP BY over the raw events of the window, which is what the report would cost without the rollup."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from sqlalchemy import delete, func, select

from commerce.db import Database
from commerce.insight_rollup import rebuild_rollup
from commerce.insights import insights
from commerce.tables import AttributionEventRow as E
from commerce.tables import InsightRollupRow

KINDS = ("turn", "card_shown", "click", "add_to_cart", "checkout_started", "checkout_completed", "handoff",
         "thumbs_up", "thumbs_down", "rephrase", "search", "unmet", "exposure")
SHARES = np.array([24, 45, 4.5, 1.2, 0.5, 0.4, 0.5, 1, 0.4, 1, 18, 2, 0.2]) / 100
ACTS = ("product_search", "refinement", "policy_question", "order_status", "greeting", "other")
DEMAND = ("kind", "brand", "size", "price", "policy", "zero_result")
COLUMNS = ("at", "day", "kind", "conversation_id", "shopper_id", "language", "act", "variant", "product_id",
           "position", "reason", "value", "order_id", "term", "detail", "text")
CHUNK = 200_000


def _rows(n: int, days: int, today: date, rng: np.random.Generator) -> Iterator[list[tuple[Any, ...]]]:
    """Events in chunks: each a tuple in COLUMNS order, `at` as 'YYYY-MM-DD HH:MM:SS' UTC."""
    midnight = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        kinds = rng.choice(len(KINDS), size, p=SHARES / SHARES.sum())
        offsets = rng.integers(0, days, size)
        seconds = rng.integers(0, 86_400, size)
        conversations = rng.integers(0, max(n // 12, 1), size)
        terms = rng.zipf(1.3, size) % 5000
        acts, languages = rng.integers(0, len(ACTS), size), rng.random(size) < 0.3
        values = rng.gamma(2.0, 40.0, size)
        chunk = []
        for i in range(size):
            kind = KINDS[kinds[i]]
            at = midnight - timedelta(days=int(offsets[i])) + timedelta(seconds=int(seconds[i]))
            term = f"item {terms[i]}" if kind in ("search", "unmet") else ""
            detail = DEMAND[terms[i] % len(DEMAND)] if kind == "unmet" else ""
            value = float(values[i]) if kind in ("turn", "checkout_completed") else None
            chunk.append((at.strftime("%Y-%m-%d %H:%M:%S"), at.date().isoformat(), kind, f"c{conversations[i]}",
                          f"s{conversations[i] // 4}", "zh" if languages[i] else "en", ACTS[acts[i]], "",
                          "p_1" if kind in ("card_shown", "click", "add_to_cart") else None, None, "", value, None,
                          term, detail, f"do you have {term}?" if kind == "unmet" else ""))
        yield chunk


def _load(database: Database, n: int, days: int, today: date, seed: int) -> float:
    started = time.perf_counter()
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for chunk in _rows(n, days, today, np.random.default_rng(seed)):
            if database.engine.dialect.name == "postgresql":
                _copy(cursor, chunk)
            else:
                marks = ", ".join("?" for _ in COLUMNS)
                cursor.executemany(f"INSERT INTO attribution_events ({', '.join(COLUMNS)}) VALUES ({marks})", chunk)
            raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - started


def _copy(cursor: Any, chunk: list[tuple[Any, ...]]) -> None:
    with cursor.copy(f"COPY attribution_events ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for row in chunk:
            copy.write_row((row[0] + "+00", *row[1:]))


def _timed(work: Any, repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _case(url: str | None, n: int, days: int, seed: int, repeats: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(url or f"sqlite:///{Path(folder) / 'insights.db'}")
        database.migrate()
        with database.session() as session:
            session.execute(delete(E))
            session.execute(delete(InsightRollupRow))
        today = datetime.now(UTC).date()
        load_s = _load(database, n, days, today - timedelta(days=1), seed)
        with database.session() as session:
            rollup_s, _ = _timed(lambda: rebuild_rollup(session), 1)
        with database.session() as session:
            report_s, report = _timed(lambda: insights(session, days, today), repeats)
        new_day = n // days
        load_day_s = _load(database, new_day, 1, today, seed + 1)
        with database.session() as session:
            incremental_s, _ = _timed(lambda: insights(session, days, today), 1)
        since = (today - timedelta(days=days - 1)).isoformat()
        with database.session() as session:
            raw_s, _ = _timed(lambda: session.execute(
                select(E.kind, func.count(), func.count(func.distinct(E.conversation_id)), func.sum(E.value))
                .where(E.day >= since).group_by(E.kind)).all(), 1)
        database.engine.dispose()
    return {"events": n, "days": days, "load_s": round(load_s, 1), "rollup_build_s": round(rollup_s, 2),
            "insights_s": round(report_s, 3), "new_day_events": new_day, "new_day_load_s": round(load_day_s, 2),
            "insights_after_new_day_s": round(incremental_s, 3), "raw_group_by_s": round(raw_s, 2),
            "conversations": report.totals.conversations, "unmet_terms": len(report.unmet_demand)}


def bench_insights(
    out: Annotated[Path, typer.Option(help="Where to write the JSON report")] = Path("var/reports/bench_insights.json"),
    events: Annotated[list[int], typer.Option("--events", help="Event counts, repeatable")] = [1_000_000,  # noqa: B006
                                                                                              10_000_000],
    days: Annotated[int, typer.Option(min=1, help="Days the events spread over; the report covers them")] = 90,
    database_url: Annotated[str, typer.Option(help="An empty database instead of a temporary SQLite; its "
                                                   "attribution tables are emptied")] = "",
    seed: Annotated[int, typer.Option(help="Random seed of the events")] = 7,
    repeats: Annotated[int, typer.Option(min=1, help="Report timings: the median of this many")] = 3,
) -> None:
    """Time the insights report over N attribution events (load, rollup, report, a new day, raw GROUP BY)."""
    cases = [_case(database_url or None, n, days, seed, repeats) for n in events]
    report = {"database": (database_url or "sqlite").split(":", 1)[0], "cases": cases}
    typer.echo(f"database: {report['database']}")
    typer.echo(f"{'events':>11} {'load s':>7} {'rollup s':>9} {'insights s':>11} {'+1 day s':>9} {'raw s':>7}")
    for case in cases:
        typer.echo(f"{case['events']:>11,} {case['load_s']:>7.1f} {case['rollup_build_s']:>9.2f} "
                   f"{case['insights_s']:>11.3f} {case['insights_after_new_day_s']:>9.3f} "
                   f"{case['raw_group_by_s']:>7.2f}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    typer.echo(f"wrote {out}")

