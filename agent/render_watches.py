"""A shopper's alerts and their notifications in words, rendered by code from the typed records (EN/ZH)."""

from __future__ import annotations

from agent.templates import Templates, money
from commerce.notifications import Notification
from tools.watches import WatchList


def watch_lines(listed: WatchList, templates: Templates) -> list[str]:
    """'Your alerts (2):' then one numbered line per alert with what it waits for and until when."""
    say = templates.say
    if not listed.watches:
        return [say("watches", "none")]
    lines = [say("watches", "intro", count=len(listed.watches))]
    for number, view in enumerate(listed.watches, start=1):
        price = money(view.price_now, view.currency) if view.price_now is not None else "—"
        stock = say("watches", "now_in_stock" if view.in_stock else "now_sold_out")
        threshold = money(view.price_below, view.currency) if view.price_below is not None else ""
        lines.append(say("watches", f"line_{view.kind}", number=number, title=view.title, price=price, stock=stock,
                         threshold=threshold, until=view.expires_at.date().isoformat()))
    return lines


def notification_text(note: Notification, templates: Templates, away: bool = False) -> str:
    """'Trail Runner X dropped to $89.00, under your $100.00.' — prefixed 'While you were away:' when held."""
    reference = money(note.reference_price, note.currency) if note.reference_price is not None else ""
    text = templates.say("watches", note.kind, title=note.title, price=money(note.price, note.currency),
                         threshold=reference, reference=reference)
    return templates.say("watches", "away", text=text) if away else text
