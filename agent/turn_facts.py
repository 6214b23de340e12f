"""What the store knows that a turn may refer to: products shown earlier, the earlier query, the shopper's orders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from agent.allowed import AllowedValues
from agent.guardrails import agent_logger
from agent.router import KnownOrder, RouterInput, is_refinement, needs_orders
from agent.state import DialogueState, HistoryMessage, Language, ShownItem, TurnRequest
from agent.understanding import KindReader, KindReading, Understanding, understand
from commerce.db import Database
from commerce.models import Order
from commerce.store import cart_from_row, get_products, get_shopper, order_from_row
from commerce.tables import CartRow, OrderRow
from vectorstore.query import parse_query
from vectorstore.service import SearchService

log = agent_logger(__name__)


def searched_words(arguments: dict[str, Any]) -> str:
    """What a search_products call looked for, in words: its query and the category it named (the planner's
    {'query': 'birthday gift', 'category': 'cooking'} searched 'birthday gift cooking')."""
    query, category = str(arguments.get("query") or ""), str(arguments.get("category") or "")
    return f"{query} {category}".strip() if category.lower() not in query.lower() else query


def last_shown(history: list[HistoryMessage]) -> tuple[list[str], str]:
    """Ids of the products the last answer showed, and what a refinement refines: the search that showed them (the
    planner's 'birthday gift cooking' for '我想给老婆买个生日礼物，她喜欢做饭'; an earlier refinement's words kept), or
    else the shopper message that asked for them."""
    for index in range(len(history) - 1, -1, -1):
        message = history[index]
        if message.role == "assistant" and message.product_ids:
            return message.product_ids, message.searched or _original_request(history[:index])
    return [], ""


def _original_request(history: list[HistoryMessage]) -> str:
    """The shopper message that started the current search: refinements ('cheaper?', 'in blue') are skipped."""
    asked = [message.text for message in history if message.role == "user"]
    for text in reversed(asked):
        if not is_refinement(text):
            return text
    return asked[0] if asked else ""


def shown_items(db: Database, product_ids: list[str]) -> list[ShownItem]:
    if not product_ids:
        return []
    with db.session() as session:
        products = get_products(session, product_ids)
    return [
        ShownItem(id=p.id, title=p.title, price=p.price, currency=p.currency,
                  variants={v.id: dict(v.options) for v in p.variants if v.available},
                  sold_out={v.id: dict(v.options) for v in p.variants if not v.available},
                  category=p.category_path[-1] if p.category_path else "")
        for product_id in product_ids if (p := products.get(product_id)) is not None
    ]


def _orders_newest_first(db: Database, shopper_id: str) -> list[Order]:
    with db.session() as session:
        orders = [order_from_row(row) for row in session.scalars(select(OrderRow).where(
            OrderRow.shopper_id == shopper_id).order_by(OrderRow.position.desc(), OrderRow.id.desc()))]
    return sorted(orders, key=lambda order: order.created_at or datetime.min, reverse=True)


def known_orders(db: Database, shopper_id: str) -> list[KnownOrder]:
    orders = _orders_newest_first(db, shopper_id)
    return [
        KnownOrder(id=order.id, status=order.status, items=[(line.item_id, line.name) for line in order.lines],
                   payment_method_id=next((p.payment_method_id for p in order.payments
                                           if p.transaction_type == "payment"), None))
        for order in orders
    ]


def last_dialogue(history: list[HistoryMessage]) -> DialogueState:
    """The dialogue state the last answer emitted; for an answer logged before states were kept, the products it
    showed and the search that showed them."""
    for message in reversed(history):
        if message.role == "assistant":
            if message.dialogue is not None:
                return message.dialogue
            break
    product_ids, searched = last_shown(history)
    return DialogueState(shown=product_ids, searched=searched)


def kind_reader(search: Callable[[], SearchService]) -> KindReader:
    """The catalog's reading of the product kind a message names (vectorstore.product_types)."""
    def read(text: str) -> KindReading | None:
        try:
            products = search().products
        except Exception as error:  # the index can't be loaded now (a Chroma server down): no kind is read
            log.warning("no kind read: the search index is unavailable (%s)", type(error).__name__)
            return None
        match = products.named_kind(text) or products.asked_kind(parse_query(text))
        if match is None:
            return None
        status = "matched" if match.types else "absent" if match.absent else "unsure"
        return KindReading(asked=match.asked, types=sorted(match.types), status=status, score=round(match.score, 3))
    return read


def understood_input(db: Database, request: TurnRequest, language: Language, tools: frozenset[str],
                     search: Callable[[], SearchService] | None = None) -> tuple[RouterInput, Understanding]:
    """Runs in a worker thread: the router's facts and the message's one understanding."""
    facts = router_input(db, request, language, tools, search)
    state = last_dialogue(request.history)
    understanding = understand(request.text, language, state, facts.shown,
                               kind_reader(search) if search is not None else None,
                               signed_in=facts.signed_in, refining=bool(facts.shown) and is_refinement(request.text))
    return facts, understanding


def router_input(db: Database, request: TurnRequest, language: Language, tools: frozenset[str],
                 search: Callable[[], SearchService] | None = None) -> RouterInput:
    """Runs in a worker thread: the store is synchronous. `search` gives the catalog's category names, read only
    when a search was shown (to tell a refinement from a search for something else), and, for a signed-in shopper,
    its brands (to read 'I only buy Northpeak' as a preference)."""
    state = last_dialogue(request.history)
    product_ids, asked = state.shown, state.searched
    categories: frozenset[str] = frozenset()
    if search is not None and product_ids and asked:
        categories = frozenset(category.lower() for category in search().vocabulary().categories)
    brands = frozenset(search().vocabulary().brands) if search is not None and request.shopper_id else frozenset()
    wanted = needs_orders(request.text) or state.order_id is not None or state.act == "order"
    orders = known_orders(db, request.shopper_id) if request.shopper_id and wanted else []
    return RouterInput(text=request.text, language=language, signed_in=request.shopper_id is not None, tools=tools,
                       shown=shown_items(db, product_ids), previous_query=asked, orders=orders,
                       categories=categories, brands=brands)


def allowed_values(db: Database, request: TurnRequest, shopper_id: str | None,
                   turn_product_ids: list[str], types: list[str] | None = None) -> AllowedValues:
    """Runs in a worker thread. What this turn's plan may name: see agent.allowed."""
    shown = [pid for message in request.history for pid in message.product_ids] + turn_product_ids
    orders = _orders_newest_first(db, shopper_id) if shopper_id else []
    with db.session() as session:
        products = get_products(session, shown)
        ordered = get_products(session, [line.product_id for order in orders for line in order.lines])
        shopper = get_shopper(session, shopper_id) if shopper_id else None
        cart = cart_from_row(shopper_id, session.get(CartRow, shopper_id)) if shopper_id else None
    items = [line.item_id for order in orders for line in order.lines]
    items += [variant.id for product in products.values() for variant in product.variants]
    items += [line.item_id for line in cart.lines] if cart else []
    return AllowedValues.gather(
        shopper_texts=[request.text] + [m.text for m in request.history if m.role == "user"],
        products=list(products), orders=[order.id for order in orders], items=items,
        variants=[variant.id for product in ordered.values() for variant in product.variants],
        payments=[method.id for method in shopper.payment_methods] if shopper else [], types=types,
    )
