"""UCP over MCP (/mcp): the spec's tool names, results in structuredContent validated against the ucp-sdk models,
the same agent keys, errors, idempotency and isolation as REST, over a real server and the MCP client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from ucp_sdk.models.schemas.shopping.cart import Cart
from ucp_sdk.models.schemas.shopping.catalog_lookup import GetProductResponse, LookupResponse
from ucp_sdk.models.schemas.shopping.catalog_search import SearchResponse
from ucp_sdk.models.schemas.shopping.order import Order as UcpOrder
from ucp_sdk.models.schemas.shopping.types.error_response import ErrorResponse

from commerce.agents import issue_agent_key
from commerce.db import Database
from protocols.ucp.responses import UcpCheckout
from serving.app import create_app
from tests.checkout_shop import seed_checkout_shop
from tests.protocols.conftest import PAY_WITH, SIMULATION_SECRET, ready_body, settings_for
from tests.serving.fakes import ScriptedRunner
from tests.serving.live import live_server
from tests.vectorstore.helpers import HashingEmbedder
from tools.deps import Deps
from vectorstore.service import build_from_database, open_service

META = {"ucp-agent": {"profile": "https://agent.example/.well-known/ucp"}}
MODELS: dict[str, type] = {"search_catalog": SearchResponse, "lookup_catalog": LookupResponse,
                           "get_product": GetProductResponse, "get_order": UcpOrder}


@dataclass(frozen=True)
class Shop:
    base: str
    keys: tuple[str, str]


@pytest.fixture
def shop(tmp_path: Path, database: Database) -> Iterator[Shop]:
    seed_checkout_shop(database)
    settings = settings_for(tmp_path, ucp_simulation_secret=SIMULATION_SECRET)
    service = open_service(settings, HashingEmbedder())
    build_from_database(service, database)
    with database.session() as session:
        keys = (issue_agent_key(session, "a").api_key, issue_agent_key(session, "b").api_key)
    app = create_app(settings, database, ScriptedRunner(), Deps(database, settings, search=service))
    with live_server(app) as base:
        yield Shop(base, keys)


def validated(name: str, is_error: bool, body: dict[str, Any]) -> dict[str, Any]:
    """Every UCP tool result is a UCP body: an error body when refused, else the operation's model."""
    if is_error or body.get("ucp", {}).get("status") == "error":
        ErrorResponse.model_validate(body)
    elif name.endswith("_cart"):
        Cart.model_validate(body)
    elif name.endswith("_checkout"):
        UcpCheckout.model_validate(body)
    else:
        MODELS[name].model_validate(body)
    return body


async def _calls(url: str, key: str | None, calls: list[tuple[str, Any]]) -> list[tuple[bool, dict[str, Any]]]:
    """Each call is (tool, arguments) or (tool, function of the earlier results → arguments)."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    results: list[tuple[bool, dict[str, Any]]] = []
    async with httpx2.AsyncClient(headers=headers, timeout=30) as http, \
            streamable_http_client(url, http_client=http) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        for name, arguments in calls:
            result = await session.call_tool(name, arguments(results) if callable(arguments) else arguments)
            assert result.structured_content is not None
            results.append((bool(result.is_error), validated(name, bool(result.is_error), result.structured_content)))
    return results


def call(shop: Shop, calls: list[tuple[str, Any]], key: str | None = "a") -> list[tuple[bool, dict[str, Any]]]:
    chosen = {"a": shop.keys[0], "b": shop.keys[1]}.get(key or "", key)
    return anyio.run(_calls, f"{shop.base}/mcp/", chosen, calls)


def _totals(body: dict[str, Any]) -> dict[str, int]:
    return {entry["type"]: entry["amount"] for entry in body["totals"]}


def test_the_whole_flow_over_mcp(shop: Shop) -> None:
    def checkout_id(results: list[tuple[bool, dict[str, Any]]]) -> str:
        return next(body["id"] for _, body in results if body.get("id", "").startswith("chk_"))

    fulfillment = ready_body()["fulfillment"]
    results = call(shop, [
        ("search_catalog", {"meta": META, "catalog": {"query": "roses"}}),
        ("lookup_catalog", {"meta": META, "catalog": {"ids": ["roses_12"]}}),
        ("get_product", {"meta": META, "catalog": {"id": "roses_12"}}),
        ("create_cart", {"meta": META, "cart": {"line_items": [{"item": {"id": "roses_12"}, "quantity": 2}]}}),
        ("update_cart", lambda r: {"meta": META, "id": r[3][1]["id"],
                                   "cart": {"line_items": [{"item": {"id": "roses_12"}, "quantity": 3}]}}),
        ("create_checkout", lambda r: {"meta": META, "checkout": {"cart_id": r[3][1]["id"],
                                                                  "buyer": {"email": "mcp@example.com"}}}),
        ("update_checkout", lambda r: {"meta": META, "id": checkout_id(r), "checkout": {
            "line_items": [{"item": {"id": "roses_12"}, "quantity": 3}], "fulfillment": fulfillment}}),
        ("update_checkout", lambda r: {"meta": META, "id": checkout_id(r), "checkout": {
            "line_items": [{"item": {"id": "roses_12"}, "quantity": 3}], "discounts": {"codes": ["10OFF"]}}}),
        ("complete_checkout", lambda r: {"meta": {**META, "idempotency-key": "mcp-1"}, "id": checkout_id(r),
                                         "checkout": PAY_WITH}),
        ("complete_checkout", lambda r: {"meta": {**META, "idempotency-key": "mcp-1"}, "id": checkout_id(r),
                                         "checkout": PAY_WITH}),
        ("get_order", lambda r: {"meta": META, "id": r[8][1]["order"]["id"]}),
        ("get_checkout", lambda r: {"meta": META, "id": checkout_id(r)}),
    ])
    assert not any(is_error for is_error, _ in results), results
    search, lookup, product, cart, cart2, created, shipped, discounted, completed, replayed, order, read = (
        body for _, body in results)
    assert search["products"][0]["id"] == "bouquet_roses"
    assert lookup["products"][0]["variants"][0]["id"] == "roses_12"
    assert product["product"]["id"] == "bouquet_roses"
    assert _totals(cart) == {"subtotal": 7000, "total": 7000} and _totals(cart2)["subtotal"] == 10500
    assert created["line_items"][0]["quantity"] == 3 and created["buyer"] == {"email": "mcp@example.com"}
    assert shipped["status"] == "ready_for_complete"
    assert _totals(discounted) == {"subtotal": 10500, "discount": -1050, "fulfillment": 500, "total": 9950}
    assert completed["status"] == "completed" and replayed == completed
    assert order["id"] == completed["order"]["id"] and order["checkout_id"] == created["id"]
    assert read["status"] == "completed"


def test_refusals_are_ucp_error_bodies_and_another_agent_sees_nothing(shop: Shop) -> None:
    mine = call(shop, [("create_cart", {"meta": META, "cart": {"line_items": [{"item": {"id": "pot_m"},
                                                                                "quantity": 1}]}}),
                       ("create_checkout", {"meta": META, "checkout": {"line_items": [{"item": {"id": "pot_m"},
                                                                                        "quantity": 1}]}})])
    cart_id, checkout_id = mine[0][1]["id"], mine[1][1]["id"]
    theirs = call(shop, [("get_cart", {"meta": META, "id": cart_id}),
                         ("cancel_cart", {"meta": META, "id": cart_id}),
                         ("get_checkout", {"meta": META, "id": checkout_id}),
                         ("create_checkout", {"meta": META, "checkout": {"cart_id": cart_id}})], key="b")
    assert [(is_error, body["messages"][0]["code"]) for is_error, body in theirs] == [(True, "not_found")] * 4

    refused = call(shop, [
        ("get_cart", {"id": cart_id}),  # no meta.ucp-agent
        ("complete_checkout", {"meta": META, "id": checkout_id, "checkout": PAY_WITH}),  # no destination yet
        ("update_checkout", {"meta": META, "id": checkout_id, "checkout": {"line_items": "two"}}),
        ("cancel_checkout", {"meta": META, "id": checkout_id}),
        ("cancel_checkout", {"meta": META, "id": checkout_id}),
    ])
    codes = [(is_error, body["messages"][0]["code"]) for is_error, body in refused]
    assert codes[0] == (True, "missing_header")
    assert codes[1] == (True, "invalid_transition")  # incomplete: it has no destination yet
    assert codes[2] == (True, "invalid_request")
    assert refused[3][0] is False and refused[3][1]["status"] == "canceled"
    assert codes[4] == (True, "invalid_transition")

    assert call(shop, [("get_cart", {"meta": META, "id": cart_id})], key=None)[0][1]["messages"][0]["code"] == \
        "unauthorized"
    assert call(shop, [("get_cart", {"meta": META, "id": cart_id})], key="sa_forged")[0][1]["messages"][0][
        "code"] == "unauthorized"
    assert call(shop, [("get_cart", {"meta": META, "id": cart_id})])[0] == mine[0]
