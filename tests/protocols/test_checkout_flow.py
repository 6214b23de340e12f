"""UCP checkout over REST: the whole flow, idempotency, refused transitions, isolation and bad requests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from ucp_sdk.models.schemas.shopping.order import Order as UcpOrder
from ucp_sdk.models.schemas.shopping.types.error_response import ErrorResponse

from commerce.db import Database
from commerce.store import get_order
from commerce.tables import CheckoutSessionRow, VariantRow
from protocols.ucp.responses import UcpCheckout
from tests.checkout_shop import OUT_OF_STOCK, seed_checkout_shop
from tests.protocols.conftest import (
    PAY_WITH,
    PROFILE,
    SIMULATION_SECRET,
    Agent,
    create_body,
    ready_body,
    settings_for,
)
from tests.serving.conftest import make_client
from tests.serving.fakes import ScriptedRunner


def checkout_of(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    UcpCheckout.model_validate(response.json())
    return response.json()


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    ErrorResponse.model_validate(response.json())
    assert response.json()["ucp"]["status"] == "error" and response.json()["messages"]
    return response.json()


def totals(body: dict[str, Any]) -> dict[str, int]:
    return {entry["type"]: entry["amount"] for entry in body["totals"]}


def test_create_update_complete_then_get_the_order(agent: Agent, database: Database) -> None:
    created = checkout_of(agent.post("/checkout-sessions", create_body(quantity=3)), 201)
    assert created["status"] == "incomplete"
    assert created["line_items"][0]["item"] == {"id": "roses_12", "title": "Bouquet of Red Roses", "price": 3500}
    assert totals(created) == {"subtotal": 10500, "total": 10500}

    path = f"/checkout-sessions/{created['id']}"
    update = {**ready_body(quantity=3, option="exp-ship-us"), "discounts": {"codes": ["10off"]}}
    ready = checkout_of(agent.put(path, update))
    assert ready["status"] == "ready_for_complete"
    assert totals(ready) == {"subtotal": 10500, "discount": -1050, "fulfillment": 1500, "total": 10950}
    group = ready["fulfillment"]["methods"][0]["groups"][0]
    assert group["selected_option_id"] == "exp-ship-us"
    assert [option["id"] for option in group["options"]] == ["std-ship", "exp-ship-us"]
    assert ready["discounts"]["applied"][0]["code"] == "10OFF"

    done = checkout_of(agent.post(f"{path}/complete", PAY_WITH))
    assert done["status"] == "completed"
    order_id = done["order"]["id"]
    assert checkout_of(agent.get(path))["status"] == "completed"

    order = agent.get(f"/orders/{order_id}")
    assert order.status_code == 200, order.text
    UcpOrder.model_validate(order.json())
    assert order.json()["checkout_id"] == created["id"] and totals(order.json())["total"] == 10950
    with database.session() as session:
        stored = get_order(session, f"#{order_id}")
        assert stored is not None and stored.shopper_id == "john_doe_1" and len(stored.lines) == 3
        assert session.get(VariantRow, "roses_12").stock == 997


def test_the_request_cannot_set_prices(agent: Agent) -> None:
    body = create_body()
    body["line_items"][0]["item"]["price"] = 1
    created = checkout_of(agent.post("/checkout-sessions", body), 201)
    assert created["line_items"][0]["item"]["price"] == 3500


def test_out_of_stock_item_keeps_the_session_incomplete(agent: Agent) -> None:
    body = ready_body(item_id=OUT_OF_STOCK, quantity=1)
    body["line_items"].append({"item": {"id": "pot_m"}, "quantity": 1})
    created = checkout_of(agent.post("/checkout-sessions", body), 201)
    assert created["status"] == "incomplete"
    assert [m["code"] for m in created["messages"]] == ["out_of_stock"]
    error_of(agent.post(f"/checkout-sessions/{created['id']}/complete", PAY_WITH), 409)


def test_declined_token_is_a_ucp_error_and_the_session_stays_ready(agent: Agent) -> None:
    created = checkout_of(agent.post("/checkout-sessions", ready_body()), 201)
    declined = {"payment": {"instruments": [{**PAY_WITH["payment"]["instruments"][0],
                                             "credential": {"type": "token", "token": "fail_token"}}]}}
    body = error_of(agent.post(f"/checkout-sessions/{created['id']}/complete", declined), 402)
    assert body["messages"][0]["code"] == "payment_failed"
    assert checkout_of(agent.get(f"/checkout-sessions/{created['id']}"))["status"] == "ready_for_complete"


def test_idempotent_replay_and_conflict(agent: Agent, database: Database) -> None:
    first = agent.post("/checkout-sessions", create_body(), **{"Idempotency-Key": "k-1"})
    again = agent.post("/checkout-sessions", create_body(), **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    error_of(agent.post("/checkout-sessions", create_body(quantity=5), **{"Idempotency-Key": "k-1"}), 409)
    with database.session() as session:
        assert session.query(CheckoutSessionRow).count() == 1


def test_completing_twice_with_one_key_charges_once(agent: Agent, database: Database) -> None:
    created = checkout_of(agent.post("/checkout-sessions", ready_body(quantity=1)), 201)
    path = f"/checkout-sessions/{created['id']}/complete"
    first = agent.post(path, PAY_WITH, **{"Idempotency-Key": "pay-1"})
    second = agent.post(path, PAY_WITH, **{"Idempotency-Key": "pay-1"})
    assert first.json() == second.json() and second.json()["status"] == "completed"
    with database.session() as session:
        assert session.get(VariantRow, "roses_12").stock == 999


@pytest.mark.parametrize("final", ["complete", "cancel"])
def test_every_change_to_a_finished_session_is_refused(agent: Agent, final: str) -> None:
    created = checkout_of(agent.post("/checkout-sessions", ready_body()), 201)
    path = f"/checkout-sessions/{created['id']}"
    checkout_of(agent.post(f"{path}/{final}", PAY_WITH))
    for refused in (agent.put(path, ready_body()), agent.post(f"{path}/cancel", {}),
                    agent.post(f"{path}/complete", PAY_WITH)):
        assert error_of(refused, 409)["messages"][0]["code"] == "invalid_transition"


def test_other_agents_checkout_and_order_are_not_found(agent: Agent, other_agent: Agent) -> None:
    created = checkout_of(agent.post("/checkout-sessions", ready_body()), 201)
    path = f"/checkout-sessions/{created['id']}"
    error_of(other_agent.get(path), 404)
    error_of(other_agent.put(path, ready_body()), 404)
    error_of(other_agent.post(f"{path}/cancel", {}), 404)
    order_id = checkout_of(agent.post(f"{path}/complete", PAY_WITH))["order"]["id"]
    error_of(other_agent.get(f"/orders/{order_id}"), 404)


def test_missing_ucp_agent_or_key_is_refused(agent: Agent, ucp_client: TestClient) -> None:
    no_header = ucp_client.post("/checkout-sessions", json=create_body(),
                                headers={"Authorization": f"Bearer {agent.api_key}"})
    assert error_of(no_header, 400)["messages"][0]["code"] == "missing_header"
    error_of(ucp_client.post("/checkout-sessions", json=create_body(), headers={"UCP-Agent": PROFILE}), 401)
    error_of(ucp_client.post("/checkout-sessions", json=create_body(),
                             headers={"UCP-Agent": PROFILE, "Authorization": "Bearer nope"}), 401)


@pytest.mark.parametrize("content", [b"{not json", b"[]", b'{"line_items": []}', b'{"line_items": [{"item": {}}]}',
                                     b'{"line_items": [{"item": {"id": "roses_12"}, "quantity": 0}]}'])
def test_malformed_bodies_are_400_and_write_nothing(agent: Agent, ucp_client: TestClient, database: Database,
                                                    content: bytes) -> None:
    response = ucp_client.post("/checkout-sessions", content=content,
                               headers={**agent.headers(), "Content-Type": "application/json"})
    error_of(response, 400)
    with database.session() as session:
        assert session.query(CheckoutSessionRow).count() == 0


def test_oversize_body_is_413(agent: Agent, ucp_client: TestClient) -> None:
    huge = b'{"line_items": [], "pad": "' + b"x" * 70_000 + b'"}'
    error_of(ucp_client.post("/checkout-sessions", content=huge, headers=agent.headers()), 413)


def test_profile_declares_version_services_capabilities_and_handlers(ucp_client: TestClient) -> None:
    response = ucp_client.get("/.well-known/ucp")
    assert response.headers["cache-control"] == "public, max-age=300"
    profile = response.json()["ucp"]
    assert profile["version"] == "2026-04-08"
    assert profile["services"]["dev.ucp.shopping"][0]["transport"] == "rest"
    assert {"dev.ucp.shopping.checkout", "dev.ucp.shopping.fulfillment", "dev.ucp.shopping.discount",
            "dev.ucp.shopping.order"} <= set(profile["capabilities"])
    handlers = [handler["id"] for group in profile["payment_handlers"].values() for handler in group]
    assert handlers == ["mock_payment_handler"]


def test_simulated_shipping_needs_the_secret(agent: Agent) -> None:
    created = checkout_of(agent.post("/checkout-sessions", ready_body()), 201)
    order_id = checkout_of(agent.post(f"/checkout-sessions/{created['id']}/complete", PAY_WITH))["order"]["id"]
    error_of(agent.post(f"/testing/simulate-shipping/{order_id}", {}), 403)
    error_of(agent.post(f"/testing/simulate-shipping/{order_id}", {}, **{"Simulation-Secret": "wrong"}), 403)
    shipped = agent.post(f"/testing/simulate-shipping/{order_id}", {}, **{"Simulation-Secret": SIMULATION_SECRET})
    assert shipped.status_code == 200, shipped.text
    UcpOrder.model_validate(shipped.json())
    assert shipped.json()["fulfillment"]["events"][0]["type"] == "shipped"
    assert agent.get(f"/orders/{order_id}").json()["line_items"][0]["status"] == "fulfilled"


def test_without_a_secret_setting_there_is_no_simulation_route(tmp_path: Path, database: Database) -> None:
    with make_client(settings_for(tmp_path), database, ScriptedRunner()) as client:
        assert client.post("/testing/simulate-shipping/W1", headers={"Simulation-Secret": ""}).status_code == 404


def test_keyless_agents_are_told_apart_by_their_profile(tmp_path: Path, database: Database) -> None:
    with make_client(settings_for(tmp_path, ucp_keyless_agents=True), database, ScriptedRunner()) as client:
        seed_checkout_shop(database)
        mine = {"UCP-Agent": 'profile="https://a.example/ucp"'}
        created = checkout_of(client.post("/checkout-sessions", json=create_body(), headers=mine), 201)
        checkout_of(client.get(f"/checkout-sessions/{created['id']}", headers=mine))
        other = {"UCP-Agent": 'profile="https://b.example/ucp"'}
        error_of(client.get(f"/checkout-sessions/{created['id']}", headers=other), 404)
