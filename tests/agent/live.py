"""Helpers for agent tests against a real model (embedded or a vLLM server): one turn, its events and its prompt."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage
from sqlalchemy import select

from agent.grounding import check_answer, collect_evidence
from agent.leaks import find_leaks
from agent.runner import AgentRunner, TurnRequest
from commerce.db import Database
from commerce.store import get_products
from commerce.tables import PassageRow, ProductRow

Shop = tuple[AgentRunner, Database]


def prompt_recorder() -> Any:
    """A callback keeping the messages of the latest chat-model call."""
    from langchain_core.callbacks import BaseCallbackHandler

    class PromptRecorder(BaseCallbackHandler):
        last: list[BaseMessage] = []

        def on_chat_model_start(self, serialized: dict[str, Any], messages: list[list[BaseMessage]],
                                **kwargs: Any) -> Any:
            self.last = messages[0]

    return PromptRecorder()


class Turn:
    def __init__(self, events: list[Any], prompt: list[BaseMessage], passages: list[str], context: list[Any]) -> None:
        self.events = events
        self.prompt = prompt
        self.passages = passages
        self.context = context  # what the shopper wrote and the products shown before: the answer may echo them

    def of(self, kind: str) -> list[Any]:
        return [event for event in self.events if event.type == kind]

    def calls(self, name: str | None = None) -> list[Any]:
        return [call for call in self.of("tool_call") if name is None or call.name == name]

    @property
    def text(self) -> str:
        return self.events[-1].text

    def clean(self) -> None:
        """Nothing internal in what the shopper read: every token event, not only the final text."""
        for event in self.of("token"):
            assert not find_leaks(event.text), event.text

    def grounded(self, titles: list[str]) -> None:
        """Prices, product names and policy numbers in the answer come from the cards and passages the turn showed,
        the tool arguments, the products shown before and what the model's prompt held (when it wrote any of it)."""
        seen = [str(message.content) for message in self.prompt if message.type != "system"]
        cards = [card.model_dump() for event in self.of("products") for card in event.products]
        arguments = [call.arguments for call in self.calls()]
        evidence = collect_evidence([*seen, *cards, *arguments, *self.context],
                                    passage_texts=[*self.passages, *seen])
        result = check_answer(self.text, evidence, titles)
        errors = [v for v in result.violations if v.severity == "error"]
        assert not errors, (self.text, errors)


def shopassist(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "SHOPASSIST_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "shopassist.cli", *args], env=environment, text=True,
                          capture_output=True, timeout=1800)


def build_demo_shop(data_dir: Path) -> None:
    for command in (("data", "generate"), ("index",)):
        done = shopassist(data_dir, *command)
        assert done.returncode == 0, done.stderr


def product_titles(database: Database) -> list[str]:
    with database.session() as session:
        return list(session.scalars(select(ProductRow.title)))


def ask(shop: Shop, text: str, **request: Any) -> Turn:
    runner, _ = shop
    recorder = prompt_recorder()
    runner.model.callbacks = [recorder]

    async def collect() -> list[Any]:
        return [e async for e in runner.stream(TurnRequest(text=text, conversation_id="e2e", **request))]

    events = asyncio.run(collect())
    assert events[-1].type == "done", events[-1]
    cited = [citation.id for event in events if event.type == "citations" for citation in event.citations]
    # The products shown before and now, with every option's price (a details answer states the price range).
    shown_ids = [product_id for message in request.get("history", []) for product_id in message.product_ids]
    shown_ids += [card.id for event in events if event.type == "products" for card in event.products]
    with shop[1].session() as session:
        passages = list(session.scalars(select(PassageRow.text).where(PassageRow.id.in_(cited))))
        shown = [{"title": p.title, "prices": [p.price, *(v.price for v in p.variants)]}
                 for p in get_products(session, shown_ids).values()]
    return Turn(events, recorder.last, passages, [text, *shown])
