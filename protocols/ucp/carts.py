"""UCP carts (dev.ucp.shopping.cart): requests → the commerce cart core, carts → ucp-sdk Cart bodies, and a
checkout made from a cart (cart_id: the cart's line items, buyer and context win over the checkout payload's)."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict
from sqlalchemy.orm import Session
from ucp_sdk.models.schemas.shopping import discount
from ucp_sdk.models.schemas.shopping.cart_create_request import CartCreateRequest
from ucp_sdk.models.schemas.shopping.cart_update_request import CartUpdateRequest
from ucp_sdk.models.schemas.shopping.discount import DiscountsObject
from ucp_sdk.models.schemas.shopping.types.item_create_request import ItemCreateRequest
from ucp_sdk.models.schemas.shopping.types.line_item_create_request import LineItemCreateRequest

from commerce import agent_carts as core
from commerce.buyer_links import cart_url
from commerce.checkout_models import Buyer, CheckoutInput, Destination
from protocols.ucp.errors import UcpError
from protocols.ucp.http import Call, StoredResponse, ok, parse
from protocols.ucp.profile import CART, response_metadata
from protocols.ucp.requests import CreateRequest, core_input
from protocols.ucp.responses import line_body, message_body
from shopassist.settings import Settings
from tools.deps import Deps


class CartCreate(CartCreateRequest):
    model_config = ConfigDict(extra="allow")
    discounts: DiscountsObject | None = None  # the discount extension applies to carts too


class CartUpdate(CartUpdateRequest):
    """The id travels in the path (REST) or the tool's `id` argument (MCP), so the body need not repeat it."""

    model_config = ConfigDict(extra="allow")
    id: str | None = None  # type: ignore[assignment]
    discounts: DiscountsObject | None = None


class UcpCart(discount.Cart):
    model_config = ConfigDict(extra="allow")


def cart_input(request: CartCreate | CartUpdate) -> CheckoutInput:
    buyer = request.buyer
    context = request.context
    destination = (Destination(country=context.address_country or "", region=context.address_region or "",
                               postal_code=context.postal_code or "")
                   if context is not None and context.address_country else None)
    return core_input({
        "lines": [{"item_id": line.item.id, "quantity": line.quantity} for line in request.line_items],
        "buyer": Buyer(email=buyer.email or "", first_name=buyer.first_name or "", last_name=buyer.last_name or "")
        if buyer is not None else Buyer(),
        "destination": destination,
        "discount_codes": (request.discounts.codes or []) if request.discounts is not None else []})


def cart_body(cart: core.AgentCart, settings: Settings) -> dict[str, Any]:
    subtotal, discount_amount = cart.subtotal, cart.discount
    totals = [{"type": "subtotal", "display_text": "Subtotal", "amount": subtotal}]
    if discount_amount:
        totals.append({"type": "discount", "display_text": "Discount", "amount": -discount_amount})
    destination = cart.request.destination
    context = ({"address_country": destination.country, "address_region": destination.region or None,
                "postal_code": destination.postal_code or None} if destination is not None else None)
    buyer = cart.request.buyer.model_dump(exclude_defaults=True)
    body = {"ucp": response_metadata((CART,)), "id": cart.id, "currency": cart.currency,
            "line_items": [line_body(line) for line in cart.lines],
            "totals": [*totals, {"type": "total", "display_text": "Estimated total",
                                 "amount": subtotal - discount_amount}],
            "discounts": {"codes": cart.request.discount_codes,
                          "applied": [applied.model_dump() for applied in cart.discounts]},
            "messages": [message_body(problem) for problem in cart.problems],
            "continue_url": cart_url(settings, cart.owner, cart.id),
            **({"context": context} if context else {}), **({"buyer": buyer} if buyer else {})}
    return UcpCart.model_validate(body).model_dump(mode="json", by_alias=True, exclude_none=True)


class CartApi:
    def __init__(self, deps: Deps) -> None:
        self.settings = deps.settings

    def _response(self, cart: core.AgentCart, status_code: int = 200) -> StoredResponse:
        return ok(cart_body(cart, self.settings), status_code)

    def create(self, session: Session, agent_id: str, _id: str, call: Call) -> StoredResponse:
        wanted = cart_input(parse(CartCreate, call.body))
        return self._response(core.create_cart(session, agent_id, self.settings.shop_currency, wanted), 201)

    def get(self, session: Session, agent_id: str, cart_id: str, _call: Call) -> StoredResponse:
        return self._response(core.get_cart(session, agent_id, cart_id))

    def update(self, session: Session, agent_id: str, cart_id: str, call: Call) -> StoredResponse:
        request = parse(CartUpdate, call.body)
        if request.id is not None and request.id != cart_id:
            raise UcpError(400, "invalid_request", "The body's id is not the cart being updated", path="$.id")
        return self._response(core.update_cart(session, agent_id, cart_id, cart_input(request)))

    def cancel(self, session: Session, agent_id: str, cart_id: str, _call: Call) -> StoredResponse:
        return self._response(core.cancel_cart(session, agent_id, cart_id))

    @staticmethod
    def into_checkout(session: Session, agent_id: str, request: CreateRequest) -> tuple[CreateRequest,
                                                                                         CheckoutInput | None]:
        """A checkout request made from its cart (the cart's lines; its buyer and context as the defaults)."""
        if request.cart_id is None:
            if not request.line_items:
                raise UcpError(400, "invalid_request", "A checkout needs line_items or a cart_id", path="$.line_items")
            return request, None
        cart = core.get_cart(session, agent_id, request.cart_id)
        lines = [LineItemCreateRequest(item=ItemCreateRequest(id=line.item_id), quantity=line.quantity)
                 for line in cart.request.lines]
        buyer = None if cart.request.buyer.email or cart.request.buyer.first_name else request.buyer
        return request.model_copy(update={"line_items": lines, "buyer": buyer}), cart.request
