"""ACP order webhooks from the same outbox as UCP's: an order_create event (then order_update when it ships) with
the whole order, signed Merchant-Signature t=…,v1=HMAC-SHA256(secret, t + "." + body), verified here from the spec."""

from __future__ import annotations

import hashlib
import hmac
import re
import time

from commerce.db import Database
from commerce.order_events import set_webhook
from protocols.acp.models import WebhookEvent
from protocols.webhooks import WebhookSender
from shopassist.settings import Settings
from tests.protocols.conftest import SIMULATION_SECRET, Agent
from tests.protocols.receiver import Receiver
from tests.protocols.test_acp import DETAILS, PAYMENT, AcpAgent, create_body, session_of
from tests.protocols.test_webhooks import agent_id_of

SECRET = "whsec_test_shared_secret"


def verified(headers: dict[str, str], body: bytes, secret: str = SECRET) -> None:
    found = re.fullmatch(r"t=(\d+),v1=([0-9a-f]{64})", headers["Merchant-Signature"])
    assert found is not None, headers["Merchant-Signature"]
    assert abs(int(found.group(1)) - time.time()) < 300  # the receiver's replay window
    expected = hmac.new(secret.encode(), f"{found.group(1)}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, found.group(2))


def acp_order(acp: AcpAgent) -> str:
    created = session_of(acp.post("/checkout_sessions", create_body(quantity=1, fulfillment_details=DETAILS)), 201)
    options = created["fulfillment_options"]
    ready = session_of(acp.post(f"/checkout_sessions/{created['id']}",
                                {"selected_fulfillment_options": [{"type": "shipping", "option_id": options[0]["id"],
                                                                   "item_ids": ["li_1"]}]}))
    done = session_of(acp.post(f"/checkout_sessions/{ready['id']}/complete", PAYMENT))
    assert done["status"] == "completed"
    return str(done["order"]["id"])


def test_an_acp_order_is_announced_signed_as_acp_specifies(agent: Agent, database: Database,
                                                           ucp_settings: Settings, receiver: Receiver) -> None:
    with database.session() as session:
        assert set_webhook(session, agent_id_of(database, agent), receiver.url, SECRET)
    order_id = acp_order(AcpAgent(agent))
    shipped = agent.post(f"/testing/simulate-shipping/{order_id}", {}, **{"Simulation-Secret": SIMULATION_SECRET})
    assert shipped.status_code == 200, shipped.text

    assert WebhookSender(database, ucp_settings).deliver_due() == 2
    events = []
    for _, headers, body in receiver.received:
        verified(headers, body)
        events.append(WebhookEvent.model_validate_json(body))
    assert sorted((event.type, event.data.status) for event in events) == [("order_create", "created"),
                                                                           ("order_update", "shipped")]
    created = next(event.data for event in events if event.type == "order_create")
    assert created.id == order_id and created.permalink_url.endswith(f"/orders/{order_id}")
    assert [(line.title, line.quantity.ordered) for line in created.line_items] == [("Bouquet of Red Roses", 1)]
    assert {total.type: total.amount for total in created.totals}["total"] == 3500 + 500
    assert "Webhook-Event" not in receiver.received[0][1]  # not a UCP webhook


def test_without_a_shared_secret_an_acp_webhook_is_not_sent_unsigned(agent: Agent, database: Database,
                                                                     ucp_settings: Settings,
                                                                     receiver: Receiver) -> None:
    with database.session() as session:
        assert set_webhook(session, agent_id_of(database, agent), receiver.url)
    acp_order(AcpAgent(agent))
    assert WebhookSender(database, ucp_settings).deliver_due() == 0
    assert receiver.received == []
