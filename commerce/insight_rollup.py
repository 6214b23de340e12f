"""Attribution events pre-aggregated by day, kept current incrementally: only days with new events are folded again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, delete, distinct, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commerce.tables import AttributionEventRow as E
from commerce.tables import InsightRollupRow as R

DIMENSIONS = {"all": literal(""), "language": E.language, "act": E.act, "variant": E.variant}
UNRESOLVED = "unresolved"  # pseudo-kind: distinct conversations with a handoff, a thumbs-down or a rephrase
UNRESOLVING = ("handoff", "thumbs_down", "rephrase")
WITH_ADD_TO_CART = "converted_cart"  # pseudo-kind: distinct conversations with an add-to-cart
TERMS = "term"  # dimension of searches (kind 'search') and unmet demand (kind 'unmet:<its kind>') by their term
UNIT = func.coalesce(E.shopper_id, E.conversation_id)  # a shopper, or the session of an anonymous one


def _grouped(days: list[str], through_id: int, dimension: str) -> list[Any]:
    key = DIMENSIONS[dimension]
    scope = (E.day.in_(days), E.id <= through_id)
    columns = (E.day, literal(dimension), key)
    plain = (select(*columns, E.kind, func.count(), func.count(distinct(E.conversation_id)),
                    func.coalesce(func.sum(E.value), 0.0), literal(through_id))
             .where(*scope).group_by(E.day, key, E.kind))
    pseudo = [select(*columns, literal(name), func.count(), func.count(distinct(E.conversation_id)), literal(0.0),
                     literal(through_id)).where(*scope, E.kind.in_(kinds)).group_by(E.day, key)
              for name, kinds in ((UNRESOLVED, UNRESOLVING), (WITH_ADD_TO_CART, ("add_to_cart",)))]
    return [plain, *pseudo]


def _terms(days: list[str], through_id: int) -> Any:
    """Searches and unmet demand per day and term; `conversations` holds the distinct shoppers of that day."""
    kind = case((E.kind == "unmet", "unmet:" + E.detail), else_=E.kind)
    return (select(E.day, literal(TERMS), E.term, kind, func.count(), func.count(distinct(UNIT)), literal(0.0),
                   literal(through_id))
            .where(E.day.in_(days), E.id <= through_id, E.kind.in_(("search", "unmet")))
            .group_by(E.day, E.term, E.kind, E.detail))


def refresh_rollup(session: Session) -> int:
    """Fold the days that have events newer than the rollup into it again (all of each such day, so late events
    count); how many days. Two refreshes racing: the second finds the rows written and leaves them."""
    through = session.scalar(select(func.max(E.id))) or 0
    watermark = session.scalar(select(func.max(R.through_id))) or 0
    if through <= watermark:
        return 0
    days = list(session.scalars(select(E.day).distinct().where(E.id > watermark, E.id <= through)))
    target = (R.day, R.dimension, R.key, R.kind, R.events, R.conversations, R.value, R.through_id)
    try:
        with session.begin_nested():
            session.execute(delete(R).where(R.day.in_(days)))
            for dimension in DIMENSIONS:
                for query in _grouped(days, through, dimension):
                    session.execute(insert(R).from_select(target, query))
            session.execute(insert(R).from_select(target, _terms(days, through)))
    except IntegrityError:
        return 0
    return len(days)


def rebuild_rollup(session: Session) -> int:
    """Drop the rollup and fold every day again (after a bulk import or an erasure)."""
    session.execute(delete(R))
    return refresh_rollup(session)
