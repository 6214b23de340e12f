"""What the assistant does for the shop over the last N days: conversations, resolution, CTR, carts, orders and
revenue by day, language and act; unmet demand; top searches; answers rated down."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from commerce.events import DemandKind
from commerce.insight_rollup import TERMS, UNIT, UNRESOLVED, WITH_ADD_TO_CART, refresh_rollup
from commerce.tables import AttributionEventRow as E
from commerce.tables import FeedbackRow, MessageRow
from commerce.tables import InsightRollupRow as R

TOP = 25
EXAMPLES = 3
CANDIDATES = 4  # unmet terms ranked by their daily shoppers, this many times TOP, are counted exactly


class Figures(BaseModel):
    conversations: int = Field(description="Conversations with a turn, counted once per day they were active")
    turns: int
    resolution_rate: float | None = Field(description="Share of conversations without a handoff, a thumbs-down or an "
                                          "immediate rephrase")
    cards_shown: int
    clicks: int
    ctr: float | None = Field(description="Clicks per product card shown")
    add_to_cart_rate: float | None = Field(description="Share of conversations with an add-to-cart")
    assisted_orders: int = Field(description="Checkouts completed from the chat or by shopping agents")
    conversion_rate: float | None = Field(description="Assisted orders per conversation")
    revenue: float
    average_order_value: float | None
    handoffs: int
    thumbs_up: int
    thumbs_down: int


class UnmetDemandItem(BaseModel):
    term: str = Field(description="Normalized, e.g. 'kayak'")
    kind: DemandKind
    count: int
    shoppers: int = Field(description="Distinct shoppers (a session for anonymous ones)")
    first_seen: str = Field(description="ISO day it was first asked for")
    examples: list[str] = Field(description="The shoppers' own words")


class TermCount(BaseModel):
    term: str
    count: int


class RatedDown(BaseModel):
    conversation_id: str
    answer: str
    comment: str
    at: datetime


class Insights(BaseModel):
    days: int
    since: str
    until: str
    totals: Figures
    by_day: dict[str, Figures]
    by_language: dict[str, Figures]
    by_act: dict[str, Figures]
    by_variant: dict[str, Figures]
    unmet_demand: list[UnmetDemandItem]
    top_searches: list[TermCount]
    thumbs_down_answers: list[RatedDown]


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def figures(kinds: dict[str, tuple[int, int, float]]) -> Figures:
    """From (events, conversations, value) per kind."""
    def events(kind: str) -> int:
        return kinds.get(kind, (0, 0, 0.0))[0]

    conversations = kinds.get("turn", (0, 0, 0.0))[1]
    orders, revenue = events("checkout_completed"), round(kinds.get("checkout_completed", (0, 0, 0.0))[2], 2)
    unresolved = kinds.get(UNRESOLVED, (0, 0, 0.0))[1]
    return Figures(conversations=conversations, turns=events("turn"),
                   resolution_rate=_ratio(conversations - min(unresolved, conversations), conversations),
                   cards_shown=events("card_shown"), clicks=events("click"),
                   ctr=_ratio(events("click"), events("card_shown")),
                   add_to_cart_rate=_ratio(kinds.get(WITH_ADD_TO_CART, (0, 0, 0.0))[1], conversations),
                   assisted_orders=orders, conversion_rate=_ratio(orders, conversations), revenue=revenue,
                   average_order_value=round(revenue / orders, 2) if orders else None,
                   handoffs=events("handoff"), thumbs_up=events("thumbs_up"), thumbs_down=events("thumbs_down"))


def _by(session: Session, since: str, dimension: str, per_day: bool = False) -> dict[str, Figures]:
    group = R.day if per_day else R.key
    rows = session.execute(select(group, R.kind, func.sum(R.events), func.sum(R.conversations), func.sum(R.value))
                           .where(R.day >= since, R.dimension == dimension).group_by(group, R.kind))
    kinds: dict[str, dict[str, tuple[int, int, float]]] = defaultdict(dict)
    for key, kind, events, conversations, value in rows:
        kinds[key][kind] = (int(events), int(conversations), float(value or 0))
    return {key: figures(found) for key, found in sorted(kinds.items())}


def unmet_demand(session: Session, since: str, top: int = TOP) -> list[UnmetDemandItem]:
    """Ranked by distinct shoppers, then by how often it was asked. The daily rollup picks the candidates (summing
    each day's shoppers); their exact shoppers, first day and examples come from the events, by the (kind, term)
    index."""
    daily_shoppers = func.sum(R.conversations)
    candidates = session.execute(select(R.key, R.kind, func.sum(R.events))
                                 .where(R.day >= since, R.dimension == TERMS, R.kind.like("unmet:%"))
                                 .group_by(R.key, R.kind)
                                 .order_by(daily_shoppers.desc(), func.sum(R.events).desc(), R.key)
                                 .limit(top * CANDIDATES)).all()
    found = []
    for term, kind, count in candidates:
        same = (E.kind == "unmet", E.term == term, E.detail == kind.removeprefix("unmet:"))
        shoppers = session.scalar(select(func.count(distinct(UNIT))).where(*same, E.day >= since)) or 0
        first = session.scalar(select(func.min(E.day)).where(*same))
        examples = list(session.scalars(select(E.text).where(*same, E.day >= since).group_by(E.text)
                                        .order_by(func.max(E.id).desc()).limit(EXAMPLES)))
        found.append(UnmetDemandItem(term=term, kind=kind.removeprefix("unmet:"), count=int(count),
                                     shoppers=shoppers, first_seen=first or since, examples=examples))
    found.sort(key=lambda item: (-item.shoppers, -item.count, item.term))
    return found[:top]


def top_searches(session: Session, since: str, top: int = TOP) -> list[TermCount]:
    count = func.sum(R.events)
    rows = session.execute(select(R.key, count).where(R.day >= since, R.dimension == TERMS, R.kind == "search")
                           .group_by(R.key).order_by(count.desc(), R.key).limit(top))
    return [TermCount(term=term, count=int(n)) for term, n in rows]


def thumbs_down_answers(session: Session, since: datetime, top: int = TOP) -> list[RatedDown]:
    rows = session.execute(select(FeedbackRow.conversation_id, MessageRow.text, FeedbackRow.comment,
                                  FeedbackRow.created_at)
                           .join(MessageRow, MessageRow.id == FeedbackRow.message_id)
                           .where(FeedbackRow.rating == "down", FeedbackRow.created_at >= since)
                           .order_by(FeedbackRow.id.desc()).limit(top))
    return [RatedDown(conversation_id=c, answer=text, comment=comment, at=at) for c, text, comment, at in rows]


def insights(session: Session, days: int, today: date | None = None) -> Insights:
    """The last `days` days up to today (UTC), the rollup brought up to date first."""
    refresh_rollup(session)
    until = today or datetime.now(UTC).date()
    start = until - timedelta(days=days - 1)
    since = start.isoformat()
    totals = _by(session, since, "all").get("", figures({}))
    return Insights(days=days, since=since, until=until.isoformat(), totals=totals,
                    by_day=_by(session, since, "all", per_day=True), by_language=_by(session, since, "language"),
                    by_act=_by(session, since, "act"), by_variant=_by(session, since, "variant"),
                    unmet_demand=unmet_demand(session, since), top_searches=top_searches(session, since),
                    thumbs_down_answers=thumbs_down_answers(session, datetime.combine(start, datetime.min.time(),
                                                                                      tzinfo=UTC)))


def unmet_demand_csv(items: list[UnmetDemandItem]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["term", "kind", "count", "shoppers", "first_seen", "examples"])
    for item in items:
        writer.writerow([item.term, item.kind, item.count, item.shoppers, item.first_seen, " | ".join(item.examples)])
    return out.getvalue()
