"""Standing and recurring orders in words, rendered by code from the typed records (EN/ZH): the shopper's lists,
and what a standing order's run did ('I bought 1 × Trail Runner X for you at $89.00 …' or why it did not)."""

from __future__ import annotations

from agent.templates import Templates, money
from commerce.standing_order_runs import RunNotice
from tools.recurring_orders import RecurringOrderList
from tools.standing_orders import StandingOrderList


def standing_order_lines(listed: StandingOrderList, templates: Templates) -> list[str]:
    say = templates.say
    if not listed.standing_orders:
        return [say("standing_orders", "none")]
    lines = [say("standing_orders", "intro", count=len(listed.standing_orders))]
    for number, view in enumerate(listed.standing_orders, start=1):
        price = money(view.price_now, view.currency) if view.price_now is not None else "—"
        lines.append(say("standing_orders", "line", number=number, quantity=view.quantity, title=view.title,
                         target=money(view.price_below, view.currency), price=price,
                         ceiling=money(view.ceiling, view.currency), until=view.expires_at.date().isoformat()))
    return lines


def _why(reason: str, templates: Templates) -> str:
    key = f"why_{reason}"
    return templates.say("standing_orders", key if key in templates.sections["standing_orders"] else "why_other")


def recurring_order_lines(listed: RecurringOrderList, templates: Templates) -> list[str]:
    say = templates.say
    if not listed.recurring_orders:
        return [say("recurring_orders", "none")]
    lines = [say("recurring_orders", "intro", count=len(listed.recurring_orders))]
    for number, view in enumerate(listed.recurring_orders, start=1):
        line = say("recurring_orders", "line", number=number, title=view.title, days=view.every_days,
                   next=view.next_at.date().isoformat())
        failed = view.last_reason and view.last_reason != "skipped"
        lines.append(line + (say("recurring_orders", "last_skipped", why=_why(view.last_reason, templates))
                             if failed else ""))
    return lines


def run_notice_text(notice: RunNotice, templates: Templates, cancel_minutes: int, away: bool = False) -> str:
    say = templates.say
    if notice.status == "placed":
        text = say("standing_orders", "placed", quantity=notice.quantity, title=notice.title,
                   price=money(notice.price, notice.currency), total=money(notice.total or 0.0, notice.currency),
                   order_id=notice.order_id or "", minutes=cancel_minutes)
    else:
        text = say("standing_orders", "failed", title=notice.title, why=_why(notice.reason, templates))
    return say("watches", "away", text=text) if away else text
