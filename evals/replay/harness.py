"""Wires the current agent to the replay machinery: settings overrides, a scratch copy of the shop, the runner."""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from commerce.db import Database
from evals.gold.run import run_gold
from evals.gold.schema import GoldDialogue, load_gold
from evals.replay.compare import GoldScore, ReplayTurnScore
from evals.replay.run import Catalog, ReplayEnv, ToolRecorder, replay_logs
from serving.dialogue_log import DialogueLog
from shopassist.settings import Settings, load_settings


@dataclass(frozen=True)
class LLMChoice:
    """CLI overrides for the model and prompts under test; empty values keep the SHOPASSIST_* settings."""

    backend: str = ""
    base_url: str = ""
    model: str = ""
    prompts_dir: Path | None = None

    def settings(self) -> Settings:
        # A candidate prompt folder (same file names as prompts/): what would change with these prompts?
        if self.prompts_dir is not None and not (self.prompts_dir / "system.md").exists():
            raise FileNotFoundError(f"{self.prompts_dir} has no system.md")
        overrides = {"llm_backend": self.backend, "llm_base_url": self.base_url, "llm_model": self.model}
        return load_settings(**{key: value for key, value in overrides.items() if value})


def scratch_copy(settings: Settings, folder: Path) -> Database:
    """Gold runs write (injected product text): they get a copy of a SQLite shop; other databases are used as is."""
    url = settings.sqlalchemy_url
    if not url.startswith("sqlite:///"):
        return Database(url)
    source = Path(url.removeprefix("sqlite:///"))
    if not source.exists():
        raise FileNotFoundError(f"no shop database at {source}: run `shopassist data generate` first")
    target = folder / "shop.db"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return Database(f"sqlite:///{target.as_posix()}")


def build_env(settings: Settings, db: Database, prompts_dir: Path | None = None) -> ReplayEnv:
    """`prompts_dir`: a candidate prompt folder instead of prompts/."""
    from agent.prompts import PROMPTS_DIR
    from agent.runner import AgentRunner, load_classifier
    from tools.registry import ALL_TOOLS

    recorder = ToolRecorder()
    runner = AgentRunner(settings, db, tools=[recorder.wrap(tool) for tool in ALL_TOOLS],
                         classifier=load_classifier(settings), prompts_dir=prompts_dir or PROMPTS_DIR)
    runner.warm_up()  # the first dialogue's latency should not include the one-off system-prompt prefill
    return ReplayEnv(runner=runner, catalog=Catalog.load(db), recorder=recorder)


def select_gold(limit: int = 0, intents: list[str] | None = None, language: str = "") -> list[GoldDialogue]:
    """The gold set, filtered; `limit` takes the first N of each intent so a small run still covers every intent."""
    chosen = [d for d in load_gold() if (not intents or d.intent in intents) and (not language or
                                                                                    d.language == language)]
    if not limit:
        return chosen
    taken: dict[str, int] = {}
    subset = []
    for dialogue in chosen:
        if taken.get(dialogue.intent, 0) < limit:
            taken[dialogue.intent] = taken.get(dialogue.intent, 0) + 1
            subset.append(dialogue)
    return subset


def run_gold_set(settings: Settings, dialogues: list[GoldDialogue],
                 progress: Callable[[GoldScore], None] | None = None,
                 prompts_dir: Path | None = None) -> list[GoldScore]:
    with tempfile.TemporaryDirectory(prefix="shopassist-gold-") as folder:
        db = scratch_copy(settings, Path(folder))
        try:
            return asyncio.run(run_gold(build_env(settings, db, prompts_dir), db, dialogues, progress))
        finally:
            db.engine.dispose()


def run_replay(settings: Settings, logs: list[DialogueLog], prompts_dir: Path | None = None) -> list[ReplayTurnScore]:
    with tempfile.TemporaryDirectory(prefix="shopassist-replay-") as folder:
        db = scratch_copy(settings, Path(folder))
        try:
            return asyncio.run(replay_logs(build_env(settings, db, prompts_dir), logs))
        finally:
            db.engine.dispose()
