"""Cart view/add/update/remove through confirmed actions, with a signed checkout link."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from commerce.tables import EventRow, ProfileRow, ShopperRow
from tests.tools.conftest import Shop
from tools.base import ToolError, ToolFailure
from tools.cart import CartView, read_checkout_token
from tools.confirm import confirm_action
from tools.registry import tool_by_name


def run(shop: Shop, name: str, arguments: dict, shopper_id: str = "alice_1") -> object:
    tool = tool_by_name(name)
    assert tool is not None
    return tool.run(shop.context(shopper_id), arguments)


def confirmed(shop: Shop, name: str, arguments: dict, shopper_id: str = "alice_1") -> CartView:
    proposal = run(shop, name, arguments, shopper_id)
    assert not isinstance(proposal, ToolError), proposal
    result = confirm_action(shop.context(shopper_id), proposal.action_id).result
    return CartView.model_validate(result)


def test_add_update_remove_and_checkout_link(shop: Shop) -> None:
    empty = run(shop, "view_cart", {})
    assert empty.lines == [] and empty.checkout_url is None
    confirmed(shop, "add_to_cart", {"item_id": "shirt_blue_m", "quantity": 2})
    cart = confirmed(shop, "add_to_cart", {"item_id": "mug_white"})
    assert [(line.item_id, line.quantity) for line in cart.lines] == [("shirt_blue_m", 2), ("mug_white", 1)]
    assert cart.total == 112.0 and cart.lines[0].name == "T-Shirt"
    cart = confirmed(shop, "update_cart_item", {"item_id": "mug_white", "quantity": 3})
    assert cart.total == 136.0
    cart = confirmed(shop, "remove_from_cart", {"item_id": "shirt_blue_m"})
    assert [(line.item_id, line.quantity) for line in cart.lines] == [("mug_white", 3)]
    assert run(shop, "view_cart", {}) == cart
    assert cart.checkout_url.startswith(f"{shop.settings.public_base_url}/checkout/")
    token = cart.checkout_url.rsplit("/", 1)[1]
    paid_for = read_checkout_token(shop.settings, token)
    assert paid_for.shopper_id == "alice_1" and [line.item_id for line in paid_for.lines] == ["mug_white"]
    with pytest.raises(ToolFailure):
        read_checkout_token(shop.settings, token[:-2] + "xx")


def test_carts_are_per_shopper(shop: Shop) -> None:
    confirmed(shop, "add_to_cart", {"item_id": "mug_white"})
    assert run(shop, "view_cart", {}, shopper_id="bob_2").lines == []


def test_unproposed_cart_changes_do_nothing_and_bad_items_are_refused(shop: Shop) -> None:
    run(shop, "add_to_cart", {"item_id": "mug_white"})
    assert run(shop, "view_cart", {}).lines == []
    assert run(shop, "add_to_cart", {"item_id": "shirt_green_s"}).code == "out_of_stock"
    assert run(shop, "add_to_cart", {"item_id": "nope"}).code == "item_not_found"
    assert run(shop, "add_to_cart", {"item_id": "shirt_red_l", "quantity": 4}).code == "out_of_stock"
    assert run(shop, "remove_from_cart", {"item_id": "mug_white"}).code == "item_not_in_cart"
    assert run(shop, "update_cart_item", {"item_id": "mug_white", "quantity": 0}).code == "invalid_arguments"


def test_confirmed_cart_adds_are_behaviour_for_the_shoppers_profile_unless_opted_out(shop: Shop) -> None:
    confirmed(shop, "add_to_cart", {"item_id": "shirt_blue_m"})
    confirmed(shop, "update_cart_item", {"item_id": "shirt_blue_m", "quantity": 3})
    confirmed(shop, "update_cart_item", {"item_id": "shirt_blue_m", "quantity": 1})
    confirmed(shop, "remove_from_cart", {"item_id": "shirt_blue_m"})
    run(shop, "add_to_cart", {"item_id": "mug_white"})  # proposed, never confirmed
    with shop.db.session() as session:
        session.execute(update(ShopperRow).where(ShopperRow.id == "bob_2").values(personalization=False))
    confirmed(shop, "add_to_cart", {"item_id": "mug_white"}, shopper_id="bob_2")
    with shop.db.session() as session:
        events = [(row.shopper_id, row.kind, row.product_id) for row in session.scalars(select(EventRow))]
        profiles = list(session.scalars(select(ProfileRow.shopper_id)))
    assert events == [("alice_1", "add_to_cart", "p_shirt")] * 2 and profiles == ["alice_1"]
