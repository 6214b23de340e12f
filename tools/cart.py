"""The shopper's cart: view it with a signed checkout link, and add/update/remove items (each confirmed first)."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from commerce.models import Cart, CartLine
from commerce.store import cart_from_row
from commerce.tables import CartRow, ProductRow, VariantRow
from shopassist.settings import Settings
from tools.access import require_shopper
from tools.actions import ChangeFacts, Plan, WriteOperation
from tools.base import Tool, ToolContext, ToolFailure

MAX_CART_LINES = 50
ITEM_ID = Field(description="The item (variant) id, such as '1008292230'", min_length=1, max_length=64)


class ViewCartRequest(BaseModel):
    pass


class CartItemRequest(BaseModel):
    item_id: str = ITEM_ID
    quantity: int = Field(1, ge=1, le=99, description="How many units, e.g. 2")


class RemoveItemRequest(BaseModel):
    item_id: str = ITEM_ID


class CartLineView(BaseModel):
    product_id: str
    item_id: str
    name: str
    options: dict[str, str]
    price: float
    quantity: int
    available: bool


class CartView(BaseModel):
    lines: list[CartLineView]
    total: float
    checkout_url: str | None = Field(description="Signed link where the shopper pays; None for an empty cart")


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret.get_secret_value(), salt="shopassist-checkout")


def checkout_url(settings: Settings, cart: Cart) -> str:
    token = _serializer(settings).dumps(cart.model_dump(mode="json"))
    return f"{settings.checkout_pages}/checkout/{token}"


def read_checkout_token(settings: Settings, token: str, max_age_s: int = 86_400) -> Cart:
    """The cart a checkout link was made for (for the serving layer); raises ToolFailure if forged or stale."""
    try:
        return Cart.model_validate(_serializer(settings).loads(token, max_age=max_age_s))
    except BadSignature:
        raise ToolFailure("bad_checkout_link", "This checkout link is not valid; open the cart again.") from None


def cart_view(session: Session, settings: Settings, cart: Cart) -> CartView:
    """The cart with current names, prices and stock (what the shopper sees before paying)."""
    lines = []
    for line in cart.lines:
        variant = session.get_one(VariantRow, line.item_id)
        product = session.get_one(ProductRow, variant.product_id)
        lines.append(CartLineView(
            product_id=product.id, item_id=variant.id, name=product.title, options=dict(variant.options),
            price=variant.price, quantity=line.quantity, available=variant.stock > 0,
        ))
    total = round(sum(line.price * line.quantity for line in lines), 2)
    return CartView(lines=lines, total=total, checkout_url=checkout_url(settings, cart) if cart.lines else None)


def _load_cart(session: Session, shopper_id: str) -> Cart:
    return cart_from_row(shopper_id, session.get(CartRow, shopper_id, with_for_update=True))


def _variant(session: Session, item_id: str, quantity: int) -> VariantRow:
    variant = session.get(VariantRow, item_id)
    if variant is None:
        raise ToolFailure("item_not_found", f"item {item_id} not found")
    if variant.stock < quantity:
        raise ToolFailure("out_of_stock", f"item {item_id} has only {variant.stock} in stock")
    return variant


def _variant_name(session: Session, item_id: str) -> str:
    variant = session.get(VariantRow, item_id)
    if variant is None:
        raise ToolFailure("item_not_found", "item not found")
    options = f" ({', '.join(dict(variant.options).values())})" if variant.options else ""
    return f"{session.get_one(ProductRow, variant.product_id).title}{options}"


def view_cart(context: ToolContext, _: ViewCartRequest) -> CartView:
    shopper_id = require_shopper(context)
    with context.db.session() as session:
        return cart_view(session, context.settings, _load_cart(session, shopper_id))


def _plan_cart(session: Session, context: ToolContext, item_id: str, quantity: int, summary: str,
               facts: ChangeFacts) -> Plan:
    """Set `item_id` to `quantity` units (0 removes it)."""
    shopper_id = require_shopper(context)
    cart = _load_cart(session, shopper_id)
    lines = {line.item_id: line for line in cart.lines}
    if quantity == 0:
        lines.pop(item_id)
    else:
        variant = _variant(session, item_id, quantity)
        lines[item_id] = CartLine(product_id=variant.product_id, item_id=item_id, quantity=quantity)
    if len(lines) > MAX_CART_LINES:
        raise ToolFailure("cart_full", f"the cart holds at most {MAX_CART_LINES} different items")
    new_cart = Cart(shopper_id=shopper_id, lines=list(lines.values()))
    return Plan(summary, [(cart, new_cart)], cart_view(session, context.settings, new_cart))


def _quantity_in_cart(session: Session, context: ToolContext, item_id: str) -> int:
    cart = _load_cart(session, require_shopper(context))
    return next((line.quantity for line in cart.lines if line.item_id == item_id), 0)


def plan_add(session: Session, context: ToolContext, request: CartItemRequest) -> Plan:
    quantity = _quantity_in_cart(session, context, request.item_id) + request.quantity
    if quantity > 99:
        raise ToolFailure("too_many", "at most 99 units of one item fit in the cart")
    name = _variant_name(session, request.item_id)
    facts = ChangeFacts(operation="add_to_cart", items=[name], quantity=request.quantity)
    return _plan_cart(session, context, request.item_id, quantity, f"Add {request.quantity} × {name} to the cart.",
                      facts)


def plan_update(session: Session, context: ToolContext, request: CartItemRequest) -> Plan:
    if not _quantity_in_cart(session, context, request.item_id):
        raise ToolFailure("item_not_in_cart", f"item {request.item_id} is not in the cart")
    name = _variant_name(session, request.item_id)
    facts = ChangeFacts(operation="update_cart_item", items=[name], quantity=request.quantity)
    return _plan_cart(session, context, request.item_id, request.quantity,
                      f"Set {name} to {request.quantity} units in the cart.", facts)


def plan_remove(session: Session, context: ToolContext, request: RemoveItemRequest) -> Plan:
    if not _quantity_in_cart(session, context, request.item_id):
        raise ToolFailure("item_not_in_cart", f"item {request.item_id} is not in the cart")
    name = _variant_name(session, request.item_id)
    facts = ChangeFacts(operation="remove_from_cart", items=[name])
    return _plan_cart(session, context, request.item_id, 0, f"Remove {name} from the cart.", facts)


def cart_additions(plan: Plan) -> list[str]:
    """Product ids whose units in the cart the plan increases (an add, or an update to more units)."""
    added = []
    for before, after in plan.changes:
        if isinstance(before, Cart) and isinstance(after, Cart):
            old = {line.item_id: line.quantity for line in before.lines}
            added += [line.product_id for line in after.lines if line.quantity > old.get(line.item_id, 0)]
    return added


CART_READ_TOOLS: list[Tool[Any, Any]] = [
    Tool("view_cart", "Show the verified shopper's cart with prices, total and a checkout link.", ViewCartRequest,
         view_cart),
]
CART_OPERATIONS: list[WriteOperation[Any]] = [
    WriteOperation("add_to_cart", "Add an item (variant) to the cart. Proposes the action for the shopper to confirm.",
                   CartItemRequest, plan_add),
    WriteOperation("update_cart_item", "Set how many units of an item are in the cart. Proposes the action for the "
                   "shopper to confirm.", CartItemRequest, plan_update),
    WriteOperation("remove_from_cart", "Remove an item from the cart. Proposes the action for the shopper to confirm.",
                   RemoveItemRequest, plan_remove),
]
