"""'Is this a good price?' in words and as a chart event, rendered by code from the typed price history (EN/ZH)."""

from __future__ import annotations

from agent.events import PriceHistoryEvent, PricePoint
from agent.state import ToolOutcome
from agent.templates import Templates, money
from tools.price_history import PriceHistoryView


def verdict_text(view: PriceHistoryView, templates: Templates) -> str:
    quarter = next((window for window in view.windows if window.days == 90), None)
    values = {"title": view.title, "price": money(view.price_now, view.currency)}
    if quarter is not None:
        values |= {"median": money(quarter.median, view.currency), "low": money(quarter.low, view.currency),
                   "high": money(quarter.high, view.currency)}
    return templates.say("price_history", view.verdict, **values)


def price_lines(view: PriceHistoryView, templates: Templates) -> list[str]:
    """'Trail Runner X is $89.00 today — its lowest price in the past year.' then one line per window."""
    say = templates.say
    stock = "" if view.in_stock else say("price_history", "sold_out")
    lines = [say("price_history", "today", title=view.title, price=money(view.price_now, view.currency), stock=stock),
             verdict_text(view, templates)]
    for window in view.windows:
        key = "window" if window.covered_days >= window.days else "window_partial"
        lines.append(say("price_history", key, days=window.days, covered=window.covered_days,
                         low=money(window.low, view.currency), high=money(window.high, view.currency),
                         median=money(window.median, view.currency)))
    return lines


def price_event(outcome: ToolOutcome, templates: Templates) -> PriceHistoryEvent | None:
    if not outcome.ok or not isinstance(outcome.output, PriceHistoryView):
        return None
    view = outcome.output
    year = next((window for window in view.windows if window.days == 365), None)
    return PriceHistoryEvent(
        product_id=view.product_id, title=view.title, currency=view.currency, price_now=view.price_now,
        low=year.low if year else None, high=year.high if year else None, since=view.since.isoformat(),
        until=view.until.isoformat(), text=verdict_text(view, templates),
        points=[PricePoint(at=point.at.isoformat(), price=point.price, in_stock=point.in_stock)
                for point in view.points])
