"""Checkout sessions as data: what an agent asks for, and the session priced from the shop's own rows."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

import pycountry
from pydantic import Field, field_validator

from commerce.models import Model


class CheckoutStatus(StrEnum):
    INCOMPLETE = "incomplete"
    REQUIRES_ESCALATION = "requires_escalation"
    READY_FOR_COMPLETE = "ready_for_complete"
    COMPLETE_IN_PROGRESS = "complete_in_progress"
    COMPLETED = "completed"
    CANCELED = "canceled"


class LineRequest(Model):
    item_id: str = Field(min_length=1, max_length=64, description="Variant id, or a product id for its first variant")
    quantity: int = Field(ge=1, description="Units; more than the shop has is a business outcome (out_of_stock)")


class Destination(Model):
    id: str = Field("", max_length=128, description="The agent's id for this address, or a saved address's "
                    "(e.g. 'addr_2'); kept as given")
    street_address: str = Field("", max_length=256)
    extended_address: str = Field("", max_length=256)
    city: str = Field("", max_length=128)
    region: str = Field("", max_length=128)
    country: str = Field("", max_length=64, description="ISO 3166-1 alpha-2, e.g. 'US'")
    postal_code: str = Field("", max_length=32)
    first_name: str = Field("", max_length=128)
    last_name: str = Field("", max_length=128)

    @field_validator("country")
    @classmethod
    def _iso_code(cls, country: str) -> str:
        """'USA', 'United States' and 'us' all reach the US rates; a name pycountry does not know stays as given."""
        try:
            return str(pycountry.countries.lookup(country.strip()).alpha_2) if country.strip() else ""
        except LookupError:
            return country.strip()

    @property
    def complete(self) -> bool:
        """Rates depend on the country only; agents may send the rest of the address later."""
        return bool(self.country)


class Buyer(Model):
    email: str = Field("", max_length=256)
    first_name: str = Field("", max_length=128)
    last_name: str = Field("", max_length=128)
    consent: dict[str, bool] = Field(default_factory=dict, max_length=20,
                                     description="What the buyer agreed to, by purpose ('marketing': True)")


class Instrument(Model):
    """A payment instrument the agent chose, as it may be shown back: never its credential."""

    id: str = Field(max_length=128)
    handler_id: str = Field(max_length=64)
    type: str = Field(max_length=64)
    selected: bool = False
    display: dict[str, str | int] = Field(default_factory=dict, max_length=20)


class CheckoutInput(Model):
    """Everything an agent may set; prices never come from here."""

    lines: list[LineRequest] = Field(min_length=1, max_length=50)
    buyer: Buyer = Field(default_factory=Buyer)
    destination: Destination | None = None
    shipping_option_id: str | None = Field(None, max_length=64)
    discount_codes: list[str] = Field(default_factory=list, max_length=10)
    instruments: list[Instrument] = Field(default_factory=list, max_length=10)


class PricedLine(Model):
    id: str
    item_id: str
    product_id: str
    title: str
    unit_price: int = Field(ge=0, description="Minor units")
    quantity: int
    options: dict[str, str] = Field(default_factory=dict)

    @property
    def subtotal(self) -> int:
        return self.unit_price * self.quantity


class ShippingOption(Model):
    id: str
    title: str
    amount: int = Field(ge=0)
    service_level: str = ""
    promotion: str = Field("", description="The promotion that made it free, e.g. 'Free Shipping on orders over $100'")


class AppliedDiscount(Model):
    code: str
    title: str
    amount: int = Field(gt=0, description="Minor units taken off the subtotal")


class Problem(Model):
    """Something the agent should know: an error keeps the session from being ready, a warning does not. `path`
    points into the request, e.g. '$.line_items[1]'."""

    code: str
    content: str
    path: str | None = None
    blocking: bool = True
    escalate: Literal["buyer_review", "buyer_input"] | None = Field(
        None, description="Only the buyer can settle it, on the shop's checkout page: by reviewing the order, or by "
                          "acting (confirming a payment)")


class Totals(Model):
    subtotal: int
    discount: int
    fulfillment: int
    total: int


class Checkout(Model):
    id: str
    owner: str
    status: CheckoutStatus
    currency: str
    request: CheckoutInput
    lines: list[PricedLine]
    shipping_options: list[ShippingOption]
    discounts: list[AppliedDiscount]
    totals: Totals
    problems: list[Problem]
    saved_destinations: list[Destination] = Field(
        default_factory=list, description="The known buyer's saved addresses, offered to choose from")
    order_id: str | None = None
    # The shop's own shopper the order goes to, when the caller knows them (the chat's signed checkout link);
    # an agent's order goes to the shopper with the buyer's email instead.
    shopper_id: str | None = None


class PaymentInput(Model):
    handler_id: str = Field(min_length=1, max_length=64)
    token: str = Field(min_length=1, max_length=512, description="An opaque token from the handler; never card data")
