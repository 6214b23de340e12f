"""UCP carts over REST: priced and stock-checked by the shop, replaced on update, canceled, each agent's own, and
turned into a checkout with cart_id."""

from __future__ import annotations

from typing import Any

from ucp_sdk.models.schemas.shopping.cart import Cart

from commerce.db import Database
from commerce.tables import VariantRow
from tests.checkout_shop import OUT_OF_STOCK
from tests.protocols.conftest import Agent, ready_body
from tests.protocols.test_checkout_flow import checkout_of, error_of, totals


def cart_of(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    Cart.model_validate(response.json())
    return response.json()


def cart_body(*lines: tuple[str, int], country: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"line_items": [{"item": {"id": item}, "quantity": quantity} for item, quantity in lines]}
    return body | ({"context": {"address_country": country}} if country else {})


def test_a_cart_is_priced_by_the_shop_and_replaced_on_update(agent: Agent, database: Database) -> None:
    created = cart_of(agent.post("/carts", {**cart_body(("roses_12", 2)), "price": 1}), 201)
    assert created["id"].startswith("cart_")
    assert created["line_items"][0]["item"] == {"id": "roses_12", "title": "Bouquet of Red Roses", "price": 3500}
    assert totals(created) == {"subtotal": 7000, "total": 7000}
    assert "/checkout/" in created["continue_url"]

    path = f"/carts/{created['id']}"
    updated = cart_of(agent.put(path, cart_body(("pot_m", 1), (OUT_OF_STOCK, 1), country="US")))
    assert [line["item"]["id"] for line in updated["line_items"]] == ["pot_m", "gardenias_6"]
    assert [(m["type"], m["code"], m["path"]) for m in updated["messages"]] == [
        ("error", "out_of_stock", "$.line_items[1]")]
    assert updated["context"] == {"address_country": "US"}

    with database.session() as session:  # the price changed since: a read re-prices the cart
        session.get_one(VariantRow, "pot_m").price = 16.5
    assert totals(cart_of(agent.get(path)))["subtotal"] == 1650 + 2000


def test_unknown_items_mismatched_ids_and_bad_bodies_are_refused(agent: Agent) -> None:
    unknown = cart_of(agent.post("/carts", cart_body(("no_such_thing", 1))), 201)
    assert unknown["line_items"] == [] and unknown["messages"][0]["code"] == "not_found"
    path = f"/carts/{unknown['id']}"
    mismatched = error_of(agent.put(path, {"id": "cart_other", **cart_body(("pot_m", 1))}), 400)
    assert mismatched["messages"][0]["path"] == "$.id"
    assert error_of(agent.post("/carts", {"line_items": [{"item": {"id": "pot_m"}, "quantity": 0}]}), 400)
    assert error_of(agent.post("/carts", {"line_items": []}), 400)


def test_a_canceled_cart_is_gone_and_cannot_be_canceled_again(agent: Agent) -> None:
    created = cart_of(agent.post("/carts", cart_body(("roses_12", 1))), 201)
    path = f"/carts/{created['id']}"
    assert cart_of(agent.post(f"{path}/cancel", {}))["id"] == created["id"]
    assert error_of(agent.get(path), 404)["messages"][0]["code"] == "not_found"
    assert error_of(agent.put(path, cart_body(("pot_m", 1))), 404)
    assert error_of(agent.post(f"{path}/cancel", {}), 409)["messages"][0]["code"] == "invalid_transition"


def test_another_agent_cannot_see_or_touch_the_cart(agent: Agent, other_agent: Agent) -> None:
    created = cart_of(agent.post("/carts", cart_body(("roses_12", 1))), 201)
    path = f"/carts/{created['id']}"
    assert error_of(other_agent.get(path), 404)
    assert error_of(other_agent.put(path, cart_body(("pot_m", 5))), 404)
    assert error_of(other_agent.post(f"{path}/cancel", {}), 404)
    assert error_of(other_agent.post("/checkout-sessions", {"cart_id": created["id"]}), 404)
    assert cart_of(agent.get(path))["line_items"][0]["quantity"] == 1


def test_a_checkout_from_a_cart_uses_the_cart_contents(agent: Agent) -> None:
    created = cart_of(agent.post("/carts", {**cart_body(("roses_12", 3), country="US"),
                                            "buyer": {"email": "cart@example.com"}}), 201)
    ready = ready_body(item_id="pot_m", quantity=9)  # the cart's lines and buyer win over these
    checkout = checkout_of(agent.post("/checkout-sessions", {**ready, "cart_id": created["id"]}), 201)
    assert [(line["item"]["id"], line["quantity"]) for line in checkout["line_items"]] == [("roses_12", 3)]
    assert checkout["buyer"] == {"email": "cart@example.com"}
    assert checkout["status"] == "ready_for_complete"
    assert totals(checkout) == {"subtotal": 10500, "fulfillment": 500, "total": 11000}
    assert error_of(agent.post("/checkout-sessions", {}), 400)["messages"][0]["path"] == "$.line_items"
    assert error_of(agent.post("/checkout-sessions", {"cart_id": "cart_nope"}), 404)


def test_the_profile_advertises_carts(agent: Agent) -> None:
    profile = agent.client.get("/.well-known/ucp").json()["ucp"]
    assert profile["capabilities"]["dev.ucp.shopping.cart"][0]["version"] == "2026-04-08"


BASE = "http://127.0.0.1:8080"  # the test settings' public_base_url


def test_the_buyer_opens_the_carts_continue_url_and_gets_its_checkout(agent: Agent) -> None:
    created = cart_of(agent.post("/carts", cart_body(("roses_12", 2), country="US")), 201)
    opened = agent.client.get(created["continue_url"].removeprefix(BASE), follow_redirects=False)
    assert opened.status_code == 303, opened.text
    page = agent.client.get(opened.headers["location"].removeprefix(BASE))
    assert page.status_code == 200 and "Bouquet of Red Roses" in page.text and "70.00 USD" in page.text
    # the agent converting the same cart finds the session the buyer opened
    converted = agent.post("/checkout-sessions", {"cart_id": created["id"]})
    assert converted.status_code in (200, 201), converted.text
    assert f'value="{converted.json()["id"]}"' in page.text
    again = agent.client.get(created["continue_url"].removeprefix(BASE))
    assert f'value="{converted.json()["id"]}"' in again.text  # opened twice: still the one session


def test_a_canceled_carts_link_opens_nothing(agent: Agent) -> None:
    created = cart_of(agent.post("/carts", cart_body(("roses_12", 1))), 201)
    agent.post(f"/carts/{created['id']}/cancel", {})
    assert agent.client.get(created["continue_url"].removeprefix(BASE)).status_code == 404
