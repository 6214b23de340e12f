"""ACP 2026-04-17 checkout bodies as pydantic models, written from the spec's OpenAPI field names (there is no
official Python package for this version). Requests ignore fields they do not know (the spec's forward-compatibility
rule, RFC §8.2) and never carry prices; responses forbid extra fields, so what leaves is checked against them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

VERSION = "2026-04-17"


class Request(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Response(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- requests -----------------------------------------------------------------------------------------------------

class ItemRef(Request):
    id: str = Field(min_length=1, max_length=64, description="Variant id, or a product id for its first variant")


class LineItemRequest(Request):
    id: str | None = Field(None, max_length=64)
    item: ItemRef
    quantity: int = Field(ge=1)  # more than the shop has is out_of_stock, not a malformed request


class Address(Request):
    name: str = Field(max_length=256)
    line_one: str = Field(max_length=256)
    line_two: str = Field("", max_length=256)
    city: str = Field(max_length=128)
    state: str = Field(max_length=128)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, e.g. 'US'")
    postal_code: str = Field(max_length=32)


class FulfillmentDetails(Request):
    name: str = Field("", max_length=256)
    phone_number: str = Field("", max_length=32)
    email: str = Field("", max_length=256)
    address: Address | None = None


class Buyer(Request):
    first_name: str = Field("", max_length=128)
    last_name: str = Field("", max_length=128)
    email: str = Field(min_length=3, max_length=256)
    phone_number: str = Field("", max_length=32)


class SelectedFulfillmentOption(Request):
    type: Literal["shipping", "digital", "pickup", "local_delivery"]
    option_id: str = Field(min_length=1, max_length=64)
    item_ids: list[str] = Field(default_factory=list, max_length=50)


class DiscountsRequest(Request):
    codes: list[str] = Field(default_factory=list, max_length=10)


class CreateRequest(Request):
    line_items: list[LineItemRequest] = Field(min_length=1, max_length=50)
    currency: str = Field(min_length=3, max_length=3)
    capabilities: dict[str, Any]
    buyer: Buyer | None = None
    fulfillment_details: FulfillmentDetails | None = None
    discounts: DiscountsRequest | None = None
    coupons: list[str] | None = Field(None, max_length=10, description="Deprecated by the spec for discounts.codes")


class UpdateRequest(Request):
    line_items: list[LineItemRequest] | None = Field(None, min_length=1, max_length=50)
    buyer: Buyer | None = None
    fulfillment_details: FulfillmentDetails | None = None
    selected_fulfillment_options: list[SelectedFulfillmentOption] | None = Field(None, max_length=10)
    discounts: DiscountsRequest | None = None
    coupons: list[str] | None = Field(None, max_length=10)


class Credential(Request):
    type: str = Field(min_length=1, max_length=64)
    token: str = Field(min_length=1, max_length=512)


class Instrument(Request):
    type: str = Field(min_length=1, max_length=64)
    credential: Credential


class PaymentData(Request):
    handler_id: str = Field(min_length=1, max_length=64)
    instrument: Instrument


class CompleteRequest(Request):
    payment_data: PaymentData
    buyer: Buyer | None = None


class CancelRequest(Request):
    intent_trace: dict[str, Any] | None = None


# --- responses ----------------------------------------------------------------------------------------------------

TotalType = Literal["items_base_amount", "items_discount", "subtotal", "discount", "fulfillment", "tax", "fee",
                    "total"]
Status = Literal["incomplete", "not_ready_for_payment", "requires_escalation", "authentication_required",
                 "ready_for_payment", "pending_approval", "complete_in_progress", "completed", "canceled",
                 "in_progress", "expired"]
ErrorCode = Literal["missing", "invalid", "out_of_stock", "payment_declined", "not_found", "conflict", "unsupported"]
DiscountErrorCode = Literal["discount_code_expired", "discount_code_invalid", "discount_code_already_applied",
                            "discount_code_combination_disallowed", "discount_code_minimum_not_met"]


class Total(Response):
    type: TotalType
    display_text: str
    amount: int


class Item(Response):
    id: str
    name: str
    unit_amount: int


class VariantOption(Response):
    name: str
    value: str


class LineItem(Response):
    id: str
    item: Item
    quantity: int = Field(ge=1)
    name: str
    unit_amount: int
    product_id: str
    variant_id: str
    variant_options: list[VariantOption] = Field(default_factory=list)
    totals: list[Total]


class AddressOut(Response):
    name: str
    line_one: str
    line_two: str | None = None
    city: str
    state: str
    country: str
    postal_code: str


class FulfillmentDetailsOut(Response):
    name: str | None = None
    email: str | None = None
    address: AddressOut | None = None


class BuyerOut(Response):
    first_name: str | None = None
    last_name: str | None = None
    email: str


class FulfillmentOptionShipping(Response):
    type: Literal["shipping"] = "shipping"
    id: str
    title: str
    totals: list[Total]


class SelectedOption(Response):
    type: Literal["shipping"] = "shipping"
    option_id: str
    item_ids: list[str]


class MessageError(Response):
    type: Literal["error"] = "error"
    code: ErrorCode
    resolution: Literal["recoverable", "requires_buyer_input"] = "recoverable"
    param: str | None = None
    content_type: Literal["plain"] = "plain"
    content: str


class MessageWarning(Response):
    type: Literal["warning"] = "warning"
    code: DiscountErrorCode
    param: str | None = None
    content_type: Literal["plain"] = "plain"
    content: str


class Link(Response):
    type: Literal["terms_of_use", "privacy_policy", "return_policy", "shipping_policy", "contact_us", "support"]
    title: str | None = None
    url: str


class Coupon(Response):
    id: str
    name: str


class AppliedDiscount(Response):
    id: str
    code: str
    coupon: Coupon
    amount: int = Field(ge=0)


class RejectedDiscount(Response):
    code: str
    reason: DiscountErrorCode
    message: str


class Discounts(Response):
    codes: list[str]
    applied: list[AppliedDiscount]
    rejected: list[RejectedDiscount]


class PaymentHandler(Response):
    """The spec's handler, less spec/config_schema/instrument_schemas: the mock token handler has no published
    schema to point at."""

    id: str
    name: str = Field(description="Reverse-DNS, e.g. 'dev.shopassist.mock_payment'")
    display_name: str
    version: str
    requires_delegate_payment: bool
    requires_pci_compliance: bool
    psp: str
    config: dict[str, Any] = Field(default_factory=dict)


class Payment(Response):
    handlers: list[PaymentHandler]


class Capabilities(Response):
    payment: Payment


class Protocol(Response):
    version: str = VERSION


class Order(Response):
    type: Literal["order"] = "order"
    id: str
    checkout_session_id: str
    order_number: str
    permalink_url: str
    status: Literal["created", "confirmed"]


class CheckoutSession(Response):
    id: str
    protocol: Protocol = Field(default_factory=Protocol)
    capabilities: Capabilities
    buyer: BuyerOut | None = None
    status: Status
    currency: str = Field(pattern=r"^[a-z]{3}$")
    line_items: list[LineItem]
    fulfillment_details: FulfillmentDetailsOut | None = None
    fulfillment_options: list[FulfillmentOptionShipping]
    selected_fulfillment_options: list[SelectedOption]
    totals: list[Total]
    messages: list[MessageError | MessageWarning]
    links: list[Link]
    discounts: Discounts
    order: Order | None = None


ErrorType = Literal["invalid_request", "processing_error", "service_unavailable"]


class Error(Response):
    type: ErrorType
    code: str
    message: str
    param: str | None = None


# --- order webhooks (openapi.agentic_checkout_webhook) --------------------------------------------------------------

class OrderLineQuantity(Response):
    ordered: int
    current: int
    fulfilled: int


class OrderLine(Response):
    id: str
    title: str
    quantity: OrderLineQuantity
    unit_price: int
    subtotal: int
    status: Literal["processing", "fulfilled", "canceled"]


OrderEventStatus = Literal["created", "shipped", "canceled"]


class EventOrder(Response):
    type: Literal["order"] = "order"
    id: str
    checkout_session_id: str
    permalink_url: str
    status: OrderEventStatus
    line_items: list[OrderLine]
    totals: list[Total]


class WebhookEvent(Response):
    type: Literal["order_create", "order_update"]
    data: EventOrder
