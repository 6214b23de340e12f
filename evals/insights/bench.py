"""`shopassist bench insights`: the insights report over 1M and 10M attribution events, on SQLite or Postgres.

Each size loads a fresh database with N synthetic events spread over `days` days (kinds in the mix a chat makes:
turns, cards, clicks, carts, orders, handoffs, ratings, searches and unmet demand with Zipf-distributed terms), then
times: folding every day into the daily rollup (once; afterwards only days with new events are folded), the report
with the rollup current, the report after one more day of events arrives (today folded again), and, for scale, one
plain GROUP BY over the raw events of the window, which is what the report would cost without the rollup."""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from sqlalchemy import delete, func, select, text

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
CHUNK = 1_000_000


def _uniform(dialect: str) -> str:
    return "random()" if dialect == "postgresql" else "(abs(random()) % 1000000) / 1000000.0"


def _whole(dialect: str, expression: str) -> str:
    return f"CAST(floor({expression}) AS INTEGER)" if dialect == "postgresql" else f"CAST({expression} AS INTEGER)"


def _insert_sql(dialect: str, size: int, days: int, conversations: int) -> str:
    """One INSERT … SELECT that makes `size` events inside the database (a Python loop would take minutes per
    million): the mix of SHARES, days uniform, conversations of ~12 events, Zipf-like terms (a product of uniforms)."""
    u, whole = _uniform(dialect), lambda e: _whole(dialect, e)
    bounds = np.cumsum(SHARES / SHARES.sum())
    kind = "CASE " + " ".join(f"WHEN uk < {bound:.6f} THEN '{name}'" for bound, name in zip(bounds[:-1], KINDS,
                                                                                          strict=False))
    kind += f" ELSE '{KINDS[-1]}' END"
    demand = "CASE " + " ".join(f"WHEN {whole('ut1 * 6')} = {i} THEN '{name}'" for i, name in enumerate(DEMAND))
    act = "CASE " + " ".join(f"WHEN {whole(f'ua * {len(ACTS)}')} = {i} THEN '{name}'" for i, name in enumerate(ACTS))
    if dialect == "postgresql":
        rows = f"seq AS (SELECT generate_series(0, {size - 1}) AS i)"
        at = "CAST(:base AS timestamptz) - make_interval(days => d) + make_interval(secs => s)"
        day = "to_char(CAST(:base AS date) - d, 'YYYY-MM-DD')"
        prefix = "WITH"
    else:
        rows = f"seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < {size - 1})"
        at = "datetime(:base, '-' || d || ' days', '+' || s || ' seconds')"
        day = "date(:base, '-' || d || ' days')"
        prefix = "WITH RECURSIVE"
    uniforms = ", ".join(f"{u} AS {name}" for name in ("uk", "ud", "us", "uc", "ut1", "ut2", "ul", "ua", "uv"))
    return f"""{prefix} {rows},
u AS MATERIALIZED (SELECT i, {uniforms} FROM seq),
r AS MATERIALIZED (SELECT u.*, {kind} AS kind, {whole(f"ud * {days}")} AS d, {whole("us * 86400")} AS s,
                   {whole(f"uc * {conversations}")} AS conversation, {whole("ut1 * ut2 * 5000")} AS term_n FROM u)
INSERT INTO attribution_events ({", ".join(COLUMNS)})
SELECT {at}, {day}, kind, 'c' || conversation, 's' || {whole("conversation / 4")},
       CASE WHEN ul < 0.3 THEN 'zh' ELSE 'en' END, {act} END, '',
       CASE WHEN kind IN ('card_shown', 'click', 'add_to_cart') THEN 'p_1' END, NULL, '',
       CASE WHEN kind IN ('turn', 'checkout_completed') THEN uv * 160 END, NULL,
       CASE WHEN kind IN ('search', 'unmet') THEN 'item ' || term_n ELSE '' END,
       CASE WHEN kind = 'unmet' THEN {demand} END ELSE '' END,
       CASE WHEN kind = 'unmet' THEN 'do you have item ' || term_n || '?' ELSE '' END
FROM r"""


def _load(database: Database, n: int, days: int, last_day: date) -> float:
    """n events over the `days` days up to `last_day`, made by the database in chunks of a million."""
    started = time.perf_counter()
    dialect = database.engine.dialect.name
    base = f"{last_day.isoformat()} 00:00:00" + ("+00" if dialect == "postgresql" else "")
    conversations = max(n // 12, 1)
    for offset in range(0, n, CHUNK):
        size = min(CHUNK, n - offset)
        with database.engine.begin() as connection:
            connection.execute(text(_insert_sql(dialect, size, days, conversations)), {"base": base})
    return time.perf_counter() - started


def _timed(work: Any, repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _case(url: str | None, n: int, days: int, repeats: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(url or f"sqlite:///{Path(folder) / 'insights.db'}")
        database.migrate()
        with database.session() as session:
            session.execute(delete(E))
            session.execute(delete(InsightRollupRow))
        today = datetime.now(UTC).date()
        load_s = _load(database, n, days, today - timedelta(days=1))
        with database.session() as session:
            rollup_s, _ = _timed(lambda: rebuild_rollup(session), 1)
        with database.session() as session:
            report_s, report = _timed(lambda: insights(session, days, today), repeats)
        new_day = n // days
        load_day_s = _load(database, new_day, 1, today)
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
    repeats: Annotated[int, typer.Option(min=1, help="Report timings: the median of this many")] = 3,
) -> None:
    """Time the insights report over N attribution events (load, rollup, report, a new day, raw GROUP BY)."""
    load_before = [round(load, 2) for load in os.getloadavg()]
    cases = [_case(database_url or None, n, days, repeats) for n in events]
    report = {"database": (database_url or "sqlite").split(":", 1)[0], "cpu_count": os.cpu_count(),
              "load_average_before": load_before, "load_average_after": [round(x, 2) for x in os.getloadavg()],
              "cases": cases}
    typer.echo(f"database: {report['database']}")
    typer.echo(f"{'events':>11} {'load s':>7} {'rollup s':>9} {'insights s':>11} {'+1 day s':>9} {'raw s':>7}")
    for case in cases:
        typer.echo(f"{case['events']:>11,} {case['load_s']:>7.1f} {case['rollup_build_s']:>9.2f} "
                   f"{case['insights_s']:>11.3f} {case['insights_after_new_day_s']:>9.3f} "
                   f"{case['raw_group_by_s']:>7.2f}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    typer.echo(f"wrote {out}")

