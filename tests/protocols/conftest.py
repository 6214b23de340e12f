"""UCP fixtures: the served app over the checkout test shop, two agents with API keys, and request helpers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from commerce.agents import issue_agent_key
from commerce.db import Database
from shopassist.settings import Settings, load_settings
from tests.checkout_shop import ADDRESS, SHOPPER_EMAIL, seed_checkout_shop
from tests.protocols.receiver import Receiver
from tests.serving.conftest import make_client
from tests.serving.fakes import ScriptedRunner

SIMULATION_SECRET = "simulate-this"
PROFILE = 'profile="https://agent.example/.well-known/ucp"'
PAY_WITH = {"payment": {"instruments": [{"id": "instr_1", "handler_id": "mock_payment_handler", "type": "card",
                                         "selected": True,
                                         "credential": {"type": "token", "token": "success_token"}}]}}


@dataclass
class Agent:
    client: TestClient
    api_key: str

    def headers(self, **extra: str) -> dict[str, str]:
        return {"UCP-Agent": PROFILE, "Authorization": f"Bearer {self.api_key}", **extra}

    def post(self, path: str, body: Any, **headers: str) -> httpx.Response:
        return self.client.post(path, json=body, headers=self.headers(**headers))

    def put(self, path: str, body: Any) -> httpx.Response:
        return self.client.put(path, json=body, headers=self.headers())

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path, headers=self.headers())


def create_body(item_id: str = "roses_12", quantity: int = 2) -> dict[str, Any]:
    return {"line_items": [{"item": {"id": item_id}, "quantity": quantity}]}


def ready_body(item_id: str = "roses_12", quantity: int = 2, option: str = "std-ship") -> dict[str, Any]:
    destination = {"id": "d1", "street_address": ADDRESS["street_address"], "address_locality": ADDRESS["city"],
                   "address_region": ADDRESS["region"], "address_country": ADDRESS["country"],
                   "postal_code": ADDRESS["postal_code"]}
    return {**create_body(item_id, quantity), "buyer": {"email": SHOPPER_EMAIL, "first_name": "John"},
            "fulfillment": {"methods": [{"type": "shipping", "line_item_ids": ["li_1"], "destinations": [destination],
                                         "groups": [{"id": "group_1", "selected_option_id": option}]}]}}


def settings_for(tmp_path: Path, **overrides: Any) -> Settings:
    return load_settings(env="test", data_dir=tmp_path / "var", **overrides)


@pytest.fixture
def ucp_settings(tmp_path: Path) -> Settings:
    """The app's own webhook sender polls once an hour here: webhook tests run each pass themselves."""
    return settings_for(tmp_path, ucp_simulation_secret=SIMULATION_SECRET, ucp_webhook_poll_s=3600)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.server.shutdown()


@pytest.fixture
def ucp_client(ucp_settings: Settings, database: Database) -> Iterator[TestClient]:
    seed_checkout_shop(database)
    with make_client(ucp_settings, database, ScriptedRunner()) as client:
        yield client


def agent_named(client: TestClient, database: Database, name: str) -> Agent:
    with database.session() as session:
        return Agent(client, issue_agent_key(session, name).api_key)


@pytest.fixture
def agent(ucp_client: TestClient, database: Database) -> Agent:
    return agent_named(ucp_client, database, "agent-a")


@pytest.fixture
def other_agent(ucp_client: TestClient, database: Database) -> Agent:
    return agent_named(ucp_client, database, "agent-b")
