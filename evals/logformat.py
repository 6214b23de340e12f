"""The versioned dialogue-log format (JSONL, one conversation per line) that serving writes and evals replay."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

FORMAT_NAME: Literal["shopassist.dialogue-log"] = "shopassist.dialogue-log"
FORMAT_VERSION = "1.0"
"""Bump the minor part for added optional fields, the major part for anything a v1 reader would misread."""


class LogModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoggedToolCall(LogModel):
    name: str = Field(description="Tool name, e.g. 'search_products'")
    arguments: dict[str, Any] = Field(default_factory=dict)
    result_ids: list[str] = Field(default_factory=list, description="Ids of products/passages/orders returned")
    result: Any = Field(None, description="The tool's output as JSON, when the exporter keeps it (for grounding)")
    ok: bool = True
    error: str = ""
    latency_ms: float = Field(0.0, ge=0)


class LoggedProduct(LogModel):
    id: str
    title: str = ""
    price: float | None = None
    currency: str = "USD"
    rank: int = Field(0, ge=0, description="0-based position in what the shopper saw")


class LoggedCitation(LogModel):
    id: str = Field(description="Passage id, e.g. 'returns#window'")
    title: str = ""
    section: str = ""
    source: str = ""
    text: str = Field("", description="Passage text when the exporter keeps it (for grounding)")


class Feedback(LogModel):
    rating: Literal["up", "down"] | None = None
    comment: str = ""
    clicked_product_ids: list[str] = Field(default_factory=list)
    carted_product_ids: list[str] = Field(default_factory=list)
    purchased_product_ids: list[str] = Field(default_factory=list)


class LoggedTurn(LogModel):
    index: int = Field(ge=0)
    user_text: str
    assistant_text: str = ""
    language: Literal["en", "zh"] | None = None
    tool_calls: list[LoggedToolCall] = Field(default_factory=list)
    products: list[LoggedProduct] = Field(default_factory=list)
    citations: list[LoggedCitation] = Field(default_factory=list)
    handoff: bool = False
    error: str = Field("", description="Error code when the turn failed")
    latency_ms: float = Field(0.0, ge=0, description="User message received -> turn done")
    first_token_ms: float | None = Field(None, ge=0)
    model: str = ""
    prompt_version: str = ""
    feedback: Feedback = Field(default_factory=Feedback)
    started_at: datetime | None = None
    finished_at: datetime | None = None


class DialogueLog(LogModel):
    format: Literal["shopassist.dialogue-log"] = FORMAT_NAME
    format_version: str = FORMAT_VERSION
    conversation_id: str
    shopper_id: str | None = Field(None, description="Pseudonymous shopper id; never a name or email")
    channel: str = Field("websocket", description="websocket, widget, cli, import:<source>")
    started_at: datetime | None = None
    turns: list[LoggedTurn] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("format_version")
    @classmethod
    def _same_major_version(cls, version: str) -> str:
        major = version.split(".", 1)[0]
        if major != FORMAT_VERSION.split(".", 1)[0]:
            raise ValueError(f"unsupported {FORMAT_NAME} version {version!r} (this reader: {FORMAT_VERSION})")
        return version


class LogFormatError(ValueError):
    """A line of a dialogue-log file is not valid; the message names the file and line."""


def read_logs(path: Path) -> Iterator[DialogueLog]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield DialogueLog.model_validate_json(line)
            except ValidationError as error:
                first = error.errors()[0]
                where = ".".join(str(part) for part in first["loc"]) or "line"
                raise LogFormatError(f"{path}:{number}: {where}: {first['msg']}") from None


def write_logs(path: Path, logs: Iterable[DialogueLog]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for log in logs:
            handle.write(log.model_dump_json(exclude_defaults=False) + "\n")
            count += 1
    return count


def history_before(log: DialogueLog, turn_index: int) -> list[dict[str, str]]:
    """The chat history a replay gives the agent before `turn_index`: alternating user/assistant messages."""
    messages: list[dict[str, str]] = []
    for turn in log.turns[:turn_index]:
        messages.append({"role": "user", "content": turn.user_text})
        if turn.assistant_text:
            messages.append({"role": "assistant", "content": turn.assistant_text})
    return messages


def json_schema() -> dict[str, Any]:
    return DialogueLog.model_json_schema()
