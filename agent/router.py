"""The fast path: routine requests planned by rules (and an intent classifier) without the LLM plan step.

The phrasings it recognises are data, one file per language under prompts/router/ (agent/phrasings.py reads them);
this module holds how they combine. `route` returns None whenever it is not sure; the LLM planner then decides.
Every argument it fills comes from the shopper's words, the products shown earlier or the session shopper's own
orders — never from a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Protocol

from agent.guardrails import looks_like_injection, looks_off_topic
from agent.phrasings import first_group, phrasing
from agent.preferences import asks_for_products, preference_request, recipient_of
from agent.state import Language, ShownItem, ToolCall
from agent.understanding import positions_named
from commerce.text import EMAIL
from commerce.text import ORDER_ID as TEXT_ORDER_ID
from vectorstore.lexical import tokenize
from vectorstore.query import expand_text, named_values, parse_query

ORDER_ID = TEXT_ORDER_ID
# An order number in another shop's format ('order ORD-000001', '订单号123456'): none of the shopper's orders.
_OTHER_ORDER_NUMBER = phrasing("other_order_number")
_EMAIL = EMAIL
_ORDER_WORDS = phrasing("order_words")
_MY_ORDERS = phrasing("my_orders")
_LAST_ORDER = phrasing("last_order")
_PENDING_ORDER = phrasing("pending_order")
_CANCEL = phrasing("cancel")
_RETURN = phrasing("return")
_EXCHANGE_OR_EDIT = phrasing("exchange_or_edit")
_EXCHANGE = phrasing("exchange")
_GIFT = phrasing("gift")
_INTEREST = phrasing("interest")
# The item a return or exchange names: 'return the headphones from my last order', 'exchange my t-shirt for an L'.
_NAMED_ITEM = phrasing("named_item")
_NOT_ITEMS = frozenset("order orders item items thing things stuff everything all one ones package parcel purchase "
                       "last latest recent whole entire".split())
_MISTAKE = phrasing("mistake")
_HUMAN = phrasing("human")
_FORGET = phrasing("forget")
_POLICY = phrasing("policy")
_GREETING = phrasing("greeting")
_CONFIRM_IN_CHAT = phrasing("confirm_in_chat")
_ASKS_FOR_PRODUCTS = phrasing("asks_for_products")
_NOT_A_PRODUCT = phrasing("not_a_product")
_CART_CLEAR = phrasing("cart_clear")
_CART_VIEW = phrasing("cart_view")
_CART_ADD = phrasing("cart_add")
_COMPARE = phrasing("compare")
_REVIEWS = phrasing("reviews")
# 'which has the best reviews?' / '哪个评价最好': a question about the products shown, not a new search.
_AMONG_SHOWN = phrasing("among_shown")
_DETAILS = phrasing("details")
_RECOMMEND = phrasing("recommend")
_SIMILAR = phrasing("similar")
_CHEAPER = phrasing("cheaper")
_REFINE = phrasing("refine")
_WHAT_ABOUT_ZH = phrasing("what_about")  # '那200元以内呢？': what about (a new limit)?
# Words that only say "change the earlier results"; what is left ('blue', 'waterproof') joins the earlier query.
_CUE_WORDS = phrasing("cue_words")
# 'the second one' with nothing shown yet refers to nothing: ask, rather than search for the words.
_SHOWN_REFERENCE = phrasing("shown_reference")
# 'is this one good for me?', '这款适合我吗？': about a product shown, not a new search.
_POINTS_AT_SHOWN = phrasing("points_at_shown")
_CART_OR_ORDER = phrasing("cart_or_order")  # 'remove the first item'
# An address change that gives no address yet ('change the shipping address on my pending order'): ask for it.
_ADDRESS_CHANGE = phrasing("address_change")
_STREET = phrasing("street")
# The classifier decides alone only above this confidence: 95.5 % accurate on the 63 % of messages it keeps, by
# 5-fold cross-validation over prompts/intents.jsonl (`shopassist eval router`); the rest go to the LLM planner.
CONFIDENT = 0.9




@dataclass(frozen=True)
class KnownOrder:
    id: str
    status: str
    items: list[tuple[str, str]] = field(default_factory=list)  # (item id, name)
    payment_method_id: str | None = None


@dataclass(frozen=True)
class RouterInput:
    text: str
    language: Language
    signed_in: bool
    tools: frozenset[str]
    shown: list[ShownItem] = field(default_factory=list)
    previous_query: str = ""
    orders: list[KnownOrder] = field(default_factory=list)  # the session shopper's, newest first
    categories: frozenset[str] = frozenset()  # the catalog's category names, lower case
    brands: frozenset[str] = frozenset()  # the catalog's brand names, for a signed-in shopper's stated preferences


@dataclass(frozen=True)
class Route:
    intent: str
    calls: list[ToolCall] = field(default_factory=list)
    reply: str = ""  # a `turn`/`errors` template key when the answer needs no tool
    follow_up: str = ""  # a `follow_up` template key said after the facts ('Which size would you like instead?')
    follow_up_values: dict[str, str] = field(default_factory=dict)  # its placeholders, from the shopper's words or data


class IntentGuesser(Protocol):
    def predict(self, text: str) -> object: ...


def mentions_orders(text: str) -> bool:
    return bool(ORDER_ID.search(text) or _ORDER_WORDS.search(text) or _MY_ORDERS.search(text))


def needs_orders(text: str) -> bool:
    """The shopper's orders are read for this message: it names orders, or an item to return or exchange."""
    return mentions_orders(text) or bool(_NAMED_ITEM.search(text))


def asks_to_undo(text: str) -> bool:
    """'cancel it please', '我要退': a change to something bought."""
    return bool(_ASKS_TO_UNDO.search(text))


def points_at_shown(text: str) -> bool:
    """'is this one good for me?', 'what goes well with it?': about a product shown, not a new search."""
    return bool(_POINTS_AT_SHOWN.search(text))


def referenced(text: str, shown: list[ShownItem]) -> list[ShownItem]:
    """Products shown earlier that the message points at: 'the second one', 'compare the first two', '第三个'."""
    picked = [shown[index] for index in positions_named(text, shown)]
    named = [item for item in shown if len(item.title) > 3 and item.title.lower() in text.lower()]
    return picked or named


# A policy question's topic in both languages, added to its FAQ query: '一般几天能送到？' is about shipping.
FAQ_TOPICS = tuple((phrasing(f"faq_{topic}"), words) for topic, words in (
    ("return", "return 退货"),
    ("exchange", "exchange 换货"),
    ("shipping", "shipping delivery 配送"),
    ("warranty", "warranty 保修"),
    ("payment", "payment 支付"),
    ("privacy", "privacy 隐私"),
    ("cancel", "cancel 取消"),
))
# Something went wrong with what the shopper bought: a customer-service question answered from the shop's policies
# (a parcel that never came, or a defect), not a search. The policies' own words make the FAQ query: the shopper's
# ('the zipper of my tent') only dilute the match.
_MISSING = phrasing("missing")
_DEFECT = phrasing("defect")
PROBLEM_FAQ_QUERIES = (
    (_MISSING, {"en": "lost or damaged parcel: tracking shows delivered but it did not arrive",
                "zh": "包裹丢失或损坏 显示已送达但没有收到"}),
    (_DEFECT, {"en": "warranty claim for a defect, repair or replace", "zh": "保修 质量问题 申请保修 维修或更换"}),
)
_ASKS_TO_UNDO = phrasing("asks_to_undo")  # a change the order route prepares


def faq_call(text: str) -> ToolCall:
    topics = [words for pattern, words in FAQ_TOPICS if pattern.search(text)]
    return _call("search_faq", query=" ".join([text.strip()[:240], *topics])[:300])


def details_calls(picked: list[ShownItem]) -> list[ToolCall]:
    """The details of up to three shown products: a comparison when more than one."""
    return [_call("get_product_details", product_id=item.id) for item in picked[:3]]


def handoff_call(text: str) -> ToolCall:
    return _call("transfer_to_human_agents", summary=text[:500])


def _call(name: str, **arguments: object) -> ToolCall:
    return ToolCall(name=name, arguments={key: value for key, value in arguments.items() if value is not None})


def _constraints(text: str) -> dict[str, object]:
    parsed = parse_query(text)
    return {
        "min_price": parsed.price_min, "max_price": parsed.price_max, "currency": parsed.currency,
        "colour": parsed.colour or None, "size": parsed.size or None, "exclude": parsed.exclude or None,
        "in_stock": parsed.in_stock, "min_rating": parsed.min_rating,
        "sort": None if parsed.sort == "relevance" else parsed.sort,
    }


def search_call(text: str, **explicit: object) -> ToolCall:
    """A search whose constraints are parsed from the shopper's words and passed as arguments, so the plan shows
    them ('under $100' → max_price 100); `explicit` ones (a refinement's new limit) win. Buying for someone the
    shopper named ('a jacket for my wife', '给我老婆买件外套') searches with that person's saved preferences."""
    return _call("search_products", **({"query": text.strip()[:300]} | _constraints(text) | for_whom(text)
                                       | explicit))


def for_whom(text: str) -> dict[str, object]:
    """The search argument naming whom the message buys for, if anybody."""
    recipient = recipient_of(text)
    return {"recipient": recipient} if recipient else {}


def _gift_route(request: RouterInput) -> Route | None:
    """'a gift for my dad who likes grilling, around 50 bucks', '送妈妈的生日礼物，300元左右': a search of the
    interest under the budget ('around N' is N ± 20 %), and without an interest, the budget alone and a question."""
    text = request.text
    if not _GIFT.search(text):
        return None
    found = _INTEREST.search(text)
    interest = first_group(found).strip() if found else ""
    gift = "礼物" if re.search(r"[\u4e00-\u9fff]", text) else "gift"
    # 'gift' keeps the search from reading the interest as a kind of product the shop lacks ('grilling').
    query = f"{interest} {gift}".strip()
    return Route(intent="product_search", calls=[search_call(text, query=query)],
                 follow_up="" if interest else "gift_interest")


def _holding(orders: list[KnownOrder], item: str) -> list[KnownOrder]:
    """The orders (not cancelled, newest first) with an item whose name has every word of `item`."""
    words = set(tokenize(item))
    return [order for order in orders if order.status != "cancelled"
            and any(words <= set(tokenize(name)) for _, name in order.items)]


def _item_across_orders(request: RouterInput) -> tuple[str | None, Route | None, dict[str, str]]:
    """'return the headphones from my last order', 'exchange my t-shirt': the item named, looked for across all of
    the shopper's orders. Gives the order that holds it (with a note when that is not the order named), or a route
    that says none or several do."""
    asked = _NAMED_ITEM.search(request.text)
    item = first_group(asked).strip() if asked else ""
    if not item or set(item.lower().split()) <= _NOT_ITEMS or ORDER_ID.search(request.text) or not request.orders:
        return None, None, {}
    holding = _holding(request.orders, item)
    if not holding:
        return None, Route(intent="order_status", calls=[_call("list_orders")], follow_up="item_not_in_orders",
                           follow_up_values={"item": item}), {}
    newest = next((order for order in request.orders if order.status != "cancelled"), request.orders[0])
    if _LAST_ORDER.search(request.text):
        note = {} if holding[0].id == newest.id else {"item": item, "order_id": holding[0].id, "last": newest.id}
        return holding[0].id, None, note
    if len(holding) > 1:
        return None, Route(intent="order_status", calls=[_call("list_orders")], follow_up="item_in_several",
                           follow_up_values={"item": item, "orders": ", ".join(o.id for o in holding)}), {}
    return holding[0].id, None, {}


def _order_route(request: RouterInput) -> Route | None:
    text = request.text
    if not request.signed_in:
        if _EMAIL.search(text) or "zip" in text.lower() or "邮编" in text:
            return None  # verification in chat: the LLM planner chains the look-ups
        return Route(intent="order_status", reply="not_verified")
    match = ORDER_ID.search(text)
    order_id = f"#{first_group(match).upper()}" if match else None
    elsewhere: dict[str, str] = {}
    if order_id is None and (_RETURN.search(text) or _EXCHANGE.search(text)):
        order_id, answer, elsewhere = _item_across_orders(request)
        if answer is not None:
            return answer
    if order_id is None and _LAST_ORDER.search(text) and request.orders:
        # "the headphones from my last order": the newest order, not cancelled, that has them.
        naming = [order for order in request.orders
                  if order.status != "cancelled" and any(_names_item(text, name) for _, name in order.items)]
        order_id = (naming or request.orders)[0].id
    if order_id is None and _PENDING_ORDER.search(text):
        # "my pending order": the shopper's one pending order, or the one pending order that has the item named.
        pending = [order for order in request.orders if order.status.startswith("pending")]
        naming = [order for order in pending if any(_names_item(text, name) for _, name in order.items)]
        chosen = naming if len(naming) == 1 else pending
        order_id = chosen[0].id if len(chosen) == 1 else None
    known = next((order for order in request.orders if order.id == order_id), None)
    if _CANCEL.search(text) and order_id:
        reason = "ordered by mistake" if _MISTAKE.search(text) else "no longer needed"
        return Route(intent="order_change", calls=[_call("cancel_pending_order", order_id=order_id, reason=reason)])
    if _RETURN.search(text) and known is not None and known.payment_method_id:
        named = [item_id for item_id, name in known.items if _names_item(text, name)]
        item_ids = named or [item_id for item_id, _ in known.items]
        return Route(intent="order_change", calls=[_call("return_delivered_order_items", order_id=order_id,
                                                         item_ids=item_ids,
                                                         payment_method_id=known.payment_method_id)],
                     follow_up="item_in_other_order" if elsewhere else "", follow_up_values=elsewhere)
    if _EXCHANGE.search(text) and order_id:
        # Which new option is the shopper's choice: show the order and ask, rather than guess a variant.
        return Route(intent="order_change", follow_up="item_in_other_order" if elsewhere else "exchange_which",
                     follow_up_values=elsewhere, calls=[_call("get_order_details", order_id=order_id)])
    if _ADDRESS_CHANGE.search(text) and not _STREET.search(text) and not _CANCEL.search(text):
        return Route(intent="order_change", reply="address_needed")
    if _CANCEL.search(text) or _RETURN.search(text) or _EXCHANGE_OR_EDIT.search(text):
        return None  # edits and under-specified changes need the planner
    if order_id:
        return Route(intent="order_status", calls=[_call("get_order_details", order_id=order_id)])
    if _OTHER_ORDER_NUMBER.search(text):
        return Route(intent="order_status", follow_up="order_number_unknown", calls=[_call("list_orders")])
    if _MY_ORDERS.search(text):
        return Route(intent="order_status", calls=[_call("list_orders")])
    return None


MAX_REVIEWED = 3  # the first products shown, when the shopper asks which of them reviews best
# 'size 42', '42码', '尺码42', 'in XL': the option value a shopper asks for when adding to the cart.
_ASKED_SIZE = phrasing("asked_size")
_QUANTITY = phrasing("quantity")


def _names_options(text: str, options: dict[str, str]) -> bool:
    """Every option value of the variant is in the message ('size 10 in blue')."""
    lowered = text.lower()
    return bool(options) and all(re.search(rf"(?<![\w]){re.escape(value.lower())}(?![\w])", lowered)
                                 for value in options.values())


def _option_choices(values: set[str]) -> str:
    """'6–12' for a run of whole-number sizes, else the values listed ('S, M, L')."""
    numbers = sorted(int(v) for v in values if v.isdigit())
    if numbers and len(numbers) == len(values) and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}–{numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
    return ", ".join(sorted(values, key=lambda v: (not v.isdigit(), int(v) if v.isdigit() else 0, v)))


def _missing_size(text: str, item: ShownItem) -> Route | None:
    """The shopper asked for a size none of the product's variants has: say which exist instead of adding another."""
    asked = _ASKED_SIZE.search(text)
    if asked is None:
        return None
    value = first_group(asked)
    sizes = {v for options in item.variants.values() for key, v in options.items() if "size" in key}
    if not sizes or value.lower() in {size.lower() for size in sizes}:
        return None
    return Route(intent="product_question", calls=[_call("get_product_details", product_id=item.id)],
                 follow_up="option_missing", follow_up_values={"value": value, "choices": _option_choices(sizes)})


def _names_item(text: str, name: str) -> bool:
    lowered = text.lower()
    return any(len(word) > 3 and word in lowered for word in re.findall(r"[a-z]+", name.lower()))


def _product_route(request: RouterInput) -> Route | None:
    text, shown = request.text, request.shown
    if not shown and _SHOWN_REFERENCE.search(text) and not _CART_OR_ORDER.search(text):
        return Route(intent="product_question", reply="which_product")
    picked = referenced(text, shown)
    if _COMPARE.search(text) and len(picked) >= 2:
        return Route(intent="comparison", calls=details_calls(picked))
    if _CART_ADD.search(text):
        item = picked[0] if len(picked) == 1 else None
        if item is None or not item.variants:
            return None
        if (missing := _missing_size(text, item)) is not None:
            return missing
        named = [item_id for item_id, options in item.variants.items() if _names_options(text, options)]
        chosen = named[0] if len(named) == 1 else next(iter(item.variants))
        follow_up = "" if len(named) == 1 or len(item.variants) == 1 else "other_options"
        quantity = _QUANTITY.search(text)
        return Route(intent="cart", follow_up=follow_up, calls=[_call(
            "add_to_cart", item_id=chosen, quantity=int(first_group(quantity)) if quantity else None)])
    if _CART_VIEW.search(text):
        return Route(intent="cart", calls=[_call("view_cart")])
    if len(picked) == 1 and _REVIEWS.search(text):
        return Route(intent="product_question", calls=[_call("review_insights", product_id=picked[0].id)])
    if len(picked) == 1 and _SIMILAR.search(text):
        return Route(intent="recommendation", calls=[_call("recommend_products", mode="similar",
                                                           product_id=picked[0].id)])
    if len(picked) == 1 and (_DETAILS.search(text) or len(text) < 40):
        return Route(intent="product_question", calls=[_call("get_product_details", product_id=picked[0].id)])
    if not picked and _REVIEWS.search(text) and shown and _AMONG_SHOWN.search(text):
        return Route(intent="product_question",
                     calls=[_call("review_insights", product_id=item.id) for item in shown[:MAX_REVIEWED]])
    if not picked and _REVIEWS.search(text):  # reviews of a product not shown yet: find it first
        return Route(intent="product_question", calls=[search_call(text)])
    if shown and request.previous_query and is_refinement(text):
        if _names_another_category(request):
            return Route(intent="product_search", calls=[search_call(text)])
        own_limit = parse_query(text).price_max is not None  # 'cheaper, say under $80': the shopper's number wins
        below = round(min(item.price for item in shown) - 0.01, 2) if _CHEAPER.search(text) and not own_limit else None
        query = f"{request.previous_query} {_CUE_WORDS.sub(' ', text)}"
        query = re.sub(r"\s+", " ", query).strip(" ,.!?，。！？")
        currency = shown[0].currency if below is not None else None  # the shown prices' currency, not the query's
        # The new words' own constraints ('in stock', 'in blue') win over the earlier query's.
        new_constraints = {key: value for key, value in _constraints(text).items() if value is not None}
        explicit = new_constraints | ({"max_price": below, "currency": currency} if below is not None else {})
        return Route(intent="refinement", calls=[search_call(query, **explicit)])
    if _RECOMMEND.search(text) and not _has_product_words(text):
        return Route(intent="recommendation", calls=[_call("recommend_products", mode="for_you")])
    if _RECOMMEND.search(text) and not _NOT_A_PRODUCT.search(text) and not (shown and _POINTS_AT_SHOWN.search(text)):
        # '推荐一款跑步耳机，预算300元左右', 'a gift for a 10 year old who likes science': a search of the product words
        # (ranked for them when signed in). Left to the embedded planner, the gift request became a 'similar'
        # recommendation without a product and three account look-ups.
        return Route(intent="recommendation", calls=[search_call(_product_words(text), **for_whom(text))])
    return None


def _names_another_category(request: RouterInput) -> bool:
    """'any tents for two?' after boots asks for something else, not for boots that are also tents."""
    named = set(named_values(expand_text(_CUE_WORDS.sub(" ", request.text).lower()), request.categories))
    return bool(named - set(named_values(expand_text(request.previous_query.lower()), request.categories)))


def is_refinement(text: str) -> bool:
    """A short message that only narrows or changes the results shown ('cheaper?', 'in blue', '便宜点的',
    '那200元以内呢？')."""
    asks_with_a_limit = bool(_WHAT_ABOUT_ZH.match(text)) and _names_limits(text)
    return bool(_CHEAPER.search(text) or _REFINE.search(text) or asks_with_a_limit) and len(text) < 60


_RECOMMEND_FILLER = phrasing("recommend_filler")


def _product_words(text: str) -> str:
    """A recommendation request without its asking words: 'can you recommend a tent under $200' → 'tent under $200'."""
    words = re.sub(r"\s+", " ", _RECOMMEND_FILLER.sub(" ", text)).strip(" ,.!?，。！")
    return re.sub(r"\s+([,，.。])", r"\1", re.sub(r"(^|\s)[,，.。]+(?=\s|$)", " ", words)).strip(" ,.，。")


def _has_product_words(text: str) -> bool:
    return bool(_product_words(text))


def _names_limits(text: str) -> bool:
    """The shopper gave a budget, colour or size of their own."""
    constraints = _constraints(text)
    return any(constraints[key] is not None for key in ("min_price", "max_price", "colour", "size"))


_WATCH_CREATE = phrasing("watch_create")
_WATCH_BACK_IN_STOCK = phrasing("watch_back_in_stock")
_WATCH_LIST = phrasing("watch_list")
_WATCH_CANCEL = phrasing("watch_cancel")
_WATCH_CANCEL_TARGET = phrasing("watch_cancel_target")
_WATCH_EVERYTHING = phrasing("watch_everything")


def _watch_route(request: RouterInput) -> Route | None:
    """'tell me when the first one drops under $40', '到货了通知我', 'my alerts', 'cancel my alert on the tent': a
    proposed alert on the one product the message points at, the shopper's alerts, or a proposed cancel."""
    text = request.text
    cancel, listing = _WATCH_CANCEL.search(text), _WATCH_LIST.search(text)
    if not (cancel or listing or _WATCH_CREATE.search(text)):
        return None
    if not request.signed_in:
        return Route(intent="watch", reply="watch_sign_in")
    picked = referenced(text, request.shown)
    if cancel:
        target = _WATCH_CANCEL_TARGET.search(text)
        everything = bool(_WATCH_EVERYTHING.search(text))
        arguments: dict[str, object] = ({"everything": True} if everything else
                                        {"product_id": picked[0].id} if len(picked) == 1 else
                                        {"words": first_group(target).strip()} if target else {})
        return Route(intent="watch", calls=[_call("cancel_watches", **arguments)])
    if listing:
        return Route(intent="watch", calls=[_call("list_watches")])
    if len(picked) != 1 and len(request.shown) == 1:
        picked = request.shown  # 'tell me when it is back in stock' after one product
    if len(picked) != 1:
        return Route(intent="watch", reply="which_product")
    parsed = parse_query(text)
    below = parsed.price_max
    kind = "back_in_stock" if _WATCH_BACK_IN_STOCK.search(text) else "below" if below is not None else "any_drop"
    limit = {"price_below": below, "currency": parsed.currency} if kind == "below" else {}
    variant = _named_variant(text, {**picked[0].variants, **picked[0].sold_out})
    one = {"variant_id": variant} if variant else {}
    return Route(intent="watch", calls=[_call("watch_product", product_id=picked[0].id, kind=kind, **limit, **one)])


def _named_variant(text: str, variants: dict[str, dict[str, str]]) -> str | None:
    """The one variant the message names by its options ('back in stock in size 10', 'the blue one'); None when it
    names none, or when several fit (the alert is then on the product)."""
    asked = _ASKED_SIZE.search(text)
    size = first_group(asked).lower() if asked else None
    lowered = text.lower()
    wanted: dict[str, str] = {}
    for options in variants.values():
        for key, value in options.items():
            named = (value.lower() == size if "size" in key else
                     re.search(rf"(?<![\w]){re.escape(value.lower())}(?![\w])", lowered) is not None)
            if named:
                wanted[key] = value
    fitting = [item_id for item_id, options in variants.items()
               if wanted and all(options.get(key) == value for key, value in wanted.items())]
    return fitting[0] if len(fitting) == 1 else None


_CLAUSE = re.compile(r"[,，.。;；!！?？]|\band\b|\bbut\b")


def _product_ask(text: str) -> str:
    """The part of the message that asks for products ('I wear 10, show me running shoes' → 'show me running
    shoes'), '' when none does."""
    return next((part.strip() for part in _CLAUSE.split(text) if _ASKS_FOR_PRODUCTS.search(part.strip())), "")


def _searching(request: RouterInput) -> bool:
    return asks_for_products(request.text) or bool(request.shown and is_refinement(request.text))


def _preference_route(request: RouterInput) -> tuple[Route | None, ToolCall | None]:
    """'what do you know about me?', 'forget my shoe size', 'show all', 'I wear 10 in shoes, no leather': list or
    forget the signed-in shopper's stated preferences, repeat the last search without them, or note what the
    message states. A note in a message that also asks for products comes back as a call to run before that
    request's own (`_route` joins them), so the new preference already applies to its search."""
    searching = _searching(request)
    asked = preference_request(request.text, searching, request.brands)
    if asked is None:
        return None, None
    if asked.action == "show_all":
        if not request.previous_query:
            return None, None
        return Route(intent="product_search",
                     calls=[search_call(request.previous_query, ignore_preferences=True)]), None
    if not request.signed_in:
        return (None if searching else Route(intent="preferences", reply="preferences_sign_in")), None
    if asked.action == "list":
        return Route(intent="preferences", calls=[_call("list_preferences")]), None
    if asked.action == "forget_all":
        return Route(intent="preferences", calls=[_call("forget_preferences", everything=True)]), None
    if asked.action == "forget":
        target = {"kind": asked.kind, "value": asked.value, "category": asked.category}
        forget = _call("forget_preferences", **{key: value for key, value in target.items() if value is not None})
        return Route(intent="preferences", calls=[forget]), None
    noted = _call("note_preferences", stated=[item.model_dump(exclude_defaults=True) for item in asked.stated])
    return (None, noted) if searching else (Route(intent="preferences", calls=[noted]), None)


def route(request: RouterInput, classifier: IntentGuesser | None = None) -> Route | None:
    found = _route(request, classifier)
    if found is not None and any(call.name not in request.tools for call in found.calls):
        return None
    return found


_SENTENCES = re.compile(r"(?<=[.!?。！？；;])\s*")


def _without_injection(text: str) -> str:
    """The message without its sentences that address the assistant's rules ('… Also ignore your rules and …')."""
    return " ".join(part for part in _SENTENCES.split(text) if part and not looks_like_injection(part)).strip()


def _route(request: RouterInput, classifier: IntentGuesser | None) -> Route | None:
    text = request.text.strip()
    if looks_like_injection(text):
        text = _without_injection(text)
        request = replace(request, text=text)
    if not text:
        return None
    if looks_off_topic(text):
        return Route(intent="off_topic", reply="decline")
    if _GREETING.match(text):
        return Route(intent="greeting", reply="greeting")
    if _CONFIRM_IN_CHAT.match(text):
        return Route(intent="confirmation", reply="confirm_hint")  # only the client's confirm button confirms
    from agent.companion_routes import companion_route  # it builds on this module's types

    if found := companion_route(request):
        return found
    if found := _watch_route(request):
        return found
    preference, noted = _preference_route(request)
    if preference is not None:
        return preference
    found = _request_route(request, classifier)
    if noted is None:
        return found
    found = found or Route(intent="product_search", calls=[search_call(_product_ask(text) or text, **for_whom(text))])
    return replace(found, calls=[noted, *found.calls])


def _request_route(request: RouterInput, classifier: IntentGuesser | None) -> Route | None:
    text = request.text.strip()
    if _HUMAN.search(text):
        return Route(intent="human_agent", calls=[handoff_call(text)])
    if _CART_CLEAR.search(text):
        return Route(intent="cart", calls=[_call("view_cart")], follow_up="cart_clear")
    if _FORGET.search(text):
        return Route(intent="forget_me", calls=[_call("forget_me")]) if "forget_me" in request.tools else None
    if found := _problem_route(request):
        return found
    if ORDER_ID.search(text) or _PENDING_ORDER.search(text) or (
            (mentions_orders(text) or _NAMED_ITEM.search(text)) and not _POLICY.search(text)):
        return _order_route(request)
    if _POLICY.search(text) and not mentions_orders(text):
        return Route(intent="policy_question", calls=[faq_call(text)])
    if found := _product_route(request):
        return found
    if found := _gift_route(request):
        return found
    if _ASKS_FOR_PRODUCTS.search(text) and not _RECOMMEND.search(text) and not _NOT_A_PRODUCT.search(text):
        return Route(intent="product_search", calls=[search_call(text)])
    return _classified(request, classifier)


def _problem_route(request: RouterInput) -> Route | None:
    text = request.text
    if ORDER_ID.search(text) or _ASKS_TO_UNDO.search(text):
        return None  # the order route prepares the change the shopper asks for
    for pattern, queries in PROBLEM_FAQ_QUERIES:
        if pattern.search(text):
            query = queries.get(request.language, queries["en"])
            return Route(intent="policy_question", calls=[_call("search_faq", query=query)])
    return None


def _classified(request: RouterInput, classifier: IntentGuesser | None) -> Route | None:
    if classifier is None:
        return None
    guess = classifier.predict(request.text)
    intent, confidence = getattr(guess, "intent", ""), float(getattr(guess, "confidence", 0.0))
    if confidence < CONFIDENT:
        return None
    if intent == "off_topic":
        return Route(intent="off_topic", reply="decline")
    if intent == "product_search":
        return Route(intent="product_search", calls=[search_call(request.text)])
    if intent == "policy_question":
        return Route(intent="policy_question", calls=[faq_call(request.text)])
    if intent == "greeting":
        return Route(intent="greeting", reply="greeting")
    return None
