"""Buy at a target price, with consent: propose a standing order (the shopper confirms), list them, propose
cancelling. The order itself is made later by the checkout core when an offer change meets it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.checkout_models import Destination
from commerce.payments import MockTokenHandler
from commerce.pricing import shipping_options
from commerce.standing_orders import (
    StandingOrder,
    active_standing_orders,
    cancel_standing_orders,
    create_standing_order,
)
from commerce.store import get_shopper
from commerce.tables import ProductRow, VariantRow
from tools.access import require_shopper
from tools.actions import ChangeFacts, Plan, WriteOperation
from tools.base import Tool, ToolContext, ToolFailure
from tools.watches import WatchProductInput, _in_shop_currency


class StandingOrderInput(BaseModel):
    """Propose buying a product shown for the signed-in shopper once its price drops under a target: with their
    saved address and saved payment, at most the target plus shipping per order. Nothing is saved until the
    shopper confirms."""

    model_config = ConfigDict(extra="forbid")
    product_id: str = Field(min_length=1, max_length=64, description="A product id from the results, e.g. 'p_tent_2'")
    variant_id: str | None = Field(None, max_length=64, description="One variant (item) id of it, e.g. '9612497925'")
    price_below: float = Field(gt=0, description="Buy once the price is under this, e.g. 40")
    quantity: int = Field(1, ge=1, le=10, description="Units to buy, e.g. 1")
    currency: str | None = Field(None, max_length=8, description="The currency of price_below when the shopper "
                                 "named one, e.g. 'CNY' for '200元'; empty means the shop's")


class StandingOrderView(BaseModel):
    title: str = Field(description="e.g. 'Trail Runner X (9)'")
    quantity: int
    price_below: float
    ceiling: float = Field(description="The most one order may cost, shipping included")
    price_now: float | None = None
    currency: str = "USD"
    expires_at: datetime


class StandingOrderList(BaseModel):
    standing_orders: list[StandingOrderView] = Field(default_factory=list, description="Oldest first")


class ListStandingOrdersInput(BaseModel):
    """The signed-in shopper's active standing orders (buys at a target price)."""

    model_config = ConfigDict(extra="forbid")


class CancelStandingOrdersInput(BaseModel):
    """Propose cancelling the signed-in shopper's standing orders: those whose product title has the words given,
    or all of them. Nothing changes until the shopper confirms."""

    model_config = ConfigDict(extra="forbid")
    words: str = Field("", max_length=120, description="Words of the product's name, e.g. 'trail runner'")
    everything: bool = Field(False, description="Cancel every standing order of the shopper")


def _title(session: Session, variant: VariantRow) -> str:
    product = session.get_one(ProductRow, variant.product_id)
    options = f" ({', '.join(dict(variant.options).values())})" if variant.options else ""
    return f"{product.title}{options}"


def _variant(session: Session, arguments: StandingOrderInput) -> VariantRow:
    if arguments.variant_id is not None:
        variant = session.get(VariantRow, arguments.variant_id)
        if variant is None or variant.product_id != arguments.product_id:
            raise ToolFailure("unknown_product", "That option is not one of this product's.")
        return variant
    variants = list(session.scalars(select(VariantRow).where(VariantRow.product_id == arguments.product_id)))
    if not variants:
        raise ToolFailure("unknown_product", "There is no such product in the catalog.")
    if len(variants) > 1:
        raise ToolFailure("standing_order_variant", "Say which option to buy (the size or colour).")
    return variants[0]


def plan_standing_order(session: Session, context: ToolContext, arguments: StandingOrderInput) -> Plan:
    shopper_id = require_shopper(context)
    settings = context.settings
    converted = _in_shop_currency(WatchProductInput(product_id=arguments.product_id, kind="below",
                                                    price_below=arguments.price_below, currency=arguments.currency),
                                  settings)
    target = converted.price_below or arguments.price_below
    if not settings.mock_payments:
        raise ToolFailure("standing_order_payment", "This shop takes no saved payment for automatic orders.")
    shopper = get_shopper(session, shopper_id)
    if shopper is None or shopper.address is None:
        raise ToolFailure("standing_order_address", "There is no saved address to ship an automatic order to.")
    variant = _variant(session, arguments)
    if variant.price < target:
        raise ToolFailure("watch_already_below", f"It is {variant.price:.2f} already, under {target:.2f}.")
    address = Destination(street_address=shopper.address.address1, extended_address=shopper.address.address2,
                          city=shopper.address.city, region=shopper.address.state, country=shopper.address.country,
                          postal_code=shopper.address.zip)
    options = shipping_options(session, address)
    if not options:
        raise ToolFailure("standing_order_shipping", "The shop has no shipping rate for the saved address.")
    ceiling = round(target * arguments.quantity + options[0].amount / 100, 2)
    title, days = _title(session, variant), settings.watch_ttl_days
    where = f"{address.street_address}, {address.city}"
    summary = (f"Buy {arguments.quantity} × {title} for you once it drops under {target:.2f}: at most "
               f"{ceiling:.2f} with shipping, shipped to {where}, paid with your saved payment, for {days} days. "
               f"You will be told when it is bought.")

    def write(confirming: Session) -> tuple[str, dict[str, Any]]:
        made = create_standing_order(confirming, shopper_id, variant.id, arguments.quantity, target, ceiling,
                                     ceiling, address.model_dump(), MockTokenHandler.id,
                                     sorted(MockTokenHandler.approved_tokens)[0], timedelta(days=days),
                                     now=context.now())
        return f"standing_order:{made.id}", made.model_dump(mode="json", include={
            "id", "variant_id", "quantity", "target", "ceiling", "spend_cap"})

    return Plan(summary=summary, write=write,
                result=StandingOrderView(title=title, quantity=arguments.quantity, price_below=target,
                                         ceiling=ceiling, price_now=variant.price,
                                         expires_at=context.now() + timedelta(days=days)),
                facts=ChangeFacts(operation="standing_order", items=[title], amount=target, quantity=arguments.quantity,
                                  new_items=[f"{ceiling:.2f}"], address=where))


def _view(session: Session, order: StandingOrder) -> StandingOrderView:
    variant = session.get(VariantRow, order.variant_id)
    title = _title(session, variant) if variant else order.product_id
    return StandingOrderView(title=title, quantity=order.quantity, price_below=order.target, ceiling=order.ceiling,
                             price_now=variant.price if variant else None, currency=order.currency,
                             expires_at=order.expires_at)


def list_standing_orders(context: ToolContext, arguments: ListStandingOrdersInput) -> StandingOrderList:
    shopper_id = require_shopper(context)
    with context.db.session() as session:
        return StandingOrderList(standing_orders=[_view(session, order) for order in
                                                  active_standing_orders(session, shopper_id, context.now())])


def plan_cancel_standing_orders(session: Session, context: ToolContext,
                                arguments: CancelStandingOrdersInput) -> Plan:
    shopper_id = require_shopper(context)
    listed = [(order.id, _view(session, order)) for order in active_standing_orders(session, shopper_id,
                                                                                     context.now())]
    words = arguments.words.lower().split()
    chosen = (listed if arguments.everything or (not words and len(listed) == 1) else
              [(i, view) for i, view in listed if words and all(word in view.title.lower() for word in words)])
    if not chosen:
        raise ToolFailure("standing_order_not_found", "No standing order of this shopper matches.")
    titles = [view.title for _, view in chosen]
    ids = [order_id for order_id, _ in chosen]

    def write(confirming: Session) -> tuple[str, dict[str, Any]]:
        return f"standing_order:{shopper_id}", {"cancelled": cancel_standing_orders(confirming, shopper_id, ids)}

    return Plan(summary=f"Cancel your standing order{'s' if len(ids) > 1 else ''} on {', '.join(titles)}.",
                write=write, result=StandingOrderList(standing_orders=[view for _, view in chosen]),
                facts=ChangeFacts(operation="cancel_standing_orders", items=titles, quantity=len(ids)))


# Offered to the LLM planner only for a message about buying automatically or standing orders.
ASKED_FOR = re.compile(r"\bbuy|\border|purchase|auto|standing|买|下单|自动", re.IGNORECASE)
STANDING_ORDER = WriteOperation(
    name="standing_order",
    description="Propose buying a product for the signed-in shopper automatically once its price drops under a "
                "target (saved address and payment, a ceiling with shipping); they confirm.",
    input_model=StandingOrderInput,
    plan=plan_standing_order,
    asked_for=ASKED_FOR,
)
CANCEL_STANDING_ORDERS = WriteOperation(
    name="cancel_standing_orders",
    description="Propose cancelling the signed-in shopper's standing orders; they confirm.",
    input_model=CancelStandingOrdersInput,
    plan=plan_cancel_standing_orders,
    asked_for=ASKED_FOR,
)
STANDING_ORDER_OPERATIONS = [STANDING_ORDER, CANCEL_STANDING_ORDERS]
LIST_STANDING_ORDERS = Tool("list_standing_orders", "List the signed-in shopper's standing orders (buys at a "
                            "target price).", ListStandingOrdersInput, list_standing_orders, asked_for=ASKED_FOR)
