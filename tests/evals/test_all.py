"""`eval all` keeps going when a part is missing or broken: that part's section says so."""

from __future__ import annotations

from pathlib import Path

from evals.all import _guarded
from evals.report import Section, write_report


def _missing() -> Section:
    raise ImportError("No module named 'evals.retrieval'")


def _broken() -> Section:
    raise RuntimeError("index corrupt")


def test_missing_and_failing_parts_become_sections(tmp_path: Path) -> None:
    sections = [_guarded("Retrieval", _missing), _guarded("Reco", _broken),
                _guarded("Gold", lambda: Section(title="Gold", summary={"passed": 0.5}))]
    assert [s.status for s in sections] == ["not available", "failed", "ok"]
    paths = write_report(tmp_path, "all", sections, {})
    markdown = paths["markdown"].read_text()
    assert "**not available**: ImportError" in markdown and "| passed | 0.500 |" in markdown
