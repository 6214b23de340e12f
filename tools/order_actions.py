"""Write operations on orders and the default address, each planned under the retail policy and confirmed first."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from commerce.models import Address, Order, Payment, Product, Shopper
from commerce.store import get_products
from tools import order_rules as rules
from tools.access import load_shopper, order_ids_of, owned_order, require_shopper, same_shopper
from tools.actions import ChangeFacts, Plan, WriteOperation
from tools.base import ToolContext
from tools.orders import ORDER_ID
from tools.views import OrderView, ShopperView

ITEM_IDS = Field(
    description="Item ids, each such as '1008292230'; repeat an id for each unit. Collect all items into one list.",
    min_length=1, max_length=50,
)
NEW_ITEM_IDS = Field(
    description="The new item ids, each such as '1008292230', matching `item_ids` position by position; each must "
    "be an available variant of the same product.",
    min_length=1, max_length=50,
)
PAYMENT_METHOD_ID = Field(
    description="Payment method id, such as 'gift_card_0000000' or 'credit_card_0000000' (see the user details).",
    min_length=1, max_length=64,
)


class AddressFields(BaseModel):
    address1: str = Field(description="e.g. '123 Main St'", min_length=1, max_length=256)
    address2: str = Field("", description="e.g. 'Apt 1' or ''", max_length=256)
    city: str = Field(description="e.g. 'San Francisco'", min_length=1, max_length=128)
    state: str = Field(description="e.g. 'CA'", max_length=64)
    country: str = Field(description="e.g. 'USA'", min_length=1, max_length=64)
    zip: str = Field(description="e.g. '12345'", min_length=1, max_length=16)

    def address(self) -> Address:
        return Address(**self.model_dump(include=set(Address.model_fields)))


class CancelRequest(BaseModel):
    order_id: str = ORDER_ID
    reason: rules.CancelReason = Field(description="Either 'no longer needed' or 'ordered by mistake'")


class OrderAddressRequest(AddressFields):
    order_id: str = ORDER_ID


class PaymentRequest(BaseModel):
    order_id: str = ORDER_ID
    payment_method_id: str = PAYMENT_METHOD_ID


class ItemsRequest(BaseModel):
    order_id: str = ORDER_ID
    item_ids: list[str] = ITEM_IDS
    new_item_ids: list[str] = NEW_ITEM_IDS
    payment_method_id: str = PAYMENT_METHOD_ID


class ReturnRequest(BaseModel):
    order_id: str = ORDER_ID
    item_ids: list[str] = ITEM_IDS
    payment_method_id: str = Field(
        description="Where the refund goes: the original payment method or a gift card, e.g. 'gift_card_0000000'.",
        min_length=1, max_length=64,
    )


class UserAddressRequest(AddressFields):
    user_id: str | None = Field(default=None, description="Optional; the verified shopper's id. Other ids are refused.")


# Summaries are shown to the shopper as they are: names, options and masked payment methods, never internal ids.
def _describe_options(options: dict[str, str]) -> str:
    return f" ({', '.join(options.values())})" if options else ""


def _line_names(order: Order, item_ids: list[str]) -> list[str]:
    names = {line.item_id: f"{line.name}{_describe_options(line.options)}" for line in order.lines}
    return [names.get(item_id, "an item") for item_id in item_ids]


def _describe_lines(order: Order, item_ids: list[str]) -> str:
    return ", ".join(_line_names(order, item_ids))


def _variant_names(products: dict[str, Product], item_ids: list[str]) -> list[str]:
    variants = {v.id: f"{p.title}{_describe_options(v.options)}" for p in products.values() for v in p.variants}
    return [variants.get(item_id, "another option") for item_id in item_ids]


def _describe_variants(products: dict[str, Product], item_ids: list[str]) -> str:
    return ", ".join(_variant_names(products, item_ids))


def _money_facts(payments: list[Payment], shopper: Shopper) -> dict[str, object]:
    if not payments:
        return {}
    return {"amount": round(sum(p.amount for p in payments), 2),
            "method": _method(shopper, payments[0].payment_method_id)}


def _method(shopper: Shopper, payment_method_id: str) -> str:
    return next((m.masked for m in shopper.payment_methods if m.id == payment_method_id), "the payment method")


def _describe_money(payments: list[Payment], shopper: Shopper) -> str:
    described = [f"${p.amount:.2f} {'back to' if p.transaction_type == 'refund' else 'charged to'} "
                 f"{_method(shopper, p.payment_method_id)}" for p in payments]
    return "; ".join(described) or "nothing"


def _order_and_shopper(session: Session, shopper_id: str, order_id: str) -> tuple[Order, Shopper]:
    return owned_order(session, shopper_id, order_id, lock=True), load_shopper(session, shopper_id, lock=True)


def plan_cancel(session: Session, context: ToolContext, request: CancelRequest) -> Plan:
    shopper_id = require_shopper(context)
    order, shopper = _order_and_shopper(session, shopper_id, request.order_id)
    new_order, new_shopper = rules.cancel(order, shopper, request.reason)
    money = _describe_money(new_order.payments[len(order.payments):], shopper)
    summary = f"Cancel order {order.id} ({_describe_lines(order, [line.item_id for line in order.lines])}), " \
              f"reason '{request.reason}'. Refund: {money} (gift cards at once, other methods in 5-7 business days)."
    facts = ChangeFacts(operation="cancel_pending_order", order_id=order.id,
                        items=_line_names(order, [line.item_id for line in order.lines]),
                        **_money_facts(new_order.payments[len(order.payments):], shopper))
    return Plan(summary, [(order, new_order), (shopper, new_shopper)], OrderView.of(new_order), facts=facts)


def plan_order_address(session: Session, context: ToolContext, request: OrderAddressRequest) -> Plan:
    shopper_id = require_shopper(context)
    order = owned_order(session, shopper_id, request.order_id, lock=True)
    new_order = rules.modify_address(order, request.address())
    address = ", ".join(part for part in request.address().model_dump().values() if part)
    facts = ChangeFacts(operation="modify_pending_order_address", order_id=order.id, address=address)
    return Plan(f"Ship order {order.id} to {address}.", [(order, new_order)], OrderView.of(new_order), facts=facts)


def plan_order_payment(session: Session, context: ToolContext, request: PaymentRequest) -> Plan:
    shopper_id = require_shopper(context)
    order, shopper = _order_and_shopper(session, shopper_id, request.order_id)
    new_order, new_shopper = rules.modify_payment(order, shopper, request.payment_method_id)
    summary = f"Pay order {order.id} with {_method(shopper, request.payment_method_id)} instead: " \
              f"{_describe_money(new_order.payments[len(order.payments):], shopper)}."
    facts = ChangeFacts(operation="modify_pending_order_payment", order_id=order.id,
                        method=_method(shopper, request.payment_method_id))
    return Plan(summary, [(order, new_order), (shopper, new_shopper)], OrderView.of(new_order), facts=facts)


def plan_order_items(session: Session, context: ToolContext, request: ItemsRequest) -> Plan:
    shopper_id = require_shopper(context)
    order, shopper = _order_and_shopper(session, shopper_id, request.order_id)
    products = get_products(session, [line.product_id for line in order.lines])
    new_order, new_shopper = rules.modify_items(
        order, shopper, products, request.item_ids, request.new_item_ids, request.payment_method_id
    )
    summary = f"In order {order.id}, change {_describe_lines(order, request.item_ids)} to " \
              f"{_describe_variants(products, request.new_item_ids)}; price difference: " \
              f"{_describe_money(new_order.payments[-1:], shopper)}. " \
              "The order can be modified only once: afterwards it can no longer be changed or cancelled."
    facts = ChangeFacts(operation="modify_pending_order_items", order_id=order.id,
                        items=_line_names(order, request.item_ids),
                        new_items=_variant_names(products, request.new_item_ids),
                        **_money_facts(new_order.payments[-1:], shopper))
    return Plan(summary, [(order, new_order), (shopper, new_shopper)], OrderView.of(new_order), facts=facts)


def plan_return(session: Session, context: ToolContext, request: ReturnRequest) -> Plan:
    shopper_id = require_shopper(context)
    order, shopper = _order_and_shopper(session, shopper_id, request.order_id)
    new_order = rules.return_items(order, shopper, request.item_ids, request.payment_method_id)
    summary = f"Return {_describe_lines(order, request.item_ids)} from order {order.id}, refund to " \
              f"{_method(shopper, request.payment_method_id)}. An email will explain how to send the items back."
    facts = ChangeFacts(operation="return_delivered_order_items", order_id=order.id,
                        items=_line_names(order, request.item_ids), method=_method(shopper, request.payment_method_id))
    return Plan(summary, [(order, new_order)], OrderView.of(new_order), facts=facts)


def plan_exchange(session: Session, context: ToolContext, request: ItemsRequest) -> Plan:
    shopper_id = require_shopper(context)
    order, shopper = _order_and_shopper(session, shopper_id, request.order_id)
    products = get_products(session, [line.product_id for line in order.lines])
    new_order = rules.exchange_items(
        order, shopper, products, request.item_ids, request.new_item_ids, request.payment_method_id
    )
    difference = new_order.exchange_price_difference or 0.0
    summary = f"Exchange {_describe_lines(order, request.item_ids)} from order {order.id} for " \
              f"{_describe_variants(products, request.new_item_ids)}; price difference {difference:+.2f} USD via " \
              f"{_method(shopper, request.payment_method_id)}. An email will explain how to send the items back."
    facts = ChangeFacts(operation="exchange_delivered_order_items", order_id=order.id,
                        items=_line_names(order, request.item_ids),
                        new_items=_variant_names(products, request.new_item_ids), amount=difference,
                        method=_method(shopper, request.payment_method_id))
    return Plan(summary, [(order, new_order)], OrderView.of(new_order), facts=facts)


def plan_user_address(session: Session, context: ToolContext, request: UserAddressRequest) -> Plan:
    shopper_id = same_shopper(context, request.user_id)
    shopper = load_shopper(session, shopper_id, lock=True)
    new_shopper = shopper.model_copy(update={"address": request.address()}, deep=True)
    address = ", ".join(part for part in request.address().model_dump().values() if part)
    result = ShopperView.of(new_shopper, order_ids_of(session, shopper_id))
    facts = ChangeFacts(operation="modify_user_address", address=address)
    return Plan(f"Change the default address to {address}.", [(shopper, new_shopper)], result, facts=facts)


ORDER_OPERATIONS: list[WriteOperation[Any]] = [
    WriteOperation("cancel_pending_order", "Cancel a pending order; the payment is refunded. Proposes the action for "
                   "the shopper to confirm.", CancelRequest, plan_cancel),
    WriteOperation("modify_pending_order_address", "Change the shipping address of a pending order. Proposes the "
                   "action for the shopper to confirm.", OrderAddressRequest, plan_order_address),
    WriteOperation("modify_pending_order_payment", "Pay a pending order with a different payment method. Proposes "
                   "the action for the shopper to confirm.", PaymentRequest, plan_order_payment),
    WriteOperation("modify_pending_order_items", "Change items of a pending order to other variants of the same "
                   "product; possible once per order. Proposes the action for the shopper to confirm.", ItemsRequest,
                   plan_order_items),
    WriteOperation("return_delivered_order_items", "Return items of a delivered order. Proposes the action for the "
                   "shopper to confirm.", ReturnRequest, plan_return),
    WriteOperation("exchange_delivered_order_items", "Exchange items of a delivered order for other variants of the "
                   "same product; possible once per order. Proposes the action for the shopper to confirm.",
                   ItemsRequest, plan_exchange),
    WriteOperation("modify_user_address", "Change the verified shopper's default address. Proposes the action for "
                   "the shopper to confirm.", UserAddressRequest, plan_user_address),
]
