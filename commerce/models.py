"""Domain models shared by every layer: catalog, policy passages, shoppers, orders, carts and behaviour."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["en", "zh"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Variant(Model):
    id: str = Field(description="Variant (item) id, e.g. '9612497925'")
    options: dict[str, str] = Field(default_factory=dict, description="e.g. {'color': 'blue', 'size': 'M'}")
    price: float = Field(ge=0)
    stock: int = Field(ge=0, default=0)

    @property
    def available(self) -> bool:
        return self.stock > 0


class Product(Model):
    id: str
    title: str = Field(min_length=1)
    description: str = ""
    brand: str = ""
    category_path: list[str] = Field(default_factory=list, description="Root first, e.g. ['Shoes', 'Running']")
    price: float = Field(ge=0, description="Lowest variant price")
    currency: str = Field("USD", min_length=3, max_length=3)
    attributes: dict[str, str] = Field(default_factory=dict)
    rating: float = Field(0.0, ge=0, le=5)
    review_count: int = Field(0, ge=0)
    image_url: str = ""
    language: Language = "en"
    variants: list[Variant] = Field(default_factory=list)

    @property
    def stock(self) -> int:
        return sum(variant.stock for variant in self.variants)

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    @property
    def category(self) -> str:
        return " > ".join(self.category_path)


class Passage(Model):
    """A FAQ or policy passage that answers cite by id."""

    id: str
    title: str
    section: str
    text: str
    source: str = Field(description="Where the passage comes from, e.g. 'policies/returns.md'")
    language: Language = "en"


class Address(Model):
    address1: str
    address2: str = ""
    city: str
    state: str = ""
    country: str
    zip: str


class PaymentMethod(Model):
    id: str = Field(description="e.g. 'credit_card_7815826', 'gift_card_1725971', 'paypal_5727330'")
    source: Literal["credit_card", "gift_card", "paypal"]
    brand: str = ""
    last_four: str = Field("", pattern=r"^(\d{4})?$")
    balance: float | None = None

    @property
    def masked(self) -> str:
        if self.source == "credit_card":
            return f"{self.brand or 'card'} ending {self.last_four}"
        if self.source == "gift_card":
            return f"gift card (balance {self.balance:.2f})" if self.balance is not None else "gift card"
        return "PayPal"


class Shopper(Model):
    id: str = Field(description="Pseudonymous shopper id, e.g. 'noah_brown_6181'")
    first_name: str
    last_name: str
    email: str
    address: Address | None = None
    payment_methods: list[PaymentMethod] = Field(default_factory=list)
    personalization: bool = True


class OrderStatus(StrEnum):
    PENDING = "pending"
    PENDING_ITEM_MODIFIED = "pending (item modified)"
    PROCESSED = "processed"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURN_REQUESTED = "return requested"
    EXCHANGE_REQUESTED = "exchange requested"


class OrderLine(Model):
    product_id: str
    item_id: str
    name: str
    price: float = Field(ge=0)
    options: dict[str, str] = Field(default_factory=dict)


class Payment(Model):
    transaction_type: Literal["payment", "refund"]
    amount: float
    payment_method_id: str


class Fulfilment(Model):
    tracking_id: list[str]
    item_ids: list[str]


class Order(Model):
    id: str = Field(description="e.g. '#W0000000'")
    shopper_id: str
    address: Address
    lines: list[OrderLine]
    status: str
    payments: list[Payment] = Field(default_factory=list)
    fulfilments: list[Fulfilment] = Field(default_factory=list)
    cancel_reason: str | None = None
    return_items: list[str] | None = None
    return_payment_method_id: str | None = None
    exchange_items: list[str] | None = None
    exchange_new_items: list[str] | None = None
    exchange_payment_method_id: str | None = None
    exchange_price_difference: float | None = None
    created_at: datetime | None = None


class CartLine(Model):
    product_id: str
    item_id: str
    quantity: int = Field(ge=1, le=99)


class Cart(Model):
    shopper_id: str
    lines: list[CartLine] = Field(default_factory=list)


class EventKind(StrEnum):
    VIEW = "view"
    CLICK = "click"
    ADD_TO_CART = "add_to_cart"
    PURCHASE = "purchase"
    SEARCH = "search"


class BehaviourEvent(Model):
    shopper_id: str
    kind: EventKind
    product_id: str | None = None
    query: str | None = None
    at: datetime


class Review(Model):
    id: str
    product_id: str
    shopper_id: str
    rating: int = Field(ge=1, le=5)
    text: str
    language: Language = "en"
    at: datetime
