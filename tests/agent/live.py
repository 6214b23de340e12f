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
from agent.runner import AgentRunner, TurnRequest
from commerce.db import Database
from commerce.tables import ProductRow
from evals.bench.agent import prompt_recorder

Shop = tuple[AgentRunner, Database]


class Turn:
    def __init__(self, events: list[Any], prompt: list[BaseMessage]) -> None:
        self.events = events
        self.prompt = prompt

    def of(self, kind: str) -> list[Any]:
        return [event for event in self.events if event.type == kind]

    def calls(self, name: str | None = None) -> list[Any]:
        return [call for call in self.of("tool_call") if name is None or call.name == name]

    @property
    def text(self) -> str:
        return self.events[-1].text

    def grounded(self, titles: list[str]) -> None:
        """Prices, product names and policy numbers in the answer come from what this turn's prompt held."""
        seen = [str(message.content) for message in self.prompt if message.type != "system"]
        passages = seen if self.of("citations") else []
        result = check_answer(self.text, collect_evidence(seen, passage_texts=passages), titles)
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
    return Turn(events, recorder.last)
