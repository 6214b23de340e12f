"""UCP checkout request bodies (the ucp-sdk models plus the fulfillment and discount extensions) → CheckoutInput."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from ucp_sdk.models.schemas.shopping.checkout_complete_request import CheckoutCompleteRequest
from ucp_sdk.models.schemas.shopping.checkout_create_request import CheckoutCreateRequest
from ucp_sdk.models.schemas.shopping.checkout_update_request import CheckoutUpdateRequest
from ucp_sdk.models.schemas.shopping.discount import DiscountsObject
from ucp_sdk.models.schemas.shopping.types.fulfillment_create_request import FulfillmentCreateRequest
from ucp_sdk.models.schemas.shopping.types.fulfillment_update_request import FulfillmentUpdateRequest
from ucp_sdk.models.schemas.shopping.types.line_item_create_request import LineItemCreateRequest

from commerce.checkout_models import Buyer, CheckoutInput, Destination, PaymentInput
from protocols.ucp.errors import UcpError


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


def _destination(method: BaseModel) -> Destination | None:
    destinations = getattr(method, "destinations", None) or []
    selected = getattr(method, "selected_destination_id", None)
    chosen = next((d for d in destinations if getattr(d, "id", None) == selected), destinations[0] if destinations
                  else None)
    if chosen is None:
        return None
    fields = chosen.model_dump(exclude_none=True)
    return Destination(street_address=fields.get("street_address", ""),
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
        fields["buyer"] = Buyer(email=buyer.email or "", first_name=buyer.first_name or "",
                                last_name=buyer.last_name or "")
    methods = request.fulfillment.methods if request.fulfillment and request.fulfillment.methods else []
    shipping = next((method for method in methods if method.type in (None, "shipping")), None)
    if shipping is not None:
        fields["destination"] = _destination(shipping) or fields.get("destination")
        selected = next((group.selected_option_id for group in shipping.groups or [] if group.selected_option_id),
                        None)
        fields["shipping_option_id"] = selected or fields.get("shipping_option_id")
    if request.discounts is not None and request.discounts.codes is not None:
        fields["discount_codes"] = request.discounts.codes
    return CheckoutInput.model_validate({**fields, "lines": lines})


def payment_input(request: CheckoutCompleteRequest) -> PaymentInput:
    instruments = request.payment.instruments or []
    instrument = next((i for i in instruments if i.selected), instruments[0] if instruments else None)
    token = (instrument.credential.model_dump().get("token") if instrument and instrument.credential else None)
    if instrument is None or not isinstance(token, str):
        raise UcpError(400, "invalid_request", "payment.instruments needs an instrument with a credential token",
                       path="$.payment.instruments")
    return PaymentInput(handler_id=instrument.handler_id, token=token)
