"""The versioned dialogue-log format (JSONL, one conversation per line) that serving writes and evals replay."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator

from agent.transcript import LoggedTurn, LogModel
from shopassist.errors import describe_error

FORMAT_NAME: Literal["shopassist.dialogue-log"] = "shopassist.dialogue-log"
FORMAT_VERSION = "1.0"
"""Bump the minor part for added optional fields, the major part for anything a v1 reader would misread."""


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
                raise LogFormatError(f"{path}:{number}: {describe_error(error, 'line')}") from None


def write_logs(path: Path, logs: Iterable[DialogueLog]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for log in logs:
            handle.write(log.model_dump_json(exclude_defaults=False) + "\n")
            count += 1
    return count
