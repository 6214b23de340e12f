"""The attribution events of a chat turn, a product-card event and a rating, as the shop's insights count them."""

from __future__ import annotations

from collections import OrderedDict
from difflib import SequenceMatcher
from typing import Any

from agent.events import AgentEvent, DoneEvent, HandoffEvent, ProductsEvent
from commerce.events import AttributionEvent
from serving.protocol import HistoryItem

REPHRASE_SIMILARITY = 0.6  # difflib ratio above which a new message says the last one again in other words
REMEMBERED = 50_000  # conversations whose last turn's attribution this replica keeps for the card events after it


class Attribution:
    """Who and what events are about: the conversation, pseudonymous shopper, language, act and variants."""

    def __init__(self, conversation_id: str, shopper_id: str | None, language: str, act: str = "",
                 variant: str = "") -> None:
        self.conversation_id, self.shopper_id, self.language = conversation_id, shopper_id, language
        self.act, self.variant = act, variant

    def event(self, **fields: Any) -> AttributionEvent:
        return AttributionEvent(conversation_id=self.conversation_id, shopper_id=self.shopper_id,
                                language=self.language, act=self.act, variant=self.variant, **fields)


class RecentTurns:
    """The last turn's attribution per conversation: a click or add-to-cart after it counts for that act and
    variant."""

    def __init__(self, size: int = REMEMBERED) -> None:
        self.size = size
        self._last: OrderedDict[str, Attribution] = OrderedDict()

    def keep(self, attribution: Attribution) -> None:
        self._last[attribution.conversation_id] = attribution
        self._last.move_to_end(attribution.conversation_id)
        if len(self._last) > self.size:
            self._last.popitem(last=False)

    def of(self, conversation_id: str, shopper_id: str | None, language: str) -> Attribution:
        last = self._last.get(conversation_id)
        if last is None:
            return Attribution(conversation_id, shopper_id, language)
        return Attribution(conversation_id, shopper_id or last.shopper_id, last.language, last.act, last.variant)


def is_rephrase(text: str, earlier: list[HistoryItem]) -> bool:
    """The message asks again, in other words, what the shopper's previous message asked (the answer missed)."""
    previous = next((item.text for item in reversed(earlier) if item.role == "user"), None)
    if previous is None or previous.strip().lower() == text.strip().lower():
        return False
    return SequenceMatcher(None, previous.lower(), text.lower()).ratio() >= REPHRASE_SIMILARITY


def turn_events(context: Attribution, text: str, events: list[AgentEvent], earlier: list[HistoryItem],
                latency_ms: float) -> list[AttributionEvent]:
    """The turn itself (its latency), each card shown with its position and reason, a handoff, a rephrase of the
    previous message, the searches run and what the shop could not meet (from the tools' typed results)."""
    final = events[-1]
    done = final if isinstance(final, DoneEvent) else None
    context.act = (done.act or done.intent) if done is not None else "error"
    found = [context.event(kind="turn", value=latency_ms, detail="" if done is not None else "error")]
    cards = [card for event in events if isinstance(event, ProductsEvent) for card in event.products]
    found += [context.event(kind="card_shown", product_id=card.id, position=position, reason=card.reason)
              for position, card in enumerate(cards)]
    if any(isinstance(event, HandoffEvent) for event in events):
        found.append(context.event(kind="handoff"))
    if is_rephrase(text, earlier):
        found.append(context.event(kind="rephrase"))
    if done is not None:
        found += [context.event(kind="search", term=term) for term in done.searches]
        found += [context.event(kind="unmet", detail=want.kind, term=want.term, text=text[:500])
                  for want in done.unmet]
    return found
