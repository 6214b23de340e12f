"""One line for a pydantic validation error, for messages shoppers, operators and importers read."""

from __future__ import annotations

from pydantic import ValidationError


def describe_error(error: ValidationError, whole: str | None = None, limit: int | None = 1) -> str:
    """'field.path: message' for the first `limit` problems (None: all), joined by '; '. A problem with the whole
    value is named `whole`, or given as the bare message when `whole` is None."""
    parts = []
    for detail in error.errors()[:limit]:
        where = ".".join(str(part) for part in detail["loc"]) or whole
        parts.append(f"{where}: {detail['msg']}" if where else detail["msg"])
    return "; ".join(parts)
