"""Completes sent at once from many threads over real HTTP, and what must hold after them (SQLite and Postgres)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from threading import Barrier
from typing import Any

import httpx

from commerce.agents import issue_agent_key
from commerce.db import Database
from commerce.tables import CheckoutSessionRow, OrderRow, VariantRow
from serving.app import create_app
from tests.checkout_shop import LAST_ONE, seed_checkout_shop
from tests.protocols.conftest import PAY_WITH, PROFILE, ready_body, settings_for
from tests.serving.fakes import ScriptedRunner
from tests.serving.live import live_server


@contextmanager
def live_shop(tmp_path: Path, database: Database, **settings: Any) -> Iterator[tuple[str, dict[str, str]]]:
    """A live server over the checkout test shop in `database`: its URL and one agent's headers."""
    seed_checkout_shop(database)
    with database.session() as session:
        key = issue_agent_key(session, "racer").api_key
    with live_server(create_app(settings_for(tmp_path, **settings), database, ScriptedRunner())) as url:
        yield url, {"UCP-Agent": PROFILE, "Authorization": f"Bearer {key}"}


def race(calls: int, send: Callable[[httpx.Client], httpx.Response]) -> list[httpx.Response]:
    """`send(client)` from `calls` threads released together, each with a client of its own."""
    start = Barrier(calls)

    def one(_: int) -> httpx.Response:
        with httpx.Client(timeout=60) as client:
            start.wait()
            return send(client)

    with ThreadPoolExecutor(max_workers=calls) as pool:
        return list(pool.map(one, range(calls)))


def last_unit_sells_once(url: str, headers: dict[str, str], database: Database, racers: int = 50) -> None:
    """`racers` ready checkouts of the shop's last unit, completed at once: one order, the others told why."""
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        ids = []
        for _ in range(racers):
            created = client.post("/checkout-sessions", json=ready_body(item_id=LAST_ONE, quantity=1))
            assert created.status_code == 201 and created.json()["status"] == "ready_for_complete", created.text
            ids.append(created.json()["id"])
    pending = iter(ids)

    def complete(client: httpx.Client) -> httpx.Response:
        return client.post(f"{url}/checkout-sessions/{next(pending)}/complete", json=PAY_WITH, headers=headers)

    responses = race(racers, complete)
    completed = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code != 200]
    assert len(completed) == 1 and completed[0].json()["status"] == "completed"
    assert len(refused) == racers - 1
    for response in refused:
        assert response.status_code == 422, response.text
        message = response.json()["messages"][0]
        assert response.json()["ucp"]["status"] == "error"
        assert message["code"] == "out_of_stock" and "White Orchid" in message["content"], message
    with database.session() as session:
        assert session.get(VariantRow, LAST_ONE).stock == 0
        assert session.query(OrderRow).count() == 1
        statuses = [row.status for row in session.query(CheckoutSessionRow)]
        assert statuses.count("completed") == 1 and statuses.count("ready_for_complete") == racers - 1


def one_key_pays_once(url: str, headers: dict[str, str], database: Database) -> None:
    """One checkout completed twice at once with one Idempotency-Key: one order, one unit taken."""
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        created = client.post("/checkout-sessions", json=ready_body(quantity=1)).json()
    path = f"{url}/checkout-sessions/{created['id']}/complete"

    def complete(client: httpx.Client) -> httpx.Response:
        return client.post(path, json=PAY_WITH, headers={**headers, "Idempotency-Key": "pay-once"})

    responses = race(2, complete)
    completed = [r for r in responses if r.status_code == 200]
    assert completed and all(r.json()["status"] == "completed" for r in completed)
    assert len({r.json()["order"]["id"] for r in completed}) == 1
    # the loser either replays the stored response or is told the key or the session is already taken
    assert all(r.status_code == 409 and r.json()["messages"][0]["code"] in ("idempotency_conflict",
                                                                           "invalid_transition")
               for r in responses if r.status_code != 200), [r.text for r in responses]
    with database.session() as session:
        assert session.query(OrderRow).count() == 1
        assert session.get(VariantRow, "roses_12").stock == 999
