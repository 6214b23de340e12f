"""Order webhooks: events queued in the transaction that changed the order, POSTed to a real local receiver signed
(RFC 9421, ES256, the key /.well-known/ucp advertises; verified here independently), retried, delivered once."""

from __future__ import annotations

import base64
import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import select
from typer.testing import CliRunner
from ucp_sdk.models.schemas.shopping.order import Order as UcpOrder

from commerce.agents import agent_for_key
from commerce.db import Database
from commerce.models import OrderStatus
from commerce.order_events import set_webhook
from commerce.store import get_order
from commerce.tables import AgentRow, OrderEventRow
from protocols.webhooks import WebhookSender
from shopassist.cli import app as cli_app
from shopassist.settings import Settings, get_settings
from tests.protocols.conftest import PAY_WITH, SIMULATION_SECRET, Agent, ready_body
from tests.protocols.receiver import Receiver
from tools.actions import Plan, apply_plan

LATER = timedelta(days=1)  # a pass this far ahead finds every retry due


def agent_id_of(database: Database, agent: Agent) -> str:
    with database.session() as session:
        found = agent_for_key(session, agent.api_key)
    assert found is not None
    return found


def hooked(database: Database, agent: Agent, url: str) -> str:
    agent_id = agent_id_of(database, agent)
    with database.session() as session:
        assert set_webhook(session, agent_id, url)
    return agent_id


def completed_order(agent: Agent, item_id: str = "roses_12", ucp_agent: str = 'version="2026-04-08"') -> str:
    """By default the agent sends a UCP-Agent without a profile: only a registered URL is told."""
    headers = {**agent.headers(), "UCP-Agent": ucp_agent}
    created = agent.client.post("/checkout-sessions", json=ready_body(item_id=item_id, quantity=1), headers=headers)
    assert created.status_code == 201, created.text
    done = agent.client.post(f"/checkout-sessions/{created.json()['id']}/complete", json=PAY_WITH, headers=headers)
    assert done.status_code == 200, done.text
    return done.json()["order"]["id"]


def verify(headers: dict[str, str], body: bytes, url: str, jwk: dict[str, str]) -> None:
    """RFC 9421 verification written from the RFC, not from the sender's code."""
    digest = f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode()}:"
    assert headers["Content-Digest"] == digest
    params = headers["Signature-Input"].removeprefix("sig1=")
    assert f'keyid="{jwk["kid"]}"' in params
    components = [name.strip('"') for name in re.match(r"\(([^)]*)\)", params).group(1).split()]  # type: ignore[union-attr]
    authority, rest = url.split("//", 1)[1].split("/", 1)
    path, _, query = f"/{rest}".partition("?")
    lowered = {name.lower(): value for name, value in headers.items()}
    derived = {"@method": "POST", "@authority": authority, "@path": path, "@query": f"?{query}"}
    lines = [f'"{name}": {derived[name] if name.startswith("@") else lowered[name].strip()}' for name in components]
    base = "\n".join([*lines, f'"@signature-params": {params}'])
    raw = base64.b64decode(headers["Signature"].removeprefix("sig1=:").removesuffix(":"))

    def number(field: str) -> int:
        return int.from_bytes(base64.urlsafe_b64decode(jwk[field] + "=" * (-len(jwk[field]) % 4)), "big")

    key = ec.EllipticCurvePublicNumbers(number("x"), number("y"), ec.SECP256R1()).public_key()
    signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.verify(signature, base.encode(), ec.ECDSA(hashes.SHA256()))
    assert {"@method", "@authority", "@path", "@query", "content-digest", "content-type", "idempotency-key",
            "ucp-agent"} <= set(components)


def test_created_and_shipped_reach_the_webhook_signed_retried_and_once(
        agent: Agent, database: Database, ucp_settings: Settings, receiver: Receiver) -> None:
    hooked(database, agent, receiver.url)
    order_id = completed_order(agent)
    shipped = agent.post(f"/testing/simulate-shipping/{order_id}", {}, **{"Simulation-Secret": SIMULATION_SECRET})
    assert shipped.status_code == 200, shipped.text

    sender = WebhookSender(database, ucp_settings)
    receiver.statuses = [503]  # the receiver is down for the first POST
    assert sender.deliver_due() == 1
    assert sender.deliver_due() == 0  # the failed one waits for its backoff
    assert sender.deliver_due(datetime.now(UTC) + LATER) == 1
    assert sender.deliver_due(datetime.now(UTC) + LATER) == 0  # nothing is sent twice

    posts = receiver.delivered()
    assert len(posts) == 3
    kinds = [headers["Webhook-Event"] for headers, _ in posts[1:]]
    assert sorted(kinds) == ["order.created", "order.shipped"]
    assert posts[0][0]["Webhook-Id"] in {headers["Webhook-Id"] for headers, _ in posts[1:]}  # the retry
    jwk = agent.client.get("/.well-known/ucp").json()["signing_keys"][0]
    for (_path, headers, raw), (_, body) in zip(receiver.received, posts, strict=True):
        verify(headers, raw, receiver.url, jwk)
        UcpOrder.model_validate(body)
        assert body["id"] == order_id
        assert headers["UCP-Agent"].endswith('/.well-known/ucp"') and headers["Webhook-Timestamp"].isdigit()
    with pytest.raises(InvalidSignature):
        _tampered(receiver.received[1], receiver.url, jwk)
    with database.session() as session:
        rows = session.scalars(select(OrderEventRow)).all()
    assert sorted((row.attempts, row.delivered_at is not None) for row in rows) == [(1, True), (2, True)]


def _tampered(received: tuple[str, dict[str, str], bytes], url: str, jwk: dict[str, str]) -> None:
    """The signature covers the digest: a body changed in transit (digest recomputed) no longer verifies."""
    _path, headers, body = received
    changed = body + b" "
    forged = {**headers, "Content-Digest": f"sha-256=:{base64.b64encode(hashlib.sha256(changed).digest()).decode()}:"}
    verify(forged, changed, url, jwk)


def test_no_event_without_a_webhook_or_when_the_change_is_undone(
        agent: Agent, other_agent: Agent, database: Database, receiver: Receiver) -> None:
    completed_order(other_agent)  # no webhook registered, no profile: nothing queued
    hooked(database, agent, receiver.url)
    created = agent.post("/checkout-sessions", ready_body(quantity=1))
    declined = {"payment": {"instruments": [{**PAY_WITH["payment"]["instruments"][0],
                                             "credential": {"type": "token", "token": "declined"}}]}}
    assert agent.post(f"/checkout-sessions/{created.json()['id']}/complete", declined).status_code == 402
    with database.session() as session:
        assert session.scalars(select(OrderEventRow)).all() == []


def test_an_order_canceled_through_the_chat_write_path_tells_its_agent(
        agent: Agent, database: Database, ucp_settings: Settings, receiver: Receiver) -> None:
    """A confirmed chat write (tools.actions.apply_plan) that cancels an agent's order queues 'canceled'. The plan
    is built here: plan_cancel refuses an agent-checkout order today (its payment is not one of the shopper's)."""
    hooked(database, agent, receiver.url)
    order_id = f"#{completed_order(agent)}"
    with database.session() as session:
        order = get_order(session, order_id)
        assert order is not None
        canceled_order = order.model_copy(update={"status": OrderStatus.CANCELLED})
        apply_plan(session, "john_doe_1", "cancel_pending_order", Plan("Cancel", [(order, canceled_order)]))
    sender = WebhookSender(database, ucp_settings)
    assert sender.deliver_due() == 2
    canceled = next(body for headers, body in receiver.delivered() if headers["Webhook-Event"] == "order.canceled")
    UcpOrder.model_validate(canceled)
    assert [line["status"] for line in canceled["line_items"]] == ["removed"]
    assert canceled["adjustments"][0]["type"] == "cancellation"
    assert canceled["adjustments"][0]["totals"] == [{"type": "total", "amount": -4000}]


def test_two_senders_at_once_deliver_each_event_once(
        agent: Agent, database: Database, ucp_settings: Settings, receiver: Receiver) -> None:
    hooked(database, agent, receiver.url)
    for _ in range(6):
        completed_order(agent, item_id="pot_m")
    senders = [WebhookSender(database, ucp_settings) for _ in range(3)]
    with ThreadPoolExecutor(3) as pool:
        delivered = sum(pool.map(lambda sender: sender.deliver_due(), senders))
    ids = [headers["Webhook-Id"] for headers, _ in receiver.delivered()]
    assert delivered == 6 and len(ids) == 6 and len(set(ids)) == 6


def test_a_dead_receiver_is_given_up_after_the_attempts_allowed(
        agent: Agent, database: Database, ucp_settings: Settings, receiver: Receiver) -> None:
    hooked(database, agent, receiver.url)
    completed_order(agent)
    sender = WebhookSender(database, ucp_settings.model_copy(update={"ucp_webhook_max_attempts": 3}))
    receiver.statuses = [500] * 10
    for days in range(1, 6):
        sender.deliver_due(datetime.now(UTC) + timedelta(days=days))
    assert len(receiver.received) == 3
    with database.session() as session:
        row = session.scalars(select(OrderEventRow)).one()
    assert row.delivered_at is None and row.attempts == 3 and row.last_error == "HTTP 500"


def test_the_operator_registers_a_webhook_with_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPASSIST_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SHOPASSIST_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        issued = CliRunner().invoke(cli_app, ["agents", "issue", "acme"])
        agent_id = re.search(r"agent (agent_\w+)", issued.output).group(1)  # type: ignore[union-attr]
        registered = CliRunner().invoke(cli_app, ["agents", "webhook", agent_id, "https://acme.example/hooks"])
        unknown = CliRunner().invoke(cli_app, ["agents", "webhook", "agent_nope", "https://acme.example/hooks"])
        bad = CliRunner().invoke(cli_app, ["agents", "webhook", agent_id, "ftp://acme.example"])
    finally:
        get_settings.cache_clear()
    assert registered.exit_code == 0, registered.output
    assert unknown.exit_code != 0 and "no agent" in unknown.output
    assert bad.exit_code != 0
    database = Database(f"sqlite:///{tmp_path / 'var' / 'shop.db'}")
    with database.session() as session:
        assert session.get_one(AgentRow, agent_id).webhook_url == "https://acme.example/hooks"


def test_without_a_registered_url_the_agent_profile_names_the_webhook(
        agent: Agent, database: Database, ucp_settings: Settings, receiver: Receiver) -> None:
    """The spec's way: the order capability's config.webhook_url in the profile the UCP-Agent header points at."""
    order_id = completed_order(agent, ucp_agent=f'profile="{receiver.profile}"')
    shipped = agent.post(f"/testing/simulate-shipping/{order_id}", {}, **{"Simulation-Secret": SIMULATION_SECRET})
    assert shipped.status_code == 200, shipped.text
    assert WebhookSender(database, ucp_settings).deliver_due() == 2  # shipped: the profile the order came with
    jwk = agent.client.get("/.well-known/ucp").json()["signing_keys"][0]
    assert [path for path, _, _ in receiver.received] == ["/ucp/orders?channel=test"] * 2
    for _path, headers, raw in receiver.received:
        verify(headers, raw, receiver.url, jwk)
        assert headers["Idempotency-Key"] == headers["Webhook-Id"]
