"""UCP catalog: search runs the chat's hybrid product search; lookup resolves product and variant ids."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from ucp_sdk.models.schemas.shopping.catalog_lookup import GetProductResponse, LookupResponse
from ucp_sdk.models.schemas.shopping.catalog_search import SearchResponse

from commerce.db import Database
from protocols.ucp.routes import ucp_router
from tests.checkout_shop import HOODIE, OUT_OF_STOCK, seed_checkout_shop
from tests.protocols.conftest import PROFILE, settings_for
from tests.vectorstore.helpers import HashingEmbedder
from tools.deps import Deps
from vectorstore.service import build_from_database, open_service


@pytest.fixture
def catalog(tmp_path: Path, database: Database) -> Iterator[TestClient]:
    """The UCP router alone, over a search index with the hashing embedder (no model to load)."""
    seed_checkout_shop(database)
    settings = settings_for(tmp_path)
    service = open_service(settings, HashingEmbedder())
    build_from_database(service, database)
    app = FastAPI()
    app.include_router(ucp_router(Deps(database, settings, search=service)))
    with TestClient(app) as client:
        yield client


def post(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body, headers={"UCP-Agent": PROFILE})
    assert response.status_code == 200, response.text
    return response.json()


def test_search_finds_products_with_minor_unit_prices(catalog: TestClient) -> None:
    body = post(catalog, "/catalog/search", {"query": "tulips"})
    SearchResponse.model_validate(body)
    first = body["products"][0]
    assert first["id"] == "bouquet_tulips"
    assert first["variants"][0]["price"] == {"amount": 3000, "currency": "USD"}


def test_search_price_filter_is_in_minor_units(catalog: TestClient) -> None:
    body = post(catalog, "/catalog/search", {"filters": {"price": {"max": 3200}}})
    prices = {product["id"]: product["price_range"]["max"]["amount"] for product in body["products"]}
    assert prices and max(prices.values()) <= 3200 and "bouquet_roses" not in prices


def test_lookup_by_product_and_variant_id_says_how_each_matched(catalog: TestClient) -> None:
    body = post(catalog, "/catalog/lookup", {"ids": ["pot_ceramic", "tulips_10", OUT_OF_STOCK, "pink_wumpus"]})
    LookupResponse.model_validate(body)
    matches = {product["id"]: product["variants"][0] for product in body["products"]}
    assert set(matches) == {"pot_ceramic", "bouquet_tulips", OUT_OF_STOCK}
    assert matches["pot_ceramic"]["inputs"] == [{"id": "pot_ceramic", "match": "featured"}]
    assert matches["bouquet_tulips"]["inputs"] == [{"id": "tulips_10", "match": "exact"}]
    assert matches[OUT_OF_STOCK]["availability"] == {"available": False, "status": "out_of_stock"}


def test_catalog_needs_the_ucp_agent_header_too(catalog: TestClient) -> None:
    response = catalog.post("/catalog/lookup", json={"ids": ["pot_ceramic"]})
    assert response.status_code == 400 and response.json()["messages"][0]["code"] == "missing_header"


def test_a_search_that_matches_nothing_has_no_products(catalog: TestClient) -> None:
    body = post(catalog, "/catalog/search", {"query": "zzz_no_such_product_zzz"})
    assert body["products"] == [] and not body.get("messages")


def test_a_search_without_query_or_filters_is_refused(catalog: TestClient) -> None:
    response = catalog.post("/catalog/search", json={}, headers={"UCP-Agent": PROFILE})
    assert response.status_code == 400 and response.json()["messages"]


def test_get_product_features_the_asked_variant_and_not_found_is_an_outcome(catalog: TestClient) -> None:
    body = post(catalog, "/catalog/product", {"id": "tulips_10"})
    GetProductResponse.model_validate(body)
    assert body["product"]["id"] == "bouquet_tulips" and body["product"]["variants"][0]["id"] == "tulips_10"
    missing = post(catalog, "/catalog/product", {"id": "pink_wumpus"})
    assert missing["ucp"]["status"] == "error" and missing["messages"][0]["code"] == "not_found"


def test_a_lookup_of_too_many_ids_is_refused(catalog: TestClient) -> None:
    response = catalog.post("/catalog/lookup", json={"ids": [f"id_{n}" for n in range(101)]},
                            headers={"UCP-Agent": PROFILE})
    assert response.status_code == 400 and response.json()["messages"][0]["code"] == "request_too_large"


def _selected(body: dict[str, Any]) -> tuple[str, dict[str, str]]:
    product = body["product"]
    return product["variants"][0]["id"], {option["name"]: option["label"] for option in product["selected"]}


def test_a_configurable_product_says_its_options_and_narrows_to_the_selection(catalog: TestClient) -> None:
    body = post(catalog, "/catalog/product", {"id": HOODIE.id})
    GetProductResponse.model_validate(body)
    assert _selected(body) == ("hoodie_green_m", {"colour": "green", "size": "M"})
    sizes = next(option for option in body["product"]["options"] if option["name"] == "size")
    assert [(v["label"], v["exists"], v["available"]) for v in sizes["values"]] == [("M", True, True),
                                                                                   ("L", True, True)]
    blue = post(catalog, "/catalog/product", {"id": HOODIE.id, "selected": [{"name": "colour", "label": "blue"}]})
    assert _selected(blue) == ("hoodie_blue_m", {"colour": "blue", "size": "M"})
    sizes = next(option for option in blue["product"]["options"] if option["name"] == "size")
    assert [(v["label"], v["exists"], v["available"]) for v in sizes["values"]] == [("M", True, False),
                                                                                  ("L", False, False)]
    # No blue L: the option named last in `preferences` is relaxed first, so the colour stays.
    relaxed = post(catalog, "/catalog/product", {"id": HOODIE.id, "preferences": ["colour", "size"], "selected": [
        {"name": "colour", "label": "blue"}, {"name": "size", "label": "L"}]})
    assert _selected(relaxed)[1]["colour"] == "blue"
    by_variant = post(catalog, "/catalog/product", {"id": "hoodie_green_l"})
    assert _selected(by_variant) == ("hoodie_green_l", {"colour": "green", "size": "L"})
