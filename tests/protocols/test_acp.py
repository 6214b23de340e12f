"""ACP 2026-04-17 checkout_sessions over the checkout core: the flow, headers, idempotency, refusals, isolation."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from commerce.db import Database
from commerce.store import get_order
from commerce.tables import CheckoutSessionRow, OrderRow, VariantRow
from protocols.acp.http import _to_acp
from protocols.acp.models import VERSION, CheckoutSession, Error
from tests.checkout_shop import ADDRESS, LAST_ONE, OUT_OF_STOCK, SHOPPER_EMAIL
from tests.protocols.conftest import Agent
from tests.protocols.racing import live_shop, race

KEYS = itertools.count()
PAYMENT = {"payment_data": {"handler_id": "mock_payment_handler",
                            "instrument": {"type": "card", "credential": {"type": "spt", "token": "success_token"}}}}
DETAILS = {"name": "John Doe", "email": SHOPPER_EMAIL,
           "address": {"name": "John Doe", "line_one": ADDRESS["street_address"], "city": ADDRESS["city"],
                       "state": ADDRESS["region"], "country": ADDRESS["country"],
                       "postal_code": ADDRESS["postal_code"]}}


class AcpAgent:
    def __init__(self, agent: Agent) -> None:
        self.client, self.api_key = agent.client, agent.api_key

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}", "API-Version": VERSION, **extra}

    def post(self, path: str, body: Any, key: str | None = None, **headers: str) -> httpx.Response:
        return self.client.post(path, json=body, headers=self.headers(
            **{"Idempotency-Key": key or f"key-{next(KEYS)}"}, **headers))

    def get(self, path: str, **headers: str) -> httpx.Response:
        return self.client.get(path, headers=self.headers(**headers))


@pytest.fixture
def acp(agent: Agent) -> AcpAgent:
    return AcpAgent(agent)


@pytest.fixture
def other_acp(other_agent: Agent) -> AcpAgent:
    return AcpAgent(other_agent)


def create_body(item_id: str = "roses_12", quantity: int = 2, **extra: Any) -> dict[str, Any]:
    return {"line_items": [{"item": {"id": item_id}, "quantity": quantity}], "currency": "usd", "capabilities": {},
            **extra}


def session_of(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    CheckoutSession.model_validate(response.json())
    return response.json()


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = Error.model_validate(response.json())
    assert body.type == "invalid_request" and body.code == code, body
    return response.json()


def totals(body: dict[str, Any]) -> dict[str, int]:
    return {entry["type"]: entry["amount"] for entry in body["totals"]}


def test_create_update_complete_makes_an_order(acp: AcpAgent, database: Database) -> None:
    created = session_of(acp.post("/checkout_sessions", create_body(quantity=3)), 201)
    assert created["status"] == "not_ready_for_payment" and created["protocol"] == {"version": VERSION}
    assert created["currency"] == "usd"
    line = created["line_items"][0]
    assert line["item"] == {"id": "roses_12", "name": "Bouquet of Red Roses", "unit_amount": 3500}
    assert totals(created) == {"items_base_amount": 10500, "subtotal": 10500, "total": 10500}
    assert {m["code"] for m in created["messages"]} == {"missing"}
    assert created["messages"][0]["param"] == "$.fulfillment_details.address"
    assert [h["id"] for h in created["capabilities"]["payment"]["handlers"]] == ["mock_payment_handler"]

    path = f"/checkout_sessions/{created['id']}"
    addressed = session_of(acp.post(path, {"fulfillment_details": DETAILS, "discounts": {"codes": ["10off", "NOPE"]}}))
    assert [option["id"] for option in addressed["fulfillment_options"]] == ["std-ship", "exp-ship-us"]
    assert addressed["discounts"]["applied"][0]["code"] == "10OFF"
    assert addressed["discounts"]["rejected"] == [{"code": "NOPE", "reason": "discount_code_invalid",
                                                   "message": "Unknown discount code 'NOPE'"}]
    chosen = {"selected_fulfillment_options": [{"type": "shipping", "option_id": "exp-ship-us", "item_ids": ["li_1"]}]}
    ready = session_of(acp.post(path, chosen))
    assert ready["status"] == "ready_for_payment"
    assert totals(ready) == {"items_base_amount": 10500, "subtotal": 10500, "discount": 1050, "fulfillment": 1500,
                             "total": 10950}
    assert ready["fulfillment_details"]["address"]["line_one"] == ADDRESS["street_address"]

    done = session_of(acp.post(f"{path}/complete", {**PAYMENT, "buyer": {"email": SHOPPER_EMAIL,
                                                                         "first_name": "John"}}))
    assert done["status"] == "completed" and done["order"]["checkout_session_id"] == created["id"]
    assert done["order"]["permalink_url"].endswith(f"/orders/{done['order']['id']}")
    assert session_of(acp.get(path))["status"] == "completed"
    with database.session() as session:
        order = get_order(session, f"#{done['order']['id']}")
        assert order is not None and order.shopper_id == "john_doe_1" and len(order.lines) == 3
        assert session.get(VariantRow, "roses_12").stock == 997


def test_chinese_totals_when_asked(acp: AcpAgent) -> None:
    created = session_of(acp.post("/checkout_sessions", create_body(), **{"Accept-Language": "zh-CN"}), 201)
    assert [entry["display_text"] for entry in created["totals"]] == ["商品", "小计", "合计"]


def test_request_prices_are_ignored(acp: AcpAgent) -> None:
    body = create_body()
    body["line_items"][0]["item"] |= {"unit_amount": 1, "name": "cheap"}
    assert session_of(acp.post("/checkout_sessions", body), 201)["line_items"][0]["unit_amount"] == 3500


def ready_session(acp: AcpAgent, item_id: str = "roses_12", quantity: int = 1) -> str:
    created = session_of(acp.post("/checkout_sessions", create_body(item_id, quantity, fulfillment_details=DETAILS)),
                         201)
    option = {"type": "shipping", "option_id": "std-ship", "item_ids": ["li_1"]}
    ready = session_of(acp.post(f"/checkout_sessions/{created['id']}", {"selected_fulfillment_options": [option]}))
    assert ready["status"] == "ready_for_payment"
    return created["id"]


def test_idempotent_replay_is_flagged_and_another_body_conflicts(acp: AcpAgent, database: Database) -> None:
    first = acp.post("/checkout_sessions", create_body(), key="k-1", **{"Request-Id": "req-9"})
    again = acp.post("/checkout_sessions", create_body(), key="k-1")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert first.headers["idempotency-key"] == "k-1" and first.headers["request-id"] == "req-9"
    assert "idempotent-replayed" not in first.headers and again.headers["idempotent-replayed"] == "true"
    error_of(acp.post("/checkout_sessions", create_body(quantity=5), key="k-1"), 422, "idempotency_conflict")
    with database.session() as session:
        assert session.query(CheckoutSessionRow).count() == 1


def test_completing_twice_with_one_key_charges_once(acp: AcpAgent, database: Database) -> None:
    path = f"/checkout_sessions/{ready_session(acp)}/complete"
    first, second = acp.post(path, PAYMENT, key="pay-1"), acp.post(path, PAYMENT, key="pay-1")
    assert first.json() == second.json() and session_of(second)["status"] == "completed"
    error_of(acp.post(path, PAYMENT, key="pay-2"), 405, "invalid_transition")
    with database.session() as session:
        assert session.get(VariantRow, "roses_12").stock == 999


def test_headers_are_required(acp: AcpAgent, ucp_client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {acp.api_key}", "Idempotency-Key": "h-1"}
    error_of(ucp_client.post("/checkout_sessions", json=create_body(), headers=auth), 400, "missing")
    error_of(ucp_client.post("/checkout_sessions", json=create_body(), headers={**auth, "API-Version": "2025-09-29"}),
             400, "unsupported_api_version")
    no_key = {"Authorization": f"Bearer {acp.api_key}", "API-Version": VERSION}
    error_of(ucp_client.post("/checkout_sessions", json=create_body(), headers=no_key), 400,
             "idempotency_key_required")
    error_of(ucp_client.post("/checkout_sessions", json=create_body(),
                             headers={"API-Version": VERSION, "Idempotency-Key": "h-2"}), 401, "unauthorized")
    error_of(ucp_client.post("/checkout_sessions", json=create_body(),
                             headers={"API-Version": VERSION, "Idempotency-Key": "h-3", "Authorization": "Bearer no"}),
             401, "unauthorized")


@pytest.mark.parametrize("content", [b"{not json", b"[]", b'{"line_items": [], "currency": "usd", "capabilities": {}}',
                                     b'{"line_items": [{"item": {"id": "roses_12"}, "quantity": 1}]}',
                                     b'{"line_items": [{"item": {"id": "roses_12"}, "quantity": 0}], '
                                     b'"currency": "usd", "capabilities": {}}'])
def test_malformed_bodies_are_400_and_write_nothing(acp: AcpAgent, database: Database, content: bytes) -> None:
    response = acp.client.post("/checkout_sessions", content=content,
                               headers=acp.headers(**{"Idempotency-Key": "m-1", "Content-Type": "application/json"}))
    error_of(response, 400, "invalid")
    with database.session() as session:
        assert session.query(CheckoutSessionRow).count() == 0


def test_oversize_body_is_413(acp: AcpAgent) -> None:
    huge = {"pad": "x" * 70_000, **create_body()}
    error_of(acp.post("/checkout_sessions", huge), 413, "payload_too_large")


def test_another_currency_is_refused(acp: AcpAgent) -> None:
    body = error_of(acp.post("/checkout_sessions", {**create_body(), "currency": "eur"}), 400, "unsupported_currency")
    assert body["param"] == "$.currency"


def test_unavailable_items(acp: AcpAgent) -> None:
    error_of(acp.post("/checkout_sessions", create_body(OUT_OF_STOCK, 1)), 400, "item_unavailable")
    body = create_body(OUT_OF_STOCK, 1)
    body["line_items"].append({"item": {"id": "pot_m"}, "quantity": 1})
    created = session_of(acp.post("/checkout_sessions", body), 201)
    stock = [m for m in created["messages"] if m["code"] == "out_of_stock"]
    assert stock and stock[0]["param"] == "$.line_items[0]" and stock[0]["type"] == "error"


def test_no_quantity_cap_of_its_own_and_core_refusals_name_the_requests_path(acp: AcpAgent) -> None:
    body = create_body("roses_12", 10_001)
    body["line_items"].append({"item": {"id": "pot_m"}, "quantity": 1})
    created = session_of(acp.post("/checkout_sessions", body), 201)
    assert [m["param"] for m in created["messages"] if m["code"] == "out_of_stock"] == ["$.line_items[0]"]
    many = {**create_body(), "line_items": [{"item": {"id": "pot_m"}, "quantity": 1}] * 51}
    assert error_of(acp.post("/checkout_sessions", many), 400, "invalid")["param"] == "$.line_items"


def test_a_response_the_seller_cannot_build_is_a_processing_error_not_the_requests() -> None:
    try:
        Error.model_validate({"type": "nonsense"})
    except ValidationError as error:
        refusal = _to_acp(error)
    assert refusal.status_code == 500 and refusal.type == "processing_error" and refusal.param is None
    assert json.loads(refusal.response().body)["type"] == "processing_error"


def test_sold_out_since_ready_is_out_of_stock(acp: AcpAgent, database: Database) -> None:
    checkout_id = ready_session(acp, LAST_ONE)
    with database.session() as session:
        session.get(VariantRow, LAST_ONE).stock = 0
    body = error_of(acp.post(f"/checkout_sessions/{checkout_id}/complete", PAYMENT), 400, "out_of_stock")
    assert "White Orchid" in body["message"]


def test_declined_payment_is_402_and_the_session_stays_ready(acp: AcpAgent) -> None:
    checkout_id = ready_session(acp)
    declined = {"payment_data": {**PAYMENT["payment_data"], "instrument": {
        "type": "card", "credential": {"type": "spt", "token": "fail_token"}}}}
    error_of(acp.post(f"/checkout_sessions/{checkout_id}/complete", declined), 402, "payment_declined")
    assert session_of(acp.get(f"/checkout_sessions/{checkout_id}"))["status"] == "ready_for_payment"


def test_cancel_then_every_change_is_405(acp: AcpAgent) -> None:
    checkout_id = ready_session(acp)
    path = f"/checkout_sessions/{checkout_id}"
    canceled = session_of(acp.post(f"{path}/cancel", {"intent_trace": {"reason_code": "price_sensitivity"}}))
    assert canceled["status"] == "canceled"
    for refused in (acp.post(f"{path}/cancel", {}), acp.post(path, {"buyer": {"email": SHOPPER_EMAIL}}),
                    acp.post(f"{path}/complete", PAYMENT)):
        error_of(refused, 405, "invalid_transition")


def test_other_agents_sessions_are_not_found(acp: AcpAgent, other_acp: AcpAgent) -> None:
    path = f"/checkout_sessions/{ready_session(acp)}"
    error_of(other_acp.get(path), 404, "not_found")
    error_of(other_acp.post(path, {"buyer": {"email": "x@example.com"}}), 404, "not_found")
    error_of(other_acp.post(f"{path}/complete", PAYMENT), 404, "not_found")
    error_of(other_acp.post(f"{path}/cancel", {}), 404, "not_found")


def test_one_session_completed_twice_at_once_with_one_key_makes_one_order(tmp_path: Path,
                                                                           database: Database) -> None:
    with live_shop(tmp_path, database) as (url, ucp_headers):
        headers = {"Authorization": ucp_headers["Authorization"], "API-Version": VERSION}
        with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
            created = client.post("/checkout_sessions", json=create_body(LAST_ONE, 1, fulfillment_details=DETAILS),
                                  headers={"Idempotency-Key": "c-1"}).json()
            option = {"type": "shipping", "option_id": "std-ship", "item_ids": ["li_1"]}
            ready = client.post(f"/checkout_sessions/{created['id']}", headers={"Idempotency-Key": "u-1"},
                                json={"selected_fulfillment_options": [option]})
            assert ready.json()["status"] == "ready_for_payment", ready.text
        path = f"{url}/checkout_sessions/{created['id']}/complete"
        responses = race(2, lambda client: client.post(path, json=PAYMENT,
                                                       headers={**headers, "Idempotency-Key": "pay-once"}))
    completed = [session_of(r) for r in responses if r.status_code == 200]
    assert completed and len({body["order"]["id"] for body in completed}) == 1
    for refused in (r for r in responses if r.status_code != 200):  # the loser saw the key or the session taken
        assert (refused.status_code, refused.json()["code"]) in ((409, "idempotency_in_flight"),
                                                                 (405, "invalid_transition")), refused.text
    with database.session() as session:
        assert session.query(OrderRow).count() == 1 and session.get(VariantRow, LAST_ONE).stock == 0
