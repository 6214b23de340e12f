"""The UCP operations, one work function each, that the REST routes and the MCP tools both call.

An operation names its MCP tool, its REST method and path (`{id}` is the resource id), and the MCP argument that
holds its request body; `work(session, agent_id, resource_id, call)` runs inside the request's one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy.orm import Session
from ucp_sdk.models.schemas.shopping.catalog_lookup import GetProductRequest, LookupRequest
from ucp_sdk.models.schemas.shopping.catalog_search import SearchRequest
from ucp_sdk.models.schemas.shopping.checkout_complete_request import CheckoutCompleteRequest

from commerce import checkout as core
from commerce.agent_carts import link_checkout, open_checkout
from commerce.buyers import agent_shopper
from commerce.order_events import queue_order_event
from protocols.common.payments import payment_handlers
from protocols.ucp.carts import CartApi, CartCreate, CartUpdate
from protocols.ucp.catalog import CatalogApi
from protocols.ucp.http import Call, StoredResponse, ok, parse
from protocols.ucp.orders import order_response
from protocols.ucp.requests import CreateRequest, UpdateRequest, checkout_input, payment_input
from protocols.ucp.responses import checkout_body, unavailable_body
from tools.deps import Deps

Work = Callable[[Session, str, str, Call], StoredResponse]


@dataclass(frozen=True)
class Operation:
    tool: str
    method: str
    path: str
    work: Work
    payload: str | None = None  # the MCP argument carrying the body, e.g. 'checkout'
    body: type[BaseModel] | None = None  # the body's model, for the MCP tool's input schema
    authenticated: bool = True
    description: str = ""


class CheckoutApi:
    def __init__(self, deps: Deps) -> None:
        self.settings, self.handlers = deps.settings, payment_handlers(deps.settings)
        self.review_above = deps.settings.agent_review_above_minor

    def _response(self, checkout: core.Checkout, status_code: int = 200) -> StoredResponse:
        return ok(checkout_body(checkout, self.settings), status_code)

    def create(self, session: Session, agent_id: str, _id: str, call: Call) -> StoredResponse:
        request = parse(CreateRequest, call.body)
        existing = open_checkout(session, agent_id, request.cart_id) if request.cart_id else None
        if existing is not None:  # a cart converts to one checkout at a time
            return self._response(existing)
        request, cart = CartApi.into_checkout(session, agent_id, request)
        try:
            checkout = core.create_checkout(session, agent_id, self.settings.shop_currency,
                                            checkout_input(request, cart), review_above=self.review_above,
                                            shopper_id=agent_shopper(session, agent_id))
        except core.NothingAvailable as refused:  # a business outcome, not a bad request: HTTP 200, no session
            return ok(unavailable_body(refused.problems, self.settings))
        if request.cart_id:
            link_checkout(session, agent_id, request.cart_id, checkout.id)
        return self._response(checkout, 201)

    def get(self, session: Session, agent_id: str, checkout_id: str, _call: Call) -> StoredResponse:
        return self._response(core.get_checkout(session, agent_id, checkout_id))

    def update(self, session: Session, agent_id: str, checkout_id: str, call: Call) -> StoredResponse:
        previous = core.get_checkout(session, agent_id, checkout_id)
        wanted = checkout_input(parse(UpdateRequest, call.body), previous.request)
        return self._response(core.update_checkout(session, agent_id, checkout_id, wanted,
                                                   review_above=self.review_above))

    def complete(self, session: Session, agent_id: str, checkout_id: str, call: Call) -> StoredResponse:
        payment = payment_input(parse(CheckoutCompleteRequest, call.body), self.handlers)
        checkout = core.complete_checkout(session, agent_id, checkout_id, payment, self.handlers,
                                          review_above=self.review_above)
        if checkout.order_id:
            queue_order_event(session, agent_id, checkout.order_id, "created", call.profile_url, "ucp")
        return self._response(checkout)

    def cancel(self, session: Session, agent_id: str, checkout_id: str, _call: Call) -> StoredResponse:
        return self._response(core.cancel_checkout(session, agent_id, checkout_id))


def operations(deps: Deps) -> list[Operation]:
    settings = deps.settings
    checkouts, carts, catalog = CheckoutApi(deps), CartApi(deps), CatalogApi(deps)
    return [
        Operation("search_catalog", "POST", "/catalog/search", lambda s, _a, _i, call: catalog.search(s, call.body),
                  payload="catalog", body=SearchRequest, authenticated=False,
                  description="Search the catalog (hybrid, English and Chinese); filters.price in minor units."),
        Operation("lookup_catalog", "POST", "/catalog/lookup", lambda s, _a, _i, call: catalog.lookup(s, call.body),
                  payload="catalog", body=LookupRequest, authenticated=False,
                  description="Products and variants by id."),
        Operation("get_product", "POST", "/catalog/product", lambda s, _a, _i, call: catalog.product(s, call.body),
                  payload="catalog", body=GetProductRequest, authenticated=False,
                  description="One product, by product or variant id."),
        Operation("create_cart", "POST", "/carts", carts.create, payload="cart", body=CartCreate,
                  description="A cart priced and stock-checked now; no payment, no fulfillment."),
        Operation("get_cart", "GET", "/carts/{id}", carts.get, description="One of your carts."),
        Operation("update_cart", "PUT", "/carts/{id}", carts.update, payload="cart", body=CartUpdate,
                  description="Replace a cart's line items (and buyer, context)."),
        Operation("cancel_cart", "POST", "/carts/{id}/cancel", carts.cancel, description="Cancel a cart."),
        Operation("create_checkout", "POST", "/checkout-sessions", checkouts.create, payload="checkout",
                  body=CreateRequest,
                  description="A checkout session from line items or a cart_id."),
        Operation("get_checkout", "GET", "/checkout-sessions/{id}", checkouts.get,
                  description="One of your checkout sessions."),
        Operation("update_checkout", "PUT", "/checkout-sessions/{id}", checkouts.update, payload="checkout",
                  body=UpdateRequest,
                  description="Replace line items, buyer, fulfillment (destination, option) or discount codes."),
        Operation("complete_checkout", "POST", "/checkout-sessions/{id}/complete", checkouts.complete,
                  payload="checkout", body=CheckoutCompleteRequest,
                  description="Pay (payment.instruments, a handler token) and place the order."),
        Operation("cancel_checkout", "POST", "/checkout-sessions/{id}/cancel", checkouts.cancel,
                  description="Cancel an open checkout session."),
        Operation("get_order", "GET", "/orders/{id}",
                  lambda s, agent_id, order_id, _call: ok(order_response(s, agent_id, order_id, settings)),
                  description="One of your orders, with its fulfillment events."),
    ]
