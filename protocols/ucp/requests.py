"""UCP checkout request bodies (the ucp-sdk models plus the fulfillment and discount extensions) → CheckoutInput."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ucp_sdk.models.schemas.shopping.buyer_consent import Consent
from ucp_sdk.models.schemas.shopping.checkout_complete_request import CheckoutCompleteRequest
from ucp_sdk.models.schemas.shopping.checkout_create_request import CheckoutCreateRequest
from ucp_sdk.models.schemas.shopping.checkout_update_request import CheckoutUpdateRequest
from ucp_sdk.models.schemas.shopping.discount import DiscountsObject
from ucp_sdk.models.schemas.shopping.types.fulfillment_create_request import FulfillmentCreateRequest
from ucp_sdk.models.schemas.shopping.types.fulfillment_update_request import FulfillmentUpdateRequest
from ucp_sdk.models.schemas.shopping.types.line_item_create_request import LineItemCreateRequest

from commerce.checkout_models import CheckoutInput, Destination, Instrument, PaymentInput
from commerce.payments import CardDetails, PaymentHandler
from protocols.ucp.errors import UcpError

# Where a field of the core's CheckoutInput came from in a UCP request, to name the agent's own path on a refusal.
REQUEST_PATHS = {"lines": "line_items", "item_id": "item.id", "destination": "fulfillment.methods[0].destinations[0]",
                 "city": "address_locality", "region": "address_region", "country": "address_country",
                 "shipping_option_id": "fulfillment.methods[0].groups[0].selected_option_id",
                 "discount_codes": "discounts.codes", "instruments": "payment.instruments"}


class CreateRequest(CheckoutCreateRequest):
    model_config = ConfigDict(extra="allow")
    line_items: list[LineItemCreateRequest] = Field(default_factory=list)  # or a cart's, with cart_id
    cart_id: str | None = Field(None, max_length=64)  # the cart capability's cart-to-checkout conversion
    fulfillment: FulfillmentCreateRequest | None = None
    discounts: DiscountsObject | None = None


class UpdateRequest(CheckoutUpdateRequest):
    model_config = ConfigDict(extra="allow")
    fulfillment: FulfillmentUpdateRequest | None = None
    discounts: DiscountsObject | None = None


def request_path(location: tuple[int | str, ...]) -> str:
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{REQUEST_PATHS.get(part, part)}"
                         for part in location)


def core_input(fields: Mapping[str, Any]) -> CheckoutInput:
    """The core's input; a value the core refuses is the request's fault, named by the request's own path."""
    try:
        return CheckoutInput.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        path = request_path(first["loc"])
        raise UcpError(400, "invalid_request", f"{path}: {first['msg']}", path=path) from None


def _destination(method: BaseModel) -> Destination | None:
    """The destination the agent chose, its id kept as sent; an id alone picks one of the buyer's saved
    addresses (the core fills it in)."""
    destinations = getattr(method, "destinations", None) or []
    selected = getattr(method, "selected_destination_id", None)
    chosen = next((d for d in destinations if getattr(d, "id", None) == selected), destinations[0] if destinations
                  else None)
    if chosen is None:
        return Destination(id=selected) if selected else None
    fields = chosen.model_dump(exclude_none=True)
    return Destination(id=fields.get("id") or "", street_address=fields.get("street_address", ""),
                       extended_address=fields.get("extended_address", ""), city=fields.get("address_locality", ""),
                       region=fields.get("address_region", ""), country=fields.get("address_country", ""),
                       postal_code=fields.get("postal_code", ""), first_name=fields.get("first_name", ""),
                       last_name=fields.get("last_name", ""))


def checkout_input(request: CreateRequest | UpdateRequest, previous: CheckoutInput | None = None) -> CheckoutInput:
    """What the request sets; a part it leaves out (buyer, fulfillment, discounts) keeps the previous value."""
    lines = [{"item_id": line.item.id, "quantity": line.quantity} for line in request.line_items]
    fields = previous.model_dump(exclude={"lines"}) if previous else {}
    if request.buyer is not None:
        buyer = request.buyer
        fields["buyer"] = {"email": buyer.email or "", "first_name": buyer.first_name or "",
                           "last_name": buyer.last_name or "", "consent": _consent(buyer)}
    methods = request.fulfillment.methods if request.fulfillment and request.fulfillment.methods else []
    shipping = next((method for method in methods if method.type in (None, "shipping")), None)
    if shipping is not None:
        fields["destination"] = _destination(shipping) or fields.get("destination")
        selected = next((group.selected_option_id for group in shipping.groups or [] if group.selected_option_id),
                        None)
        fields["shipping_option_id"] = selected or fields.get("shipping_option_id")
    if request.discounts is not None and request.discounts.codes is not None:
        fields["discount_codes"] = request.discounts.codes
    if request.payment is not None and request.payment.instruments is not None:
        fields["instruments"] = [_shown(instrument) for instrument in request.payment.instruments]
    return core_input({**fields, "lines": lines})


def _consent(buyer: BaseModel) -> dict[str, bool]:
    """The buyer_consent extension's `buyer.consent`: each purpose the buyer said yes or no to."""
    raw = (buyer.model_extra or {}).get("consent")
    if not isinstance(raw, dict):
        return {}
    try:
        consent = Consent.model_validate(raw).model_dump(exclude_none=True)
    except ValidationError as error:
        raise UcpError(400, "invalid_request", f"$.buyer.consent: {error.errors()[0]['msg']}",
                       path="$.buyer.consent") from None
    return {purpose: granted for purpose, granted in consent.items() if isinstance(granted, bool)}


def _shown(instrument: BaseModel) -> Instrument:
    """What of an instrument comes back in `payment.instruments`: never its credential."""
    fields = instrument.model_dump(exclude_none=True)
    display = {name: value for name, value in (fields.get("display") or {}).items() if isinstance(value, str | int)}
    return Instrument(id=fields["id"], handler_id=fields["handler_id"], type=fields["type"],
                      selected=bool(fields.get("selected")), display=display)


def payment_input(request: CheckoutCompleteRequest, handlers: Mapping[str, PaymentHandler]) -> PaymentInput:
    """The chosen instrument's token; a card credential is exchanged for a token by its handler here, so no card
    data goes further."""
    instruments = request.payment.instruments or []
    number = next((n for n, i in enumerate(instruments) if i.selected), 0)
    instrument = instruments[number] if instruments else None
    credential = instrument.credential.model_dump() if instrument and instrument.credential else {}
    path = f"$.payment.instruments[{number}].credential"
    if instrument is None or not credential:
        raise UcpError(400, "invalid_request", "payment.instruments needs an instrument with a credential",
                       path="$.payment.instruments")
    if isinstance(credential.get("token"), str) and credential["token"]:
        return PaymentInput(handler_id=instrument.handler_id, token=credential["token"])
    handler = handlers.get(instrument.handler_id)
    if credential.get("type") != "card" or handler is None:
        raise UcpError(400, "invalid_request", "The credential needs a token, or a card for a handler that takes "
                       "cards", path=path)
    try:
        card = CardDetails.model_validate({name: credential.get(name) for name in CardDetails.model_fields})
    except ValidationError as error:
        first = error.errors()[0]
        raise UcpError(400, "invalid_request", f"{path}.{first['loc'][0]}: {first['msg']}", path=path) from None
    token = handler.tokenize_card(card)
    if token is None:
        raise UcpError(400, "invalid_request", f"Payment handler {handler.id!r} takes tokens, not cards", path=path)
    return PaymentInput(handler_id=instrument.handler_id, token=token)
