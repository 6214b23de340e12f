"""Price and stock alerts for the signed-in shopper: propose one (they confirm), list them, propose cancelling."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from commerce.tables import VariantRow
from commerce.watches import WatchedOffer, WatchKind, active_watches, cancel_watches, create_watch, offer
from shopassist.settings import Settings
from tools.access import require_shopper
from tools.actions import ChangeFacts, Plan, WriteOperation
from tools.base import Tool, ToolContext, ToolFailure
from tools.currency import currency_code


class WatchProductInput(BaseModel):
    """Propose an alert for the signed-in shopper on a product shown: when it drops under a price, when it is back
    in stock, or on any price drop. Nothing is saved until the shopper confirms."""

    model_config = ConfigDict(extra="forbid")
    product_id: str = Field(min_length=1, max_length=64, description="A product id from the results, e.g. 'p_tent_2'")
    variant_id: str | None = Field(None, max_length=64, description="One variant (item) id of it, e.g. '9612497925'")
    kind: WatchKind = Field(description="'below' a price, 'back_in_stock', or 'any_drop'")
    price_below: float | None = Field(None, gt=0, description="For 'below': the price to drop under, e.g. 40")
    currency: str | None = Field(None, max_length=8, description="The currency of price_below when the shopper "
                                 "named one, e.g. 'CNY' for '200元'; empty means the shop's")

    @model_validator(mode="after")
    def _threshold_for_below(self) -> WatchProductInput:
        if (self.kind == "below") != (self.price_below is not None):
            raise ValueError("price_below is given for kind 'below' and only for it")
        return self


class WatchView(BaseModel):
    title: str = Field(description="e.g. 'Trail Runner X'")
    kind: WatchKind
    price_below: float | None = None
    price_now: float | None = Field(None, description="The lowest price of what is watched now")
    in_stock: bool | None = None
    currency: str = "USD"
    expires_at: datetime


class WatchList(BaseModel):
    watches: list[WatchView] = Field(default_factory=list, description="Oldest first")


class ListWatchesInput(BaseModel):
    """The signed-in shopper's active price and stock alerts."""

    model_config = ConfigDict(extra="forbid")


class CancelWatchesInput(BaseModel):
    """Propose cancelling the signed-in shopper's alerts: those on one product, those whose product title has the
    words given, or all of them. Nothing changes until the shopper confirms."""

    model_config = ConfigDict(extra="forbid")
    product_id: str | None = Field(None, max_length=64, description="A product id from the results, e.g. 'p_tent_2'")
    words: str = Field("", max_length=120, description="Words of the watched product's name, e.g. 'trail runner'")
    everything: bool = Field(False, description="Cancel every alert of the shopper")


def _view(title: str, kind: WatchKind, threshold: float | None, current: WatchedOffer | None,
          expires_at: datetime) -> WatchView:
    return WatchView(title=title, kind=kind, price_below=threshold, expires_at=expires_at,
                     price_now=current.price if current else None, in_stock=current.stock > 0 if current else None,
                     currency=current.currency if current else "USD")


def _in_shop_currency(arguments: WatchProductInput, settings: Settings) -> WatchProductInput:
    """The threshold in the shop's currency ('200元' is $28.00 at a rate of 0.14); refused without a rate."""
    given = currency_code(arguments.currency) if arguments.currency else settings.shop_currency
    if arguments.price_below is None or given == settings.shop_currency:
        return arguments
    rate = settings.currency_rates.get(given)
    if rate is None:
        raise ToolFailure("watch_currency", f"There is no rate for {given}: give the price in "
                                            f"{settings.shop_currency}.")
    return arguments.model_copy(update={"price_below": round(arguments.price_below * rate, 2), "currency": None})


def _watched_offer(session: Session, arguments: WatchProductInput) -> WatchedOffer:
    if arguments.variant_id is not None:
        variant = session.get(VariantRow, arguments.variant_id)
        if variant is None or variant.product_id != arguments.product_id:
            raise ToolFailure("unknown_product", "That option is not one of this product's.")
    current = offer(session, arguments.product_id, arguments.variant_id)
    if current is None:
        raise ToolFailure("unknown_product", "There is no such product in the catalog.")
    if arguments.kind == "below" and arguments.price_below is not None and current.price < arguments.price_below:
        raise ToolFailure("watch_already_below", f"It is {current.price:.2f} {current.currency} already, under "
                                                 f"{arguments.price_below:.2f}.")
    if arguments.kind == "back_in_stock" and current.stock > 0:
        raise ToolFailure("watch_in_stock", "It is in stock now.")
    return current


_SUMMARY = {"below": "Tell you when {title} drops under {amount}", "back_in_stock": "Tell you when {title} is back "
            "in stock", "any_drop": "Tell you whenever the price of {title} drops"}


def plan_watch(session: Session, context: ToolContext, arguments: WatchProductInput) -> Plan:
    shopper_id = require_shopper(context)
    arguments = _in_shop_currency(arguments, context.settings)
    current = _watched_offer(session, arguments)
    days = context.settings.watch_ttl_days
    amount = f"{arguments.price_below:.2f} {current.currency}" if arguments.price_below is not None else ""
    summary = f"{_SUMMARY[arguments.kind].format(title=current.title, amount=amount)} (for {days} days)."

    def write(confirming: Session) -> tuple[str, dict[str, Any]]:
        made = create_watch(confirming, shopper_id, arguments.product_id, arguments.kind, timedelta(days=days),
                            arguments.price_below, arguments.variant_id, now=context.now())
        return f"watch:{shopper_id}", made.model_dump(mode="json", include={"product_id", "kind", "threshold"})

    return Plan(summary=summary, write=write,
                result=_view(current.title, arguments.kind, arguments.price_below, current,
                             context.now() + timedelta(days=days)),
                facts=ChangeFacts(operation=f"watch_{arguments.kind}", items=[current.title],
                                  amount=arguments.price_below, quantity=days))


def _listed(session: Session, context: ToolContext, shopper_id: str) -> list[tuple[str, WatchView]]:
    listed = []
    for watch in active_watches(session, shopper_id, context.now()):
        current = offer(session, watch.product_id, watch.variant_id)
        title = current.title if current else watch.product_id
        listed.append((watch.id, _view(title, watch.kind, watch.threshold, current, watch.expires_at)))
    return listed


def list_watches(context: ToolContext, arguments: ListWatchesInput) -> WatchList:
    shopper_id = require_shopper(context)
    with context.db.session() as session:
        return WatchList(watches=[view for _, view in _listed(session, context, shopper_id)])


def _chosen(session: Session, context: ToolContext, shopper_id: str,
            arguments: CancelWatchesInput) -> list[tuple[str, WatchView]]:
    listed = _listed(session, context, shopper_id)
    if arguments.everything:
        return listed
    if arguments.product_id:
        on_product = {w.id for w in active_watches(session, shopper_id, context.now())
                      if w.product_id == arguments.product_id}
        return [(watch_id, view) for watch_id, view in listed if watch_id in on_product]
    words = arguments.words.lower().split()
    if words:
        return [(watch_id, view) for watch_id, view in listed if all(word in view.title.lower() for word in words)]
    return listed if len(listed) == 1 else []


def plan_cancel_watches(session: Session, context: ToolContext, arguments: CancelWatchesInput) -> Plan:
    shopper_id = require_shopper(context)
    chosen = _chosen(session, context, shopper_id, arguments)
    if not chosen:
        raise ToolFailure("watch_not_found", "No alert of this shopper matches.")
    titles = list(dict.fromkeys(view.title for _, view in chosen))
    ids = [watch_id for watch_id, _ in chosen]

    def write(confirming: Session) -> tuple[str, dict[str, Any]]:
        return f"watch:{shopper_id}", {"cancelled": cancel_watches(confirming, shopper_id, ids)}

    return Plan(summary=f"Cancel your alert{'s' if len(ids) > 1 else ''} on {', '.join(titles)}.", write=write,
                result=WatchList(watches=[view for _, view in chosen]),
                facts=ChangeFacts(operation="cancel_watches", items=titles, quantity=len(ids)))


WATCH_PRODUCT = WriteOperation(
    name="watch_product",
    description="Propose a price-drop or back-in-stock alert on a product for the signed-in shopper; they confirm.",
    input_model=WatchProductInput,
    plan=plan_watch,
)
CANCEL_WATCHES = WriteOperation(
    name="cancel_watches",
    description="Propose cancelling the signed-in shopper's price or stock alerts; they confirm.",
    input_model=CancelWatchesInput,
    plan=plan_cancel_watches,
)
WATCH_OPERATIONS = [WATCH_PRODUCT, CANCEL_WATCHES]
LIST_WATCHES = Tool("list_watches", "List the signed-in shopper's active price and stock alerts.", ListWatchesInput,
                    list_watches)
