"""A price question's answer is rendered by code from the typed history, in English and Chinese, and the chart
event carries the same figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent.prompts import PROMPTS_DIR
from agent.render import RenderContext, render_outcomes
from agent.render_price_history import price_event
from agent.state import ToolOutcome
from agent.templates import load_templates
from tools.price_history import ChartPoint, PriceHistoryView, PriceWindow

TEMPLATES = load_templates(PROMPTS_DIR)
NOW = datetime(2026, 11, 20, tzinfo=UTC)
VIEW = PriceHistoryView(
    product_id="p1", title="Trail Runner X", price_now=89.0, in_stock=True, verdict="lowest_year",
    windows=[PriceWindow(days=30, low=89.0, high=99.0, median=99.0, covered_days=30),
             PriceWindow(days=90, low=89.0, high=109.0, median=99.0, covered_days=90),
             PriceWindow(days=365, low=89.0, high=119.0, median=109.0, covered_days=200)],
    points=[ChartPoint(at=NOW - timedelta(days=200), price=119.0, in_stock=True),
            ChartPoint(at=NOW - timedelta(days=2), price=89.0, in_stock=True)],
    since=NOW - timedelta(days=365), until=NOW)


def _outcome(view: PriceHistoryView) -> ToolOutcome:
    return ToolOutcome(name="price_history", arguments={"product_id": view.product_id}, ok=True,
                       data=view.model_dump(mode="json"), output=view)


def _say(view: PriceHistoryView, language: str) -> str:
    templates = TEMPLATES[language]  # type: ignore[index]
    return render_outcomes([_outcome(view)], RenderContext(templates=templates, message=""))


def test_the_answer_states_today_the_verdict_and_each_window_in_english() -> None:
    assert _say(VIEW, "en").splitlines() == [
        "Trail Runner X is $89.00 today.",
        "That is its lowest price in the past year — a good time to buy.",
        "Last 30 days: lowest $89.00, highest $99.00, median $99.00.",
        "Last 90 days: lowest $89.00, highest $109.00, median $99.00.",
        "Last 365 days (history for 200 of them): lowest $89.00, highest $119.00, median $109.00.",
    ]


def test_the_answer_in_chinese() -> None:
    dear = VIEW.model_copy(update={"price_now": 109.0, "verdict": "above_typical", "in_stock": False})
    assert _say(dear, "zh").splitlines()[:2] == [
        "Trail Runner X今天的价格是$109.00（目前缺货）。",
        "高于它的常见价格（近90天中位价$99.00），它曾低至$89.00。",
    ]


def test_no_history_is_said_plainly() -> None:
    bare = VIEW.model_copy(update={"verdict": "no_history", "windows": [], "points": []})
    assert _say(bare, "en").splitlines() == [
        "Trail Runner X is $89.00 today.",
        "I have no price history for it yet, so I can't say whether that is a good price."]


def test_the_chart_event_carries_the_points_and_the_year_low_and_high() -> None:
    event = price_event(_outcome(VIEW), TEMPLATES["zh"])
    assert event is not None and event.type == "price_history"
    assert (event.low, event.high, event.price_now) == (89.0, 119.0, 89.0)
    assert [point.price for point in event.points] == [119.0, 89.0]
    assert event.text == "这是它过去一年的最低价，现在买很划算。"
    failed = ToolOutcome(name="price_history", arguments={}, ok=False, data="no", error_code="unknown_product")
    assert price_event(failed, TEMPLATES["en"]) is None
