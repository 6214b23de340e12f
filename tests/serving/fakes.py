"""TEST DOUBLE ONLY: a scripted stand-in for agent.runner.AgentRunner whose events depend on keywords in the text."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from agent.events import (
    ActionRequiredEvent,
    AgentEvent,
    Citation,
    CitationsEvent,
    DoneEvent,
    HandoffEvent,
    ProductCard,
    ProductsEvent,
    StatusEvent,
    TokenEvent,
    ToolCallEvent,
)
from agent.state import DialogueState, TurnRequest

ANSWER = ["Here ", "are ", "two ", "tents."]
STATUS = "Searching tents for two…"
CARDS = [
    ProductCard(id="tent-1", title="Trail Tent 2P", price=129.0, image="", url="/p/tent-1", reason="2 person"),
    ProductCard(id="tent-2", title="Summit Tent 3P", price=189.5, image="", url="/p/tent-2", reason="3 person"),
]


class ScriptedRunner:
    """`slow` never finishes, `gate` waits for `release`, `human` hands off, `boom` raises, `action` proposes.
    Every other turn opens with a status event, held for `status_pause_s` (so a browser can see it)."""

    def __init__(self, status_pause_s: float = 0.0) -> None:
        self.requests: list[TurnRequest] = []
        self.release = asyncio.Event()
        self.status_pause_s = status_pause_s

    async def stream(self, request: TurnRequest) -> AsyncIterator[AgentEvent]:
        self.requests.append(request)
        text = request.text
        if "slow" in text:
            await asyncio.sleep(3600)
        if "gate" in text:
            await self.release.wait()
        if "boom" in text:
            raise RuntimeError("backend exploded")
        if "human" in text:
            yield HandoffEvent(reason="shopper asked for a person")
            yield DoneEvent(text="I am passing you to a colleague.", model="scripted-test")
            return
        yield StatusEvent(text=STATUS)
        await asyncio.sleep(self.status_pause_s)
        if "action" in text:
            yield ActionRequiredEvent(action_id="act_1", tool="cancel_pending_order", summary="Cancel #W1",
                                      expires_at="2030-01-01T00:00:00Z")
        yield ToolCallEvent(name="search_products", arguments={"query": text}, result_ids=["tent-1", "tent-2"],
                            latency_ms=3.0)
        yield ProductsEvent(products=CARDS)
        yield CitationsEvent(citations=[Citation(id="returns#window", title="Returns", section="returns",
                                                 source="policies/returns.md")])
        for token in ANSWER:
            yield TokenEvent(text=token)
        yield DoneEvent(text="".join(ANSWER), model="scripted-test", prompt_version="test-1", latency_ms=1.0,
                        act="search", producer="rules",
                        dialogue=DialogueState(shown=[card.id for card in CARDS], searched=text, act="search"))
