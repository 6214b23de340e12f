"""The dialogue state each turn leaves for the next: what it showed and what it was about (agent.state.DialogueState),
emitted with the turn's answer and stored by serving, so the next turn reads it back instead of rebuilding it from
logged tool calls."""

from __future__ import annotations

from agent.results import product_cards
from agent.state import DialogueState, ToolOutcome
from agent.turn_facts import searched_words
from tools.actions import ProposedAction
from tools.cart import CartView
from tools.views import OrderList, OrderView


def next_state(previous: DialogueState, act: str, outcomes: list[ToolOutcome]) -> DialogueState:
    """What this turn leaves for the next one: the products it showed (else those still on screen), the one order it
    was about, and whether it was about the cart."""
    shown = [card.id for outcome in outcomes for card in product_cards(outcome)]
    searches = [outcome.arguments for outcome in outcomes if outcome.ok and outcome.name == "search_products"]
    orders = {outcome.output.order_id for outcome in outcomes if outcome.ok and isinstance(outcome.output, OrderView)}
    listed = [outcome.output.orders for outcome in outcomes if outcome.ok and isinstance(outcome.output, OrderList)]
    if not orders and len(listed) == 1 and len(listed[0]) == 1:
        orders = {listed[0][0].order_id}
    cart = any(outcome.ok and (isinstance(outcome.output, CartView) or (
        isinstance(outcome.output, ProposedAction) and "cart" in outcome.output.action)) for outcome in outcomes)
    return DialogueState(
        shown=shown or previous.shown,
        searched=searched_words(searches[-1]) if shown and searches else previous.searched if not shown else "",
        order_id=orders.pop() if len(orders) == 1 else None, cart=cart, act=act)
