"""Output models the order tools return: orders, shoppers and products as the shopper may see them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from commerce.models import Address, Fulfilment, Order, OrderLine, Payment, PaymentMethod, Product, Shopper
from tools.display import ProductCard


class OrderView(BaseModel):
    order_id: str = Field(description="e.g. '#W0000000'")
    user_id: str
    status: str = Field(description="pending, pending (item modified), processed, delivered, cancelled, ...")
    address: Address
    items: list[OrderLine]
    fulfillments: list[Fulfilment]
    payment_history: list[Payment]
    cancel_reason: str | None = None
    return_items: list[str] | None = None
    return_payment_method_id: str | None = None
    exchange_items: list[str] | None = None
    exchange_new_items: list[str] | None = None
    exchange_payment_method_id: str | None = None
    exchange_price_difference: float | None = None

    @classmethod
    def of(cls, order: Order) -> OrderView:
        return cls(
            order_id=order.id, user_id=order.shopper_id, status=order.status, address=order.address,
            items=order.lines, fulfillments=order.fulfilments, payment_history=order.payments,
            cancel_reason=order.cancel_reason, return_items=order.return_items,
            return_payment_method_id=order.return_payment_method_id, exchange_items=order.exchange_items,
            exchange_new_items=order.exchange_new_items, exchange_payment_method_id=order.exchange_payment_method_id,
            exchange_price_difference=order.exchange_price_difference,
        )


class OrderSummary(BaseModel):
    order_id: str = Field(description="e.g. '#W0000000'")
    status: str
    item_count: int
    total: float


class OrderList(BaseModel):
    orders: list[OrderSummary]


class ShopperView(BaseModel):
    user_id: str = Field(description="e.g. 'sara_doe_496'")
    first_name: str
    last_name: str
    email: str
    address: Address | None
    payment_methods: list[PaymentMethod]
    orders: list[str] = Field(description="Order ids, e.g. ['#W0000000']")

    @classmethod
    def of(cls, shopper: Shopper, order_ids: list[str]) -> ShopperView:
        return cls(
            user_id=shopper.id, first_name=shopper.first_name, last_name=shopper.last_name, email=shopper.email,
            address=shopper.address, payment_methods=shopper.payment_methods, orders=order_ids,
        )


class VariantView(BaseModel):
    item_id: str = Field(description="e.g. '1008292230'")
    options: dict[str, str]
    available: bool
    price: float


class ProductView(BaseModel):
    product_id: str = Field(description="e.g. '6086499569'")
    name: str
    variants: list[VariantView]

    def product_cards(self) -> list[ProductCard]:
        if not self.variants:
            return []
        return [ProductCard(id=self.product_id, title=self.name, price=min(v.price for v in self.variants),
                            in_stock=any(v.available for v in self.variants))]

    @classmethod
    def of(cls, product: Product) -> ProductView:
        return cls(
            product_id=product.id, name=product.title,
            variants=[
                VariantView(item_id=v.id, options=v.options, available=v.available, price=v.price)
                for v in product.variants
            ],
        )
