"""`bench serve`: the offered concurrency it reports, and a small run against a real replica losing nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.bench.serve import _turns_in_flight, bench_serve


def test_turns_in_flight_counts_overlaps_and_the_mean_over_the_busy_time() -> None:
    spans = [(0.0, 2.0), (1.0, 3.0), (1.5, 2.5), (3.0, 4.0)]
    assert _turns_in_flight(spans) == {"max": 3, "mean": 1.5}  # 6 turn-seconds over 4 busy seconds
    assert _turns_in_flight([]) == {"max": 0, "mean": 0.0}


@pytest.mark.slow
def test_a_small_paced_run_answers_every_turn_and_loses_no_token(tmp_path: Path) -> None:
    out = tmp_path / "serve.json"
    bench_serve(sessions=6, turns=2, tokens_per_s=200.0, ramp_s=0.5, think_s=0.2, replicas=1, client_processes=1,
                out=out)
    report = json.loads(out.read_text())
    assert report["turns_done"] == 12 and report["failed_sessions"] == 0
    assert report["tokens_lost"] == 0 and report["turns_with_text_mismatch"] == 0
    assert report["offered_turns_per_s"] > 0 and report["turns_in_flight"]["max"] >= 1
    assert (report["ramp_s"], report["think_s"]) == (0.5, 0.2)
