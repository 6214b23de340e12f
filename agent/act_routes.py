"""Routing by the message's understood act: each act runs its own route, so a keyword that belongs to another act
never overrides what the understanding decided ('lumbar support' is no request for a person, 'I'd like to order a
tent' no order question). Acts the rules leave open ('other') keep the phrasing router, then the classifier and the
LLM planner."""

from __future__ import annotations

from dataclasses import replace

from agent.companion_routes import companion_route
from agent.guardrails import looks_like_injection
from agent.router import (
    _CANCEL,
    _RECOMMEND,
    IntentGuesser,
    Route,
    RouterInput,
    _call,
    _order_route,
    _preference_route,
    _product_route,
    _product_words,
    _request_route,
    _watch_route,
    details_calls,
    for_whom,
    handoff_call,
    route,
)
from agent.state import ToolCall
from agent.understanding import Understanding

_REPLIES = {"unclear": ("other", "unclear"), "off_topic": ("off_topic", "decline"),
            "greeting": ("greeting", "greeting"), "confirm": ("confirmation", "confirm_hint")}
_SHOWN_ACTS = frozenset({"superlative", "compare", "shown_question"})


def route_understood(request: RouterInput, understanding: Understanding,
                     classifier: IntentGuesser | None = None) -> Route | None:
    """The route of the message's act; None when the LLM planner should decide."""
    if looks_like_injection(request.text):
        return route(request, classifier)  # the phrasing router reads the message without its injected sentences
    if found := companion_route(request):
        return found
    found = _act_route(request, understanding, classifier)
    if found is not None and any(call.name not in request.tools for call in found.calls):
        return None
    return found


def _act_route(request: RouterInput, understanding: Understanding, classifier: IntentGuesser | None) -> Route | None:
    act = understanding.act
    if act in _REPLIES:
        intent, reply = _REPLIES[act]
        if act == "unclear" and "refers_to_it" in understanding.features:
            reply = "which_product"  # 'do you have it in blue?' with nothing shown
        return Route(intent=intent, reply=reply)
    if act in _SHOWN_ACTS:
        return _shown_route(request, understanding)
    if act == "order":
        return _order_act_route(request, understanding)
    if act == "handoff":
        return Route(intent="human_agent", calls=[handoff_call(request.text)])
    if act == "watch":
        return _watch_route(request)
    if act == "checkout":
        return Route(intent="cart", calls=[_call("view_cart")])
    if act == "preference":
        found, _ = _preference_route(request)
        return found
    if act == "policy":
        return _request_route(request, classifier)
    if act == "refine":
        return _product_route(request) or _search_route(request, understanding)
    if act == "search" and understanding.kind is not None and understanding.kind.status == "matched":
        return _search_route(request, understanding)
    return route(request, classifier)


def _order_act_route(request: RouterInput, understanding: Understanding) -> Route | None:
    """The order route, with the order a follow-up means: the one just shown ('cancel it'), or after a list the one
    pending order a cancel can apply to; a change that names no order it can be is asked about, never guessed."""
    order_id = understanding.references.order_id
    undo = "undo" in understanding.features
    if order_id is None and undo and "order_talk" in understanding.features and _CANCEL.search(request.text):
        pending = [order.id for order in request.orders if order.status.startswith("pending")]
        order_id = pending[0] if len(pending) == 1 else None
    if order_id and order_id not in request.text:
        request = replace(request, text=f"{request.text} {order_id}")
    found = _order_route(request)
    if found is None and undo and request.signed_in and order_id is None:
        return Route(intent="order_change", reply="unclear_order")
    return found


def search_arguments(request: RouterInput, understanding: Understanding) -> dict[str, object]:
    """A search of the shopper's words (without the asking words of a recommendation) with the understood kind,
    constraints and recipient."""
    words = (_product_words(request.text) if _RECOMMEND.search(request.text) else "") or request.text
    kind = understanding.kind
    arguments = {"query": words.strip()[:300], **understanding.constraints.search_arguments(),
                 "product_type": kind.types if kind is not None and kind.status == "matched" else None,
                 **for_whom(request.text)}
    return {key: value for key, value in arguments.items() if value is not None}


def _search_route(request: RouterInput, understanding: Understanding) -> Route:
    search = ToolCall(name="search_products", arguments=search_arguments(request, understanding))
    _, noted = _preference_route(request)  # 'I wear 10, show me running shoes': noted before the search it filters
    return Route(intent="product_search", calls=[noted, search] if noted is not None else [search])


def _shown_route(request: RouterInput, understanding: Understanding) -> Route:
    items = understanding.shown_items(request.shown)
    if not items:
        return Route(intent="product_question", reply="which_product")
    ids = [item.id for item in items[:5]]
    if understanding.act == "superlative" and understanding.superlative is not None:
        return Route(intent="product_question", calls=[_call("pick_product", product_ids=ids,
                                                             by=understanding.superlative)])
    if understanding.act == "compare" and len(items) >= 2:
        return Route(intent="comparison", calls=details_calls(items))
    if understanding.asked_about:
        return Route(intent="product_question", calls=[_call("check_products", product_ids=ids,
                                                             asked=understanding.asked_about[:120])])
    return Route(intent="product_question", calls=details_calls(items))
