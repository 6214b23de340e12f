"""Stated preferences of signed-in shoppers: sizes per category, colours, materials and brands liked or avoided,
a budget per category, a language, and the same for people they buy for ('my wife likes blue').

A new statement replaces the one it contradicts: one size, budget or language per (kind, category, recipient);
one row per colour, material or brand, liked or avoided, whichever was said last. Forget-me deletes them with the
rest of the shopper's rows (ranking/privacy.py deletes every table with a shopper_id).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from commerce.tables import PreferenceRow

PreferenceKind = Literal["size", "colour", "material", "brand", "budget", "language"]
# One value per (kind, category, recipient): a new one replaces the old.
SINGLE_VALUED: frozenset[str] = frozenset({"size", "budget", "language"})


class StatedPreference(BaseModel):
    """One preference as said, before it is stored."""

    kind: PreferenceKind
    value: str = Field(min_length=1, max_length=128, description="e.g. '42', 'leather', 'blue', 'zh'")
    category: str = Field("", max_length=64, description="e.g. 'shoes'; '' means any category")
    recipient: str = Field("", max_length=64, description="e.g. 'wife'; '' means the shopper")
    avoid: bool = False
    amount: float | None = Field(None, gt=0, description="For a budget: the price cap in the shop's currency")


class Preference(StatedPreference):
    id: int


def _preference(row: PreferenceRow) -> Preference:
    return Preference(id=row.id, kind=row.kind, value=row.value, category=row.category,  # type: ignore[arg-type]
                      recipient=row.recipient, avoid=row.avoid, amount=row.amount)


def _same_slot(stated: StatedPreference):  # type: ignore[no-untyped-def]
    where = [PreferenceRow.kind == stated.kind, PreferenceRow.category == stated.category,
             PreferenceRow.recipient == stated.recipient]
    if stated.kind not in SINGLE_VALUED:
        where.append(PreferenceRow.value == stated.value)
    return where


def note_preferences(session: Session, shopper_id: str, stated: Iterable[StatedPreference]) -> list[Preference]:
    """Store each statement, replacing what it contradicts; returns the stored preferences in the order given."""
    noted = []
    for item in stated:
        session.execute(delete(PreferenceRow).where(PreferenceRow.shopper_id == shopper_id, *_same_slot(item)))
        row = PreferenceRow(shopper_id=shopper_id, **item.model_dump())
        session.add(row)
        session.flush()
        noted.append(_preference(row))
    return noted


def list_preferences(session: Session, shopper_id: str) -> list[Preference]:
    rows = session.scalars(select(PreferenceRow).where(PreferenceRow.shopper_id == shopper_id)
                           .order_by(PreferenceRow.id))
    return [_preference(row) for row in rows]


def delete_preferences(session: Session, shopper_id: str, ids: Iterable[int]) -> int:
    """Delete the shopper's preferences with these ids; another shopper's ids delete nothing."""
    wanted = list(ids)
    if not wanted:
        return 0
    result = session.execute(delete(PreferenceRow).where(PreferenceRow.shopper_id == shopper_id,
                                                         PreferenceRow.id.in_(wanted)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def delete_all_preferences(session: Session, shopper_id: str) -> int:
    result = session.execute(delete(PreferenceRow).where(PreferenceRow.shopper_id == shopper_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def matching(preferences: Iterable[Preference], kind: str | None = None, value: str | None = None,
             category: str | None = None) -> list[Preference]:
    """The preferences that a deletion such as 'forget my shoe size' or 'delete the leather one' names."""
    found = []
    for preference in preferences:
        if kind is not None and preference.kind != kind:
            continue
        if value is not None and preference.value.lower() != value.lower():
            continue
        if category is not None and preference.category and preference.category != category:
            continue
        found.append(preference)
    return found
