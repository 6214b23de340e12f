"""The router's phrasing data: every table's rows hold, and the engine refuses broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.phrasings import PhrasingBook, PhrasingFileError, first_group, phrasing_book

BOOK = phrasing_book()
ROWS = [(name, language, text, True) for name in BOOK.names() for language, table in BOOK.languages(name).items()
        for text in table.match]
ROWS += [(name, language, text, False) for name in BOOK.names() for language, table in BOOK.languages(name).items()
         for text in table.no_match]


@pytest.mark.parametrize(("name", "language", "text", "expected"), ROWS,
                         ids=[f"{name}-{language}-{'match' if expected else 'no'}-{i}"
                              for i, (name, language, _, expected) in enumerate(ROWS)])
def test_each_row_of_the_phrasing_files(name: str, language: str, text: str, expected: bool) -> None:
    assert bool(BOOK.pattern(name).search(text)) is expected


def test_every_table_has_rows_both_ways() -> None:
    bare = [f"{language}:{name}" for name in BOOK.names() for language, table in BOOK.languages(name).items()
            if not table.match or not table.no_match]
    assert not bare


def test_a_table_is_one_alternation_across_languages(tmp_path: Path) -> None:
    (tmp_path / "en.toml").write_text("[cancel]\n" + r"patterns = ['\bcancel (my )?(\w+)']", encoding="utf-8")
    (tmp_path / "zh.toml").write_text("[cancel]\n" + r"patterns = ['取消(\w+)']", encoding="utf-8")
    book = PhrasingBook.load(tmp_path)
    assert first_group(book.pattern("cancel").search("请取消订单")) == "订单"
    assert first_group(book.pattern("cancel").search("Cancel my order")) == "my "


def test_a_pattern_that_does_not_compile_names_its_table(tmp_path: Path) -> None:
    (tmp_path / "en.toml").write_text("[cart_add]\npatterns = ['add (to cart']\n", encoding="utf-8")
    with pytest.raises(PhrasingFileError, match="cart_add"):
        PhrasingBook.load(tmp_path)


def test_an_unknown_key_in_a_table_is_refused(tmp_path: Path) -> None:
    (tmp_path / "zh.toml").write_text("[greeting]\npatterns = ['你好']\nmatches = ['你好']\n", encoding="utf-8")
    with pytest.raises(PhrasingFileError, match="zh.toml"):
        PhrasingBook.load(tmp_path)
