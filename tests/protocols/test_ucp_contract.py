"""What an outside UCP agent relies on (issue 36): versions checked, business outcomes as HTTP 200, no invented caps
or paths, payment instruments read back, its destination ids kept, card credentials taken without keeping them,
buyer consent kept, a known buyer's saved addresses (from the key, never the request), the profile's own address."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner
from ucp_sdk.models.schemas.shopping.catalog_search import SearchResponse
from ucp_sdk.models.schemas.shopping.order import Order as UcpOrder

from commerce.agents import issue_agent_key
from commerce.db import Database
from commerce.models import Product, Variant
from commerce.store import upsert_product
from commerce.tables import CheckoutSessionRow, SavedAddressRow
from protocols.ucp.errors import UcpError
from protocols.ucp.http import Call, Gate, answer
from protocols.ucp.mcp import ucp_agent_header
from protocols.ucp.routes import ucp_router
from protocols.ucp.versions import negotiate
from serving.cli import bind
from shopassist.cli import app as cli_app
from shopassist.settings import get_settings
from tests.checkout_shop import OUT_OF_STOCK, SHOPPER_EMAIL, seed_checkout_shop
from tests.protocols.conftest import PAY_WITH, PROFILE, SIMULATION_SECRET, Agent, create_body, ready_body, settings_for
from tests.protocols.test_checkout_flow import checkout_of, error_of
from tests.serving.conftest import make_client
from tests.serving.fakes import ScriptedRunner
from tests.vectorstore.helpers import HashingEmbedder
from tools.deps import Deps
from vectorstore.service import build_from_database, open_service

CARD = {"id": "instr_card", "handler_id": "mock_payment_handler", "type": "card",
        "display": {"brand": "Visa", "last_digits": "4242"},
        "credential": {"type": "card", "card_number_type": "fpan", "number": "4242424242424242", "expiry_month": 12,
                       "expiry_year": 2040, "cvc": "123", "name": "John Doe"}}


def pay_with_card(**credential: Any) -> dict[str, Any]:
    return {"payment": {"instruments": [{**CARD, "credential": {**CARD["credential"], **credential}}]}}


def test_catalog_search_names_the_shops_own_images_by_absolute_url(tmp_path: Path, database: Database) -> None:
    """The demo shop's images are paths ('/static/img/…'): the answer must still be a valid UCP response."""
    seed_checkout_shop(database)
    with database.session() as session:
        upsert_product(session, Product(id="tulip_vase", title="Tulip vase", price=12.0,
                                        image_url="/static/img/tulip-vase.svg",
                                        variants=[Variant(id="tulip_vase", price=12.0, stock=3)]))
    settings = settings_for(tmp_path, public_base_url="https://shop.example/assistant")
    service = open_service(settings, HashingEmbedder())
    build_from_database(service, database)
    app = FastAPI()
    app.include_router(ucp_router(Deps(database, settings, search=service)))
    with TestClient(app) as client:
        response = client.post("/catalog/search", json={"query": "tulip vase"}, headers={"UCP-Agent": PROFILE})
    assert response.status_code == 200, response.text
    SearchResponse.model_validate(response.json())
    media = {product["id"]: product.get("media") for product in response.json()["products"]}
    assert media["tulip_vase"] == [{"type": "image", "url": "https://shop.example/assistant/static/img/tulip-vase.svg"}]


def test_a_response_the_shop_cannot_build_is_its_own_error_not_the_requests(database: Database) -> None:
    def work(_session: Any, _agent: str, _raw: bytes) -> Any:
        SearchResponse.model_validate({"ucp": {}, "products": [{"media": [{"url": "not a url"}]}]})

    call = Call(method="POST", path="/catalog/search", body=b"{}", ucp_agent=PROFILE)
    answered = asyncio.run(answer(Gate(database, 65_536), call, work, authenticated=False))
    assert answered.status_code == 500
    message = answered.body["messages"][0]
    assert message["code"] == "internal_error" and "path" not in message and "$." not in message["content"]


@pytest.mark.parametrize(("declared", "status"), [("2026-04-08", 201), ("2026-01-23", 201), ("2026-02-01", 201),
                                                  ("2026-05-01", 400), ("2099-01-01", 400), ("2026-13-01", 400),
                                                  ("latest", 400)])
def test_the_platforms_version_is_validated(agent: Agent, database: Database, declared: str, status: int) -> None:
    headers = {**agent.headers(), "UCP-Agent": f'{PROFILE}; version="{declared}"'}
    response = agent.client.post("/checkout-sessions", json=create_body(), headers=headers)
    assert response.status_code == status, response.text
    if status == 400:
        body = error_of(response, 400)
        assert body["messages"][0]["code"] == "version_unsupported"
        with database.session() as session:
            assert session.query(CheckoutSessionRow).count() == 0
    else:
        assert response.json()["ucp"]["version"] == "2026-04-08"


def test_a_version_declared_in_mcp_meta_is_validated_like_the_header() -> None:
    meta = {"ucp-agent": {"profile": "https://agent.example/.well-known/ucp", "version": "2099-01-01"}}
    with pytest.raises(UcpError) as refused:
        negotiate(ucp_agent_header({"meta": meta}, ""))
    assert refused.value.code == "version_unsupported" and refused.value.status_code == 400
    assert negotiate(ucp_agent_header({"meta": {"ucp-agent": {"profile": "https://a.example/p"}}}, "")) == "2026-04-08"


@pytest.mark.parametrize(("item_id", "code"), [(OUT_OF_STOCK, "out_of_stock"), ("pink_wumpus", "not_found")])
def test_only_unavailable_items_are_a_200_with_messages_and_no_session(agent: Agent, database: Database,
                                                                       item_id: str, code: str) -> None:
    body = error_of(agent.post("/checkout-sessions", create_body(item_id=item_id, quantity=1)), 200)
    assert [(m["code"], m["severity"], m["path"]) for m in body["messages"]] == [(code, "unrecoverable",
                                                                                  "$.line_items[0]")]
    assert body["continue_url"] == "http://127.0.0.1:8080/"
    with database.session() as session:
        assert session.query(CheckoutSessionRow).count() == 0


def test_no_quantity_cap_of_its_own_more_than_the_stock_is_out_of_stock(agent: Agent) -> None:
    all_of_them = checkout_of(agent.post("/checkout-sessions", create_body(quantity=1000)), 201)
    assert all_of_them["line_items"][0]["quantity"] == 1000
    assert [m["code"] for m in all_of_them["messages"]] == ["missing"]  # only the destination is missing
    too_many = error_of(agent.post("/checkout-sessions", create_body(quantity=10_001)), 200)
    assert [(m["code"], m["path"]) for m in too_many["messages"]] == [("out_of_stock", "$.line_items[0]")]
    path = f"/checkout-sessions/{all_of_them['id']}"
    updated = checkout_of(agent.put(path, create_body(quantity=10_001)))
    assert updated["status"] == "incomplete" and updated["messages"][0]["code"] == "out_of_stock"


def test_a_value_the_core_refuses_is_named_by_the_requests_own_path(agent: Agent) -> None:
    many = {"line_items": [{"item": {"id": "roses_12"}, "quantity": 1}] * 51}
    assert error_of(agent.post("/checkout-sessions", many), 400)["messages"][0]["path"] == "$.line_items"
    long_email = {**create_body(), "buyer": {"email": "x" * 300 + "@example.com"}}
    assert error_of(agent.post("/checkout-sessions", long_email), 400)["messages"][0]["path"] == "$.buyer.email"


def test_payment_instruments_come_back_on_every_response_without_credentials(agent: Agent) -> None:
    plain = checkout_of(agent.post("/checkout-sessions", create_body()), 201)
    assert plain["payment"] == {"instruments": []}
    created = checkout_of(agent.post("/checkout-sessions", {**ready_body(), **PAY_WITH}), 201)
    shown = created["payment"]["instruments"]
    assert shown == [{"id": "instr_1", "handler_id": "mock_payment_handler", "type": "card", "selected": True}]
    path = f"/checkout-sessions/{created['id']}"
    assert checkout_of(agent.put(path, ready_body(quantity=1)))["payment"]["instruments"] == shown
    assert "success_token" not in json.dumps(checkout_of(agent.get(path)))


def test_destination_ids_come_back_as_the_agent_sent_them(agent: Agent) -> None:
    created = checkout_of(agent.post("/checkout-sessions", ready_body()), 201)
    method = created["fulfillment"]["methods"][0]
    assert [d["id"] for d in method["destinations"]] == ["d1"] and method["selected_destination_id"] == "d1"
    body = ready_body()
    body["fulfillment"]["methods"][0]["destinations"] = [{"id": "dest_new", "address_country": "CA",
                                                          "postal_code": "M5V 2H1", "street_address": "123 New St"}]
    body["fulfillment"]["methods"][0]["selected_destination_id"] = "dest_new"
    del body["fulfillment"]["methods"][0]["groups"]
    moved = checkout_of(agent.put(f"/checkout-sessions/{created['id']}", body))["fulfillment"]["methods"][0]
    assert [d["id"] for d in moved["destinations"]] == ["dest_new"] and moved["selected_destination_id"] == "dest_new"
    assert "exp-ship-intl" in [option["id"] for option in moved["groups"][0]["options"]]


def test_an_orders_fulfillment_expectation_says_how_it_ships(agent: Agent) -> None:
    created = checkout_of(agent.post("/checkout-sessions", ready_body()), 201)
    order_id = checkout_of(agent.post(f"/checkout-sessions/{created['id']}/complete", PAY_WITH))["order"]["id"]
    order = agent.get(f"/orders/{order_id}").json()
    UcpOrder.model_validate(order)
    assert order["fulfillment"]["expectations"][0]["description"] == "Standard to Springfield, US"


def test_a_card_credential_pays_and_nothing_of_the_card_is_kept(agent: Agent, database: Database) -> None:
    created = checkout_of(agent.post("/checkout-sessions", ready_body()), 201)
    done = checkout_of(agent.post(f"/checkout-sessions/{created['id']}/complete", pay_with_card()))
    assert done["status"] == "completed" and done["order"]["id"]
    with database.engine.connect() as connection:
        tables = [row[0] for row in connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))]
        dumped = " ".join(str(row) for table in tables for row in connection.execute(text(f'SELECT * FROM "{table}"')))
    assert "4242424242424242" not in dumped and "424242424242" not in dumped


@pytest.mark.parametrize(("credential", "status"), [({"number": "4000000000000002"}, 402),
                                                    ({"number": "4242424242424241"}, 402),
                                                    ({"expiry_year": 2020}, 402),
                                                    ({"number": "42"}, 400)])
def test_a_card_that_cannot_pay_is_declined_or_refused(agent: Agent, credential: dict[str, Any], status: int) -> None:
    created = checkout_of(agent.post("/checkout-sessions", ready_body()), 201)
    path = f"/checkout-sessions/{created['id']}"
    error_of(agent.post(f"{path}/complete", pay_with_card(**credential)), status)
    assert checkout_of(agent.get(path))["status"] == "ready_for_complete"


def test_buyer_consent_is_kept_and_declared(agent: Agent) -> None:
    consent = {"marketing": True, "analytics": False, "sale_of_data": False}
    body = {**create_body(), "buyer": {"email": "consent@example.com", "first_name": "Consent", "consent": consent}}
    created = checkout_of(agent.post("/checkout-sessions", body), 201)
    assert checkout_of(agent.get(f"/checkout-sessions/{created['id']}"))["buyer"]["consent"] == consent
    assert "dev.ucp.shopping.buyer_consent" in created["ucp"]["capabilities"]
    assert "dev.ucp.shopping.buyer_consent" in agent.client.get("/.well-known/ucp").json()["ucp"]["capabilities"]


@pytest.fixture
def known_buyer(ucp_client: TestClient, database: Database) -> Agent:
    """An agent whose key acts for john_doe_1, who saved two addresses."""
    with database.session() as session:
        session.add_all([SavedAddressRow(id="addr_1", shopper_id="john_doe_1", position=0, address={
            "street_address": "123 Main St", "city": "Springfield", "region": "IL", "postal_code": "62704",
            "country": "US"}), SavedAddressRow(id="addr_2", shopper_id="john_doe_1", position=1, address={
                "street_address": "456 Oak Ave", "city": "Metropolis", "region": "NY", "postal_code": "10012",
                "country": "US"})])
        session.flush()
        return Agent(ucp_client, issue_agent_key(session, "johns-assistant", "john_doe_1").api_key)


def test_a_known_buyers_saved_addresses_are_offered_and_chosen_by_id(known_buyer: Agent) -> None:
    created = checkout_of(known_buyer.post("/checkout-sessions", create_body()), 201)
    method = created["fulfillment"]["methods"][0]
    assert [(d["id"], d["address_locality"]) for d in method["destinations"]] == [("addr_1", "Springfield"),
                                                                                   ("addr_2", "Metropolis")]
    assert "selected_destination_id" not in method
    method = {"type": "shipping", "line_item_ids": ["li_1"], "selected_destination_id": "addr_2",
              "groups": [{"id": "group_1", "selected_option_id": "std-ship"}]}
    choose = {**create_body(), "fulfillment": {"methods": [method]}}
    chosen = checkout_of(known_buyer.put(f"/checkout-sessions/{created['id']}", choose))
    method = chosen["fulfillment"]["methods"][0]
    assert method["selected_destination_id"] == "addr_2" and len(method["destinations"]) == 2
    assert chosen["status"] == "ready_for_complete"


def test_a_buyers_email_in_the_request_reveals_no_saved_address(agent: Agent, known_buyer: Agent) -> None:
    body = {**create_body(), "buyer": {"email": SHOPPER_EMAIL, "first_name": "John", "last_name": "Doe"}}
    created = checkout_of(agent.post("/checkout-sessions", body), 201)
    assert "destinations" not in created["fulfillment"]["methods"][0]
    guessed = {**body, "fulfillment": {"methods": [{"type": "shipping", "line_item_ids": ["li_1"],
                                                         "selected_destination_id": "addr_2"}]}}
    updated = checkout_of(agent.put(f"/checkout-sessions/{created['id']}", guessed))
    assert "Metropolis" not in json.dumps(updated) and updated["status"] == "incomplete"


def test_the_profile_names_the_address_the_server_is_bound_to(tmp_path: Path, database: Database,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """`shopassist serve --port 9123`: the app each worker builds from the environment advertises port 9123."""
    monkeypatch.setenv("SHOPASSIST_ENV", "test")
    monkeypatch.setenv("SHOPASSIST_DATA_DIR", str(tmp_path))
    for name in ("SHOPASSIST_PUBLIC_BASE_URL", "SHOPASSIST_HOST", "SHOPASSIST_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("os.environ", dict(os.environ))  # bind() writes the bound address here, for the workers
    get_settings.cache_clear()
    try:
        assert get_settings().port == 8080  # the CLI reads its settings before `serve` sees --port
        assert bind(None, 9123).public_base_url == "http://127.0.0.1:9123"
        with make_client(get_settings(), database, ScriptedRunner()) as client:  # what serving.main builds
            services = client.get("/.well-known/ucp").json()["ucp"]["services"]["dev.ucp.shopping"]
        assert [entry["endpoint"] for entry in services] == ["http://127.0.0.1:9123/", "http://127.0.0.1:9123/mcp/"]
        monkeypatch.setenv("SHOPASSIST_PUBLIC_BASE_URL", "https://shop.example")
        assert bind(None, 9123).public_base_url == get_settings().public_base_url == "https://shop.example"
    finally:
        get_settings.cache_clear()


def test_simulated_shipping_still_needs_its_secret_under_a_declared_version(agent: Agent) -> None:
    created = checkout_of(agent.post("/checkout-sessions", ready_body()), 201)
    order_id = checkout_of(agent.post(f"/checkout-sessions/{created['id']}/complete", PAY_WITH))["order"]["id"]
    headers = {"Simulation-Secret": SIMULATION_SECRET, "UCP-Agent": f'{PROFILE}; version="2026-04-08"'}
    shipped = agent.post(f"/testing/simulate-shipping/{order_id}", {}, **headers)
    assert shipped.status_code == 200, shipped.text



def test_production_without_an_https_public_url_says_so_at_start_up(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The warning comes before the server starts: uvicorn is not run here, only asked to."""
    started: list[int] = []
    monkeypatch.setattr("uvicorn.run", lambda *_args, port, **_kwargs: started.append(port))
    monkeypatch.setattr("os.environ", {**os.environ, "SHOPASSIST_ENV": "production", "SHOPASSIST_SECRET": "s" * 32,
                                       "SHOPASSIST_OPERATOR_TOKEN": "t" * 32, "SHOPASSIST_LLM_BACKEND": "scripted",
                                       "SHOPASSIST_DATA_DIR": str(tmp_path)})
    for public_url, warned in (("", True), ("https://shop.example", False)):
        os.environ.pop("SHOPASSIST_PUBLIC_BASE_URL", None)
        os.environ |= {"SHOPASSIST_PUBLIC_BASE_URL": public_url} if public_url else {}
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(cli_app, ["serve", "--port", "9125"])
        finally:
            get_settings.cache_clear()
        assert result.exit_code == 0, result.output
        assert ("warning: SHOPASSIST_PUBLIC_BASE_URL is 'http://127.0.0.1:9125'" in result.output) is warned
    assert started == [9125, 9125]
