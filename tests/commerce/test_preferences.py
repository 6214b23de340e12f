"""Preference store: replacing what a new statement contradicts, one shopper's rows only, forget-me erases them."""

from __future__ import annotations

from pathlib import Path

import pytest

from commerce.db import Database
from commerce.preferences import (
    StatedPreference,
    delete_all_preferences,
    delete_preferences,
    list_preferences,
    matching,
    note_preferences,
)
from ranking.privacy import erase_shopper


@pytest.fixture
def database(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'shop.db'}")
    db.migrate()
    return db


def _note(database: Database, shopper: str, *stated: StatedPreference) -> None:
    with database.session() as session:
        note_preferences(session, shopper, stated)


def _listed(database: Database, shopper: str = "s1") -> list[tuple[str, str, str, bool]]:
    with database.session() as session:
        return [(p.kind, p.value, p.category, p.avoid) for p in list_preferences(session, shopper)]


def test_a_new_size_replaces_the_old_one_of_the_same_category(database: Database) -> None:
    _note(database, "s1", StatedPreference(kind="size", value="42", category="shoes"),
          StatedPreference(kind="size", value="M", category="clothing"))
    _note(database, "s1", StatedPreference(kind="size", value="43", category="shoes"))
    assert sorted(_listed(database)) == [("size", "43", "shoes", False), ("size", "M", "clothing", False)]


def test_liking_what_was_avoided_flips_it_and_colours_accumulate(database: Database) -> None:
    _note(database, "s1", StatedPreference(kind="colour", value="red", avoid=True),
          StatedPreference(kind="colour", value="blue"))
    _note(database, "s1", StatedPreference(kind="colour", value="red"))
    assert sorted(_listed(database)) == [("colour", "blue", "", False), ("colour", "red", "", False)]


def test_deleting_touches_only_the_shoppers_own_rows(database: Database) -> None:
    _note(database, "s1", StatedPreference(kind="material", value="leather", avoid=True))
    _note(database, "s2", StatedPreference(kind="material", value="wool", avoid=True))
    with database.session() as session:
        theirs = list_preferences(session, "s2")[0].id
        assert delete_preferences(session, "s1", [theirs]) == 0
        mine = matching(list_preferences(session, "s1"), value="Leather")
        assert delete_preferences(session, "s1", [p.id for p in mine]) == 1
    assert _listed(database) == []
    assert _listed(database, "s2") == [("material", "wool", "", True)]
    with database.session() as session:
        assert delete_all_preferences(session, "s2") == 1
    assert _listed(database, "s2") == []


def test_forget_me_erases_preferences(database: Database) -> None:
    _note(database, "s1", StatedPreference(kind="budget", value="80", category="shoes", amount=80))
    with database.session() as session:
        assert erase_shopper(session, "s1")["preferences"] == 1
    assert _listed(database) == []
