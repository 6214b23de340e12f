"""Each agent's request quota, shared by UCP REST, UCP over MCP and ACP: past it a 429 in the protocol's own error
shape, nothing done; another agent is not held back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commerce.db import Database
from commerce.tables import CheckoutSessionRow
from protocols.acp.models import VERSION
from tests.checkout_shop import seed_checkout_shop
from tests.protocols.conftest import PROFILE, Agent, agent_named, create_body, settings_for
from tests.protocols.test_acp import create_body as acp_body
from tests.serving.conftest import make_client
from tests.serving.fakes import ScriptedRunner

QUOTA = 3
META = {"ucp-agent": {"profile": "https://agent.example/.well-known/ucp"}}


@pytest.fixture
def client(tmp_path: Path, database: Database) -> Iterator[TestClient]:
    seed_checkout_shop(database)
    with make_client(settings_for(tmp_path, agent_requests_per_minute=QUOTA), database, ScriptedRunner()) as served:
        yield served


def _checkouts(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(CheckoutSessionRow)) or 0)


def test_past_its_quota_an_agent_gets_429_and_nothing_is_written(client: TestClient, database: Database) -> None:
    first, second = agent_named(client, database, "busy"), agent_named(client, database, "calm")
    assert [first.post("/checkout-sessions", create_body()).status_code for _ in range(QUOTA)] == [201] * QUOTA
    refused = first.post("/checkout-sessions", create_body())
    assert refused.status_code == 429
    assert refused.json()["messages"][0]["code"] == "rate_limited" and _checkouts(database) == QUOTA
    assert second.post("/checkout-sessions", create_body()).status_code == 201


def _mcp_call(agent: Agent) -> dict[str, object]:
    request = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "search_catalog", "arguments": {"meta": META, "catalog": {"query": "roses"}}}}
    response = agent.client.post("/mcp/", json=request, headers={**agent.headers(),
                                                                 "Accept": "application/json, text/event-stream"})
    assert response.status_code == 200, response.text
    return json.loads(response.text)["result"]


def test_rest_mcp_and_acp_share_one_quota(client: TestClient, database: Database) -> None:
    agent = agent_named(client, database, "everywhere")
    assert agent.post("/checkout-sessions", create_body()).status_code == 201
    assert _mcp_call(agent).get("isError") is not True
    acp_headers = {"Authorization": f"Bearer {agent.api_key}", "API-Version": VERSION, "Idempotency-Key": "k1"}
    created = client.post("/checkout_sessions", json=acp_body(), headers=acp_headers)
    assert created.status_code == 201, created.text
    refused = client.post("/checkout_sessions", json=acp_body(), headers={**acp_headers, "Idempotency-Key": "k2"})
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    over_mcp = _mcp_call(agent)
    assert over_mcp["isError"] is True and "rate_limited" in json.dumps(over_mcp["structuredContent"])
    assert client.get("/.well-known/ucp", headers={"UCP-Agent": PROFILE}).status_code == 200  # discovery is free
