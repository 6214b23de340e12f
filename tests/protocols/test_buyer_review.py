"""The shop's review rule: an agent's checkout above SHOPASSIST_AGENT_REVIEW_ABOVE is requires_escalation, the agent
cannot complete it, and its buyer pays it on the checkout page its continue_url opens (UCP and ACP)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from commerce.agents import agent_for_key
from commerce.db import Database
from commerce.order_events import set_webhook
from commerce.tables import OrderEventRow, OrderRow, VariantRow
from protocols.acp.models import CheckoutSession
from tests.checkout_shop import seed_checkout_shop
from tests.protocols.conftest import PAY_WITH, SIMULATION_SECRET, Agent, agent_named, ready_body, settings_for
from tests.protocols.test_acp import DETAILS, AcpAgent
from tests.protocols.test_acp import create_body as acp_create_body
from tests.protocols.test_checkout_flow import checkout_of
from tests.serving.conftest import make_client
from tests.serving.fakes import ScriptedRunner

BASE = "http://shop.test"
# roses at 35.00: three are 105.00 before shipping, above the rule's 100.00; two are below it
OVER, UNDER = 3, 2
# the mock handler's stand-in for a card whose issuer asks its holder to confirm (3-D Secure)
CHALLENGED = {"payment": {"instruments": [{**PAY_WITH["payment"]["instruments"][0],
                                           "credential": {"type": "token", "token": "escalate_token"}}]}}


@pytest.fixture
def reviewing(tmp_path: Path, database: Database) -> Iterator[Agent]:
    seed_checkout_shop(database)
    settings = settings_for(tmp_path, agent_review_above=100.0, public_base_url=BASE,
                            ucp_simulation_secret=SIMULATION_SECRET)
    with make_client(settings, database, ScriptedRunner()) as client:
        yield agent_named(client, database, "agent-review")


def _held(agent: Agent) -> dict[str, Any]:
    held = checkout_of(agent.post("/checkout-sessions", ready_body(quantity=OVER)), 201)
    assert held["status"] == "requires_escalation"
    return held


def _page_path(continue_url: str) -> str:
    assert continue_url.startswith(f"{BASE}/checkout/")
    return continue_url.removeprefix(BASE)


def _stock(database: Database) -> int:
    with database.session() as session:
        return session.get_one(VariantRow, "roses_12").stock


def _orders(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(OrderRow)) or 0


def test_above_the_rule_the_agent_is_sent_to_the_buyer(reviewing: Agent, database: Database) -> None:
    held = _held(reviewing)
    review = [message for message in held["messages"] if message["code"] == "requires_buyer_review"]
    assert len(review) == 1 and review[0]["severity"] == "requires_buyer_review"
    _page_path(held["continue_url"])

    stock, orders = _stock(database), _orders(database)
    still = checkout_of(reviewing.post(f"/checkout-sessions/{held['id']}/complete", PAY_WITH))
    assert still["status"] == "requires_escalation" and still["continue_url"] and "order" not in still
    assert [m["severity"] for m in still["messages"] if m["code"] == "requires_buyer_review"] == [
        "requires_buyer_review"]
    assert (_stock(database), _orders(database)) == (stock, orders)
    assert checkout_of(reviewing.get(f"/checkout-sessions/{held['id']}"))["status"] == "requires_escalation"


def test_a_payment_the_issuer_wants_confirmed_goes_to_the_buyer(reviewing: Agent, database: Database) -> None:
    ready = checkout_of(reviewing.post("/checkout-sessions", ready_body(quantity=UNDER)), 201)
    stock, orders = _stock(database), _orders(database)
    held = checkout_of(reviewing.post(f"/checkout-sessions/{ready['id']}/complete", CHALLENGED))
    assert held["status"] == "requires_escalation" and "order" not in held
    assert [m["severity"] for m in held["messages"] if m["code"] == "payment_needs_buyer"] == ["requires_buyer_input"]
    assert (_stock(database), _orders(database)) == (stock, orders)  # nothing taken, nothing charged

    path = _page_path(held["continue_url"])
    paid = reviewing.client.post(f"{path}/pay", data={"checkout_id": held["id"], "payment_token": "success_token"},
                                 follow_redirects=False)
    assert paid.status_code == 303, paid.text
    done = checkout_of(reviewing.get(f"/checkout-sessions/{held['id']}"))
    assert done["status"] == "completed" and _stock(database) == stock - UNDER


def test_below_the_rule_the_agent_completes_and_gets_no_continue_url(reviewing: Agent) -> None:
    ready = checkout_of(reviewing.post("/checkout-sessions", ready_body(quantity=UNDER)), 201)
    assert ready["status"] == "ready_for_complete" and "continue_url" not in ready
    done = checkout_of(reviewing.post(f"/checkout-sessions/{ready['id']}/complete", PAY_WITH))
    assert done["status"] == "completed" and done["order"]["id"]


def test_an_update_that_brings_it_under_the_rule_releases_it(reviewing: Agent) -> None:
    held = _held(reviewing)
    released = checkout_of(reviewing.put(f"/checkout-sessions/{held['id']}", ready_body(quantity=UNDER)))
    assert released["status"] == "ready_for_complete" and "continue_url" not in released


def test_the_buyer_pays_it_on_the_page_and_the_agent_sees_the_order(reviewing: Agent, database: Database) -> None:
    with database.session() as session:
        agent_id = agent_for_key(session, reviewing.api_key)
        assert agent_id is not None and set_webhook(session, agent_id, "https://agent.example/hooks")
    held = _held(reviewing)
    path = _page_path(held["continue_url"])
    client = reviewing.client

    page = client.get(f"{path}?lang=en")
    assert page.status_code == 200 and "An assistant prepared this order for you" in page.text
    assert 'data-role="pay"' in page.text
    # opening the page, or changing the address on it, does not release the session to the agent
    moved = client.post(f"{path}/update?lang=en", data={"checkout_id": held["id"], "city": "Oakland"})
    assert moved.status_code == 200
    assert checkout_of(reviewing.get(f"/checkout-sessions/{held['id']}"))["status"] == "requires_escalation"

    stock = _stock(database)
    paid = client.post(f"{path}/pay?lang=en", data={"checkout_id": held["id"], "payment_token": "success_token"},
                       follow_redirects=False)
    assert paid.status_code == 303, paid.text
    confirmation = client.get(paid.headers["location"])
    assert "Thank you, your order is placed" in confirmation.text
    assert _stock(database) == stock - OVER

    done = checkout_of(reviewing.get(f"/checkout-sessions/{held['id']}"))
    assert done["status"] == "completed" and done["order"]["id"]
    assert reviewing.get(f"/orders/{done['order']['id']}").status_code == 200
    with database.session() as session:
        events = session.scalars(select(OrderEventRow)).all()
    assert [event.kind for event in events] == ["created"]

    again = client.post(f"{path}/pay?lang=en", data={"checkout_id": held["id"], "payment_token": "success_token"},
                        follow_redirects=False)
    assert again.status_code == 303 and _stock(database) == stock - OVER  # paid once


def test_a_review_link_opens_only_its_own_session(reviewing: Agent, database: Database) -> None:
    first, second = _held(reviewing), _held(reviewing)
    path = _page_path(first["continue_url"])
    other = reviewing.client.post(f"{path}/pay", data={"checkout_id": second["id"], "payment_token": "success_token"})
    assert other.status_code == 404
    forged = re.sub(r"/checkout/(.)", lambda match: "/checkout/" + ("A" if match.group(1) != "A" else "B"), path)
    assert reviewing.client.get(forged).status_code == 400
    assert checkout_of(reviewing.get(f"/checkout-sessions/{second['id']}"))["status"] == "requires_escalation"


def test_acp_sessions_follow_the_same_rule(reviewing: Agent) -> None:
    acp = AcpAgent(reviewing)
    created = acp.post("/checkout_sessions", acp_create_body(quantity=OVER, fulfillment_details=DETAILS))
    assert created.status_code == 201, created.text
    CheckoutSession.model_validate(created.json())
    path = f"/checkout_sessions/{created.json()['id']}"
    options = created.json()["fulfillment_options"]
    chosen = acp.post(path, {"selected_fulfillment_options": [
        {"type": "shipping", "option_id": options[0]["id"], "item_ids": [created.json()["line_items"][0]["id"]]}]})
    body = chosen.json()
    assert chosen.status_code == 200 and body["status"] == "requires_escalation", chosen.text
    review = [message for message in body["messages"] if message["resolution"] == "requires_buyer_input"]
    assert review and f"{BASE}/checkout/" in review[0]["content"]
    refused = acp.post(f"{path}/complete", {"payment_data": {
        "handler_id": "mock_payment_handler",
        "instrument": {"type": "card", "credential": {"type": "spt", "token": "success_token"}}}})
    assert refused.status_code == 200 and refused.json()["status"] == "requires_escalation", refused.text
    assert "order" not in refused.json() and acp.get(path).json()["status"] == "requires_escalation"


def test_held_without_an_address_the_page_asks_the_buyer_for_it_first(reviewing: Agent) -> None:
    held = checkout_of(reviewing.post("/checkout-sessions", {"line_items": [
        {"item": {"id": "roses_12"}, "quantity": OVER}]}), 201)
    # a requires_* message makes the session the buyer's whatever else it lacks (UCP: requires_* → escalation)
    assert held["status"] == "requires_escalation" and held["continue_url"]
    path = _page_path(held["continue_url"])
    page = reviewing.client.get(path)
    assert 'data-role="pay"' not in page.text and 'data-role="not-ready"' in page.text
    address = {"checkout_id": held["id"], "first_name": "John", "last_name": "Doe", "street_address": "1 Main St",
               "city": "Springfield", "region": "IL", "postal_code": "62701", "country": "US"}
    addressed = reviewing.client.post(f"{path}/update", data=address)
    assert addressed.status_code == 200 and 'data-role="pay"' in addressed.text


def test_a_challenged_card_on_an_unfinished_session_goes_to_the_buyer(reviewing: Agent, database: Database) -> None:
    created = checkout_of(reviewing.post("/checkout-sessions", {"line_items": [
        {"item": {"id": "roses_12"}, "quantity": 1}]}), 201)
    assert created["status"] == "incomplete"
    stock = _stock(database)
    held = checkout_of(reviewing.post(f"/checkout-sessions/{created['id']}/complete", CHALLENGED))
    assert held["status"] == "requires_escalation" and held["continue_url"] and _stock(database) == stock
