"""Prometheus metrics for /metrics: turn latency, time to first token, tool latency, errors, open sockets."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300)

TURN_SECONDS = Histogram("shopassist_turn_seconds", "Shopper message received -> turn done", ["outcome"],
                         buckets=_LATENCY_BUCKETS)
FIRST_TOKEN_SECONDS = Histogram("shopassist_first_token_seconds", "Shopper message received -> first token",
                                buckets=_LATENCY_BUCKETS)
TOOL_SECONDS = Histogram("shopassist_tool_seconds", "Tool call latency as the agent reports it", ["tool"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10))
ERRORS = Counter("shopassist_errors_total", "Error frames sent, by code", ["code"])
OPEN_SOCKETS = Gauge("shopassist_open_sockets", "Open chat websockets", ["kind"])
TURNS = Counter("shopassist_turns_total", "Turns run", ["transport"])
