"""Checkout core: pricing from the database, the status machine, stock taken once, payment, order, idempotency."""

from __future__ import annotations

import threading

import pytest

from commerce.checkout import (
    CheckoutNotFound,
    InvalidTransition,
    NothingAvailable,
    NotReady,
    OutOfStock,
    PaymentFailed,
    cancel_checkout,
    complete_checkout,
    create_checkout,
    get_checkout,
    update_checkout,
)
from commerce.checkout_models import Buyer, CheckoutInput, CheckoutStatus, PaymentInput
from commerce.db import Database
from commerce.idempotency import IdempotencyConflict, StoredResponse, store_response, stored_response
from commerce.payments import MockTokenHandler
from commerce.store import get_order
from commerce.tables import VariantRow
from tests.checkout_shop import ADDRESS, LAST_ONE, OUT_OF_STOCK, SHOPPER_EMAIL, seed_checkout_shop

HANDLERS = {"mock_payment_handler": MockTokenHandler()}
PAY = PaymentInput(handler_id="mock_payment_handler", token="success_token")


@pytest.fixture
def shop(database: Database) -> Database:
    seed_checkout_shop(database)
    return database


def ready_input(item_id: str = "roses_12", quantity: int = 2, **fields: object) -> CheckoutInput:
    return CheckoutInput.model_validate({"lines": [{"item_id": item_id, "quantity": quantity}],
                                         "buyer": {"email": SHOPPER_EMAIL}, "destination": ADDRESS,
                                         "shipping_option_id": "std-ship", **fields})


def create(shop: Database, request: CheckoutInput, owner: str = "agent_a"):
    with shop.session() as session:
        return create_checkout(session, owner, "USD", request)


def stock(shop: Database, variant_id: str) -> int:
    with shop.session() as session:
        return session.get(VariantRow, variant_id).stock


def test_prices_come_from_the_database_in_minor_units(shop: Database) -> None:
    checkout = create(shop, ready_input(quantity=3, discount_codes=["10off"]))
    assert checkout.status == CheckoutStatus.READY_FOR_COMPLETE
    assert [(line.item_id, line.unit_price, line.quantity) for line in checkout.lines] == [("roses_12", 3500, 3)]
    assert checkout.totals.model_dump() == {"subtotal": 10500, "discount": 1050, "fulfillment": 500, "total": 9950}


def test_product_id_means_its_first_variant_and_country_rates_replace_default_ones(shop: Database) -> None:
    checkout = create(shop, CheckoutInput.model_validate({"lines": [{"item_id": "pot_ceramic", "quantity": 1}],
                                                          "destination": ADDRESS}))
    assert checkout.lines[0].item_id == "pot_m"
    assert [option.id for option in checkout.shipping_options] == ["std-ship", "exp-ship-us"]
    assert checkout.status == CheckoutStatus.INCOMPLETE
    assert [problem.path for problem in checkout.problems] == ["$.fulfillment.methods[0].groups[0].selected_option_id"]


@pytest.mark.parametrize("country", ["USA", "United States", "us"])
def test_a_country_written_out_reaches_its_rates(shop: Database, country: str) -> None:
    checkout = create(shop, CheckoutInput.model_validate({"lines": [{"item_id": "pot_ceramic", "quantity": 1}],
                                                          "destination": {**ADDRESS, "country": country}}))
    assert checkout.request.destination.country == "US"
    assert [option.id for option in checkout.shipping_options] == ["std-ship", "exp-ship-us"]


def test_out_of_stock_unknown_item_and_bad_code(shop: Database) -> None:
    request = CheckoutInput.model_validate({
        "lines": [{"item_id": OUT_OF_STOCK, "quantity": 1}, {"item_id": "pink_wumpus", "quantity": 1},
                  {"item_id": "pot_m", "quantity": 1}],
        "buyer": {"email": SHOPPER_EMAIL}, "destination": ADDRESS, "shipping_option_id": "std-ship",
        "discount_codes": ["NOPE"]})
    checkout = create(shop, request)
    assert checkout.status == CheckoutStatus.INCOMPLETE
    assert {(p.code, p.blocking) for p in checkout.problems} == {("out_of_stock", True), ("not_found", True),
                                                                 ("discount_code_invalid", False)}


def test_a_session_of_only_unavailable_items_is_not_created(shop: Database) -> None:
    request = CheckoutInput.model_validate({"lines": [{"item_id": OUT_OF_STOCK, "quantity": 1},
                                                      {"item_id": "pink_wumpus", "quantity": 1}]})
    with pytest.raises(NothingAvailable), shop.session() as session:
        create_checkout(session, "agent_a", "USD", request)


def test_without_an_email_the_order_goes_to_a_guest_shopper(shop: Database) -> None:
    checkout = create(shop, ready_input().model_copy(update={"buyer": Buyer()}))
    with shop.session() as session:
        done = complete_checkout(session, "agent_a", checkout.id, PAY, HANDLERS)
        order = get_order(session, done.order_id or "")
    assert order is not None and order.shopper_id.startswith("guest_")


def test_fixed_discount_never_exceeds_the_subtotal(shop: Database) -> None:
    checkout = create(shop, ready_input(item_id="pot_m", quantity=1, discount_codes=["FIXED500", "10OFF"]))
    assert [d.amount for d in checkout.discounts] == [500, 150]
    assert checkout.totals.total == 1500 - 650 + 500


def test_complete_takes_stock_charges_and_writes_the_order_the_chat_sees(shop: Database) -> None:
    checkout = create(shop, ready_input(quantity=2))
    with shop.session() as session:
        done = complete_checkout(session, "agent_a", checkout.id, PAY, HANDLERS)
    assert done.status == CheckoutStatus.COMPLETED and done.order_id
    assert stock(shop, "roses_12") == 998
    with shop.session() as session:
        order = get_order(session, done.order_id)
    assert order is not None and order.shopper_id == "john_doe_1" and order.status == "pending"
    assert [line.item_id for line in order.lines] == ["roses_12", "roses_12"]
    assert order.payments[0].amount == pytest.approx(75.0)


def test_declined_payment_changes_nothing(shop: Database) -> None:
    checkout = create(shop, ready_input())
    with pytest.raises(PaymentFailed), shop.session() as session:
        complete_checkout(session, "agent_a", checkout.id,
                          PaymentInput(handler_id="mock_payment_handler", token="fail_token"), HANDLERS)
    assert stock(shop, "roses_12") == 1000
    with shop.session() as session:
        assert get_checkout(session, "agent_a", checkout.id).status == CheckoutStatus.READY_FOR_COMPLETE


@pytest.mark.parametrize("final", ["completed", "canceled"])
def test_every_transition_out_of_a_final_state_is_refused(shop: Database, final: str) -> None:
    checkout = create(shop, ready_input())
    with shop.session() as session:
        if final == "completed":
            complete_checkout(session, "agent_a", checkout.id, PAY, HANDLERS)
        else:
            cancel_checkout(session, "agent_a", checkout.id)
    actions = [
        lambda s: update_checkout(s, "agent_a", checkout.id, ready_input()),
        lambda s: cancel_checkout(s, "agent_a", checkout.id),
        lambda s: complete_checkout(s, "agent_a", checkout.id, PAY, HANDLERS),
    ]
    for action in actions:
        with pytest.raises(InvalidTransition), shop.session() as session:
            action(session)


def test_an_incomplete_session_cannot_complete(shop: Database) -> None:
    checkout = create(shop, CheckoutInput.model_validate({"lines": [{"item_id": "roses_12", "quantity": 1}]}))
    with pytest.raises(InvalidTransition), shop.session() as session:
        complete_checkout(session, "agent_a", checkout.id, PAY, HANDLERS)
    with shop.session() as session:
        ready = update_checkout(session, "agent_a", checkout.id, ready_input(quantity=1))
    assert ready.status == CheckoutStatus.READY_FOR_COMPLETE


def test_stock_gone_since_the_session_was_priced_is_not_ready(shop: Database) -> None:
    checkout = create(shop, ready_input(item_id=LAST_ONE, quantity=1))
    with shop.session() as session:
        session.get(VariantRow, LAST_ONE).stock = 0
    with pytest.raises(NotReady), shop.session() as session:
        complete_checkout(session, "agent_a", checkout.id, PAY, HANDLERS)


def test_other_owners_sessions_are_not_found(shop: Database) -> None:
    checkout = create(shop, ready_input())
    with pytest.raises(CheckoutNotFound), shop.session() as session:
        get_checkout(session, "agent_b", checkout.id)


def test_concurrent_completes_of_the_last_item_sell_it_once(shop: Database) -> None:
    checkouts = [create(shop, ready_input(item_id=LAST_ONE, quantity=1)) for _ in range(4)]
    outcomes: list[str] = []
    start = threading.Barrier(len(checkouts))

    def complete(checkout_id: str) -> None:
        start.wait()
        try:
            with shop.session() as session:
                complete_checkout(session, "agent_a", checkout_id, PAY, HANDLERS)
            outcomes.append("completed")
        except (OutOfStock, NotReady):
            outcomes.append("refused")

    threads = [threading.Thread(target=complete, args=(checkout.id,)) for checkout in checkouts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["completed", "refused", "refused", "refused"]
    assert stock(shop, LAST_ONE) == 0


def test_idempotency_replays_the_same_body_and_refuses_another(shop: Database) -> None:
    with shop.session() as session:
        store_response(session, "agent_a", "key-1", "hash-1", StoredResponse(status_code=201, body={"id": "x"}))
    with shop.session() as session:
        assert stored_response(session, "agent_a", "key-1", "hash-1") == StoredResponse(status_code=201,
                                                                                       body={"id": "x"})
        assert stored_response(session, "agent_b", "key-1", "hash-2") is None
        with pytest.raises(IdempotencyConflict):
            stored_response(session, "agent_a", "key-1", "hash-2")
