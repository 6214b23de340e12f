"""Structured JSON logs for serving: one object per line, ids and codes only, never shopper text or identity."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger("shopassist.serving")
_ALLOWED = {"conversation", "code", "latency_ms", "first_token_ms", "transport", "state", "tools", "products",
            "authenticated", "path", "status", "duplicate", "resumed", "replica"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"at": datetime.now(UTC).isoformat(timespec="milliseconds"),
                                 "level": record.levelname.lower(), "logger": record.name,
                                 "event": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False, default=str)


def event(name: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log `name` with whitelisted fields; anything that could carry personal data is dropped here."""
    unknown = set(fields) - _ALLOWED
    if unknown:
        raise ValueError(f"not loggable (could be personal data): {sorted(unknown)}")
    log.log(level, name, extra={"fields": fields})


def configure_json_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
