"""`eval all` keeps going when a part is missing or broken: that part's section says so."""

from __future__ import annotations

from pathlib import Path

from evals.all import _guarded
from evals.report.write import Section, write_report


def _missing() -> Section:
    raise ImportError("No module named 'evals.search.retrieval'")


def _broken() -> Section:
    raise RuntimeError("index corrupt")


def test_missing_and_failing_parts_become_sections(tmp_path: Path) -> None:
    sections = [_guarded("Retrieval", _missing), _guarded("Reco", _broken),
                _guarded("Gold", lambda: Section(title="Gold", summary={"passed": 0.5}))]
    assert [s.status for s in sections] == ["not available", "failed", "ok"]
    paths = write_report(tmp_path, "all", sections, {})
    markdown = paths["markdown"].read_text()
    assert "**not available**: ImportError" in markdown and "| passed | 0.500 |" in markdown


def test_retrieval_section_reads_the_latest_report_per_dataset(tmp_path: Path) -> None:
    import json
    import os

    from evals.all import retrieval_section
    from shopassist.settings import load_settings

    reports = tmp_path / "var" / "reports"
    reports.mkdir(parents=True)
    for name, ndcg in (("retrieval-demo-1.json", 0.4), ("retrieval-demo-2.json", 0.5)):
        (reports / name).write_text(json.dumps({"dataset": "demo", "all": {"shipped": {"en": {"ndcg@10": ndcg}}}}))
    os.utime(reports / "retrieval-demo-1.json", (1, 1))
    section = retrieval_section(load_settings(data_dir=tmp_path / "var", env="test"), tmp_path)
    assert section.table == [{"dataset": "demo", "language": "en", "retriever": "shipped", "ndcg@10": 0.5}]
