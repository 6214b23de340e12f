"""Replays logged dialogues through the current agent: every user turn, with the logged history, scored."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agent.events import AgentEvent, TokenEvent
from agent.runner import TurnRunner
from agent.state import HistoryMessage, TurnRequest
from agent.transcript import LoggedTurn, turn_from_events
from commerce.db import Database
from commerce.models import Product
from commerce.store import iter_products, list_passages
from evals.replay.compare import ReplayTurnScore, score_replay_turn
from serving.dialogue_log import DialogueLog
from tools.base import Tool, ToolContext


@dataclass
class ToolRecorder:
    """Keeps what the tools returned during a turn: the agent's events carry only ids, grounding needs values."""

    outputs: list[tuple[str, Any]] = field(default_factory=list)

    def wrap(self, tool: Tool[Any, Any]) -> Tool[Any, Any]:
        def recorded(context: ToolContext, arguments: Any) -> Any:
            output = tool.function(context, arguments)
            self.outputs.append((tool.name, output.model_dump(mode="json") if hasattr(output, "model_dump")
                                 else output))
            return output

        return dataclasses.replace(tool, function=recorded)

    def attach(self, turn: LoggedTurn) -> None:
        pending = list(self.outputs)
        for call in turn.tool_calls:
            match = next((i for i, (name, _) in enumerate(pending) if name == call.name), None)
            if match is not None:
                call.result = pending.pop(match)[1]
        self.outputs.clear()


@dataclass
class Catalog:
    """What scoring reads from the shop: products by id, their titles, passage texts by id."""

    products: dict[str, Product]
    passages: dict[str, str]

    @classmethod
    def load(cls, db: Database) -> Catalog:
        with db.session() as session:
            return cls(products={p.id: p for p in iter_products(session)},
                       passages={p.id: p.text for p in list_passages(session)})

    @property
    def titles(self) -> list[str]:
        return [product.title for product in self.products.values()]


@dataclass
class ReplayEnv:
    runner: TurnRunner
    catalog: Catalog
    recorder: ToolRecorder | None = None
    clock: Callable[[], float] = time.perf_counter


async def run_turn(env: ReplayEnv, request: TurnRequest, index: int) -> LoggedTurn:
    """One agent turn, folded into a LoggedTurn with tool results and cited passage texts filled in."""
    started_at, started = datetime.now(UTC), env.clock()
    first_token: float | None = None
    events: list[AgentEvent] = []
    async for event in env.runner.stream(request):
        if first_token is None and isinstance(event, TokenEvent):
            first_token = (env.clock() - started) * 1000
        events.append(event)
    turn = turn_from_events(index, request.text, events, language=request.language, started_at=started_at,
                            finished_at=datetime.now(UTC), first_token_ms=first_token)
    if not turn.latency_ms:
        turn.latency_ms = (env.clock() - started) * 1000
    if env.recorder is not None:
        env.recorder.attach(turn)
    for citation in turn.citations:
        citation.text = citation.text or env.catalog.passages.get(citation.id, "")
    return turn


def history_for(turns: list[LoggedTurn]) -> list[HistoryMessage]:
    messages: list[HistoryMessage] = []
    for turn in turns:
        messages.append(HistoryMessage(role="user", text=turn.user_text))
        messages.append(HistoryMessage(role="assistant", text=turn.assistant_text,
                                       product_ids=[p.id for p in turn.products]))
    return messages


async def replay_log(env: ReplayEnv, log: DialogueLog) -> list[ReplayTurnScore]:
    scores = []
    for position, turn in enumerate(log.turns):
        if not turn.user_text.strip():
            continue
        request = TurnRequest(text=turn.user_text, conversation_id=f"replay-{log.conversation_id}",
                              shopper_id=log.shopper_id, history=history_for(log.turns[:position]),
                              language=turn.language)
        new = await run_turn(env, request, turn.index)
        logged = turn.model_copy(deep=True)
        for citation in logged.citations:
            citation.text = citation.text or env.catalog.passages.get(citation.id, "")
        earlier = [env.catalog.products[p.id].model_dump(mode="json") if p.id in env.catalog.products
                   else p.model_dump() for t in log.turns[:position] for p in t.products]
        scores.append(score_replay_turn(log.conversation_id, logged, new, env.catalog.titles, earlier))
    return scores


async def replay_logs(env: ReplayEnv, logs: list[DialogueLog]) -> list[ReplayTurnScore]:
    return [score for log in logs for score in await replay_log(env, log)]
