"""`shopassist bench watches` at a toy size: the standing-order cases queue one run per standing order when every
offer drops under its target, none when prices rise, and each case reports its price-history points."""

from __future__ import annotations

from evals.bench.watches import run


def test_the_standing_order_cases_queue_runs_only_when_prices_drop() -> None:
    report = run(offers=60, watches=30, database_url=None, seed=7, repeats=1, standing=12)
    cases = {(case["standing_orders"], case["update"]): case for case in report["cases"]}
    assert set(cases) == {(0, "cheaper"), (0, "dearer"), (12, "cheaper"), (12, "dearer")}
    assert cases[(12, "cheaper")]["runs_queued"] == 12 and cases[(12, "dearer")]["runs_queued"] == 0
    assert cases[(0, "cheaper")]["runs_queued"] == 0
    assert all(case["price_points"] >= 60 for case in report["cases"])  # each offer's change is in the history
