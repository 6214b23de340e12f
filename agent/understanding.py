"""One understanding of each message, read once per turn from the shopper's words, the dialogue state and the
catalog: the act, the product kind grounded in the catalog's own types, the constraints, the references to what was
just shown, and whom it buys for. The router, the tools' arguments and the renderer read it; nothing re-parses the
text.

Rules decide only the unambiguous forms (prompts/acts.toml gives their order); a message no rule fits is 'other',
for the classifier and the LLM planner.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

from agent.acts import INTENT_ACTS, Act, decision_table
from agent.guardrails import looks_off_topic
from agent.phrasings import phrasing
from agent.preferences import asks_for_products, preference_request, recipient_of
from agent.state import DialogueState, Language, Plan, ShownItem
from commerce.sizes import foreign_shoe_size
from commerce.text import ORDER_ID
from vectorstore.query import SearchQuery, parse_query

Producer = Literal["rules", "classifier", "llm", "fallback"]
KindStatus = Literal["matched", "absent", "unsure"]
Superlative = Literal["price_asc", "price_desc", "weight_asc", "weight_desc", "rating", "battery", "reviews"]


class KindReading(BaseModel):
    """The kind of product the message names, resolved against the catalog's own types."""

    asked: str = Field(description="In the shopper's words, e.g. 'office chair'")
    types: list[str] = Field(default_factory=list, description="The catalog's leaf categories it is, e.g. "
                             "['Office Chairs']")
    status: KindStatus = Field(description="matched: the catalog has it; absent: the catalog plainly lacks it; "
                               "unsure: neither can be said")
    score: float = 0.0


class Constraints(BaseModel):
    price_min: float | None = None
    price_max: float | None = None
    currency: str | None = None
    colours: list[str] = Field(default_factory=list)
    sizes: list[str] = Field(default_factory=list, description="In the shop's sizes, e.g. ['8.5', '8', '9']")
    size_asked: str | None = Field(None, description="A size given in another system, e.g. 'EU 42'")
    exclude: list[str] = Field(default_factory=list)
    in_stock: bool | None = None
    min_rating: float | None = None
    sort: str | None = None

    def search_arguments(self) -> dict[str, object]:
        """The search_products arguments these constraints give (None where the message states none)."""
        return {"min_price": self.price_min, "max_price": self.price_max, "currency": self.currency,
                "colour": self.colours or None, "size": self.sizes or None, "exclude": self.exclude or None,
                "in_stock": self.in_stock, "min_rating": self.min_rating, "sort": self.sort}


class References(BaseModel):
    shown: list[int] = Field(default_factory=list, description="Positions (0-based) of the shown products it names")
    all_shown: bool = Field(False, description="'these', 'which of them': every product shown")
    order_id: str | None = Field(None, description="The order it names or the one just shown ('cancel it')")
    cart: bool = Field(False, description="The cart the last answer showed")


class Understanding(BaseModel):
    text: str
    language: Language
    act: Act
    producer: Producer = "rules"
    features: list[str] = Field(default_factory=list, description="The decision features that held")
    kind: KindReading | None = None
    constraints: Constraints = Field(default_factory=Constraints)
    references: References = Field(default_factory=References)
    recipient: str = ""
    superlative: Superlative | None = None
    asked_about: str = Field("", description="What a question about shown products asks, e.g. 'navy'")

    def shown_items(self, shown: list[ShownItem]) -> list[ShownItem]:
        """The shown products the message is about: those it names, else all of them ('which of these')."""
        picked = [shown[index] for index in self.references.shown if index < len(shown)]
        return picked or (shown if self.references.all_shown else [])


KindReader = Callable[[str], KindReading | None]

_GREETING = phrasing("greeting")
_CONFIRM = phrasing("confirm_in_chat")
_HUMAN = phrasing("human")
_ALERT = (phrasing("watch_create"), phrasing("watch_list"), phrasing("watch_cancel"))
_CHECKOUT = phrasing("checkout")
_CART = (phrasing("cart_add"), phrasing("cart_view"), phrasing("cart_clear"), phrasing("cart_remove"))
_FIRST_PERSON = phrasing("first_person")
_BUDGET = phrasing("budget_words")
_SUPERLATIVE = phrasing("superlative")
_COMPARE = phrasing("compare")
_QUESTION = phrasing("question")
_AMONG_SHOWN = phrasing("among_shown")
_REFERS_TO_IT = phrasing("refers_to_it")
_POINTS_AT_SHOWN = phrasing("points_at_shown")
_UNDO = phrasing("asks_to_undo")
_ORDER_WORDS = phrasing("order_words")
_MY_ORDERS = phrasing("my_orders")
_POLICY = (phrasing("policy"), phrasing("missing"), phrasing("defect"))
_ASKS = (phrasing("asks_for_products"), phrasing("recommend"), phrasing("gift"), phrasing("wants"))
_ORDINAL = phrasing("ordinal")
_FIRST_TWO = phrasing("first_two")
_LAST_ONE = phrasing("last_one")

_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "fifth": 4,
             "5th": 4, "第一": 0, "第二": 1, "第三": 2, "第四": 3, "第五": 4, "一号": 0, "二号": 1, "三号": 2}
_SUPERLATIVES: tuple[tuple[re.Pattern[str], Superlative], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), value) for pattern, value in (
        (r"cheapest|cheaper|least expensive|less expensive|lowest[- ]priced|lowest price|最便宜|最实惠", "price_asc"),
        (r"most expensive|more expensive|priciest|最贵", "price_desc"),
        (r"lightest|lighter|最轻", "weight_asc"),
        (r"heaviest|heavier|最重", "weight_desc"),
        (r"longest battery|battery (?:lasts )?longest|续航最长", "battery"),
        (r"most reviews|most popular|最受欢迎", "reviews"),
        (r"best|top[- ]rated|highest[- ]rated|评分最高|评价最好|口碑最好|最好", "rating"),
    ))
# The words of a question about shown products that are not what it asks about.
_ASKING_WORDS = re.compile(
    r"\b(?:does|do|is|are|can|could|will|would|has|have|had|it|its|they|them|this|that|these|those|one|ones|the|a|"
    r"an|of|come|comes|coming|available|in|with|got|any|option|options|version|first|second|third|fourth|fifth|"
    r"last|1st|2nd|3rd|4th|5th|there|what|which|about|also|too|please|me|tell|know|both|and|or|number|item|"
    r"product|colou?r|offer|offered|got|get|made|make)\b|[?？!！.,，。]",
    re.IGNORECASE)
_ZH_ASKING = re.compile(r"第[一二三四五](个|款|件|双)?|这(个|款|件|双|几个|几款|些)|那(个|款|件|双)|它|有没有|是不是|"
                        r"能不能|吗|呢|的|有|是|[?？!！,，。]")


def _superlative(text: str) -> Superlative | None:
    return next((value for pattern, value in _SUPERLATIVES if pattern.search(text)), None)


def positions_named(text: str, shown: list[ShownItem]) -> list[int]:
    """The shown products the message names by position ('the second one', '第三个', 'the first two')."""
    if not shown:
        return []
    if _FIRST_TWO.search(text):
        return list(range(min(2, len(shown))))
    picked: list[int] = []
    for match in _ORDINAL.finditer(text):
        token = match.group(0).lower()
        digit = re.search(r"[1-5]", token)
        index = int(digit.group(0)) - 1 if digit else _ORDINALS.get(token, _ORDINALS.get(token[:2], -1))
        if 0 <= index < len(shown) and index not in picked:
            picked.append(index)
    if _LAST_ONE.search(text):
        picked.append(len(shown) - 1)
    return picked


def _asked_about(text: str, language: Language) -> str:
    words = _ZH_ASKING.sub(" ", text) if language == "zh" else _ASKING_WORDS.sub(" ", text)
    return re.sub(r"\s+", " ", words).strip()


def _constraints(parsed: SearchQuery, text: str) -> Constraints:
    converted = foreign_shoe_size(text)
    sizes = list(converted.sizes) if converted is not None else parsed.size
    return Constraints(price_min=parsed.price_min, price_max=parsed.price_max, currency=parsed.currency,
                       colours=parsed.colour, sizes=sizes, size_asked=converted.asked if converted else None,
                       exclude=parsed.exclude, in_stock=parsed.in_stock, min_rating=parsed.min_rating,
                       sort=None if parsed.sort == "relevance" else parsed.sort)


def _other_kind(kind: KindReading | None, shown: list[ShownItem]) -> bool:
    """The message names a kind none of the shown products is ('any tents?' after boots)."""
    if kind is None or kind.status != "matched" or not kind.types:
        return False
    return not any(item.category in kind.types for item in shown if item.category)


def features_of(text: str, state: DialogueState, shown: list[ShownItem], kind: KindReading | None,
                parsed: SearchQuery, signed_in: bool, refining: bool) -> frozenset[str]:
    """Every decision feature that holds for the message (prompts/acts.toml names them)."""
    stripped = text.strip()
    positions = positions_named(stripped, shown)
    single = len(shown) == 1
    found = {
        "empty": not stripped,
        "off_topic": bool(stripped) and looks_off_topic(stripped),
        "greeting": bool(_GREETING.match(stripped)),
        "confirm_words": bool(_CONFIRM.match(stripped)),
        "order_id": bool(ORDER_ID.search(stripped)),
        "asks_for_person": bool(_HUMAN.search(stripped)),
        "alert_words": any(pattern.search(stripped) for pattern in _ALERT),
        "checkout_words": bool(_CHECKOUT.search(stripped)),
        "cart_context": state.cart,
        "cart_words": any(pattern.search(stripped) for pattern in _CART),
        "shown": bool(shown),
        "superlative": bool(_SUPERLATIVE.search(stripped)),
        "compare_words": bool(_COMPARE.search(stripped)),
        "question": bool(_QUESTION.search(stripped)),
        "refers_to_shown": bool(positions) or (bool(shown) and bool(
            _REFERS_TO_IT.search(stripped) or _POINTS_AT_SHOWN.search(stripped)) and (single or bool(positions))),
        "among_shown": bool(shown) and bool(_AMONG_SHOWN.search(stripped)),
        "refers_to_it": bool(_REFERS_TO_IT.search(stripped)),
        "order_context": state.order_id is not None,
        "order_talk": state.act == "order",
        "undo": bool(_UNDO.search(stripped)),
        "names_kind": kind is not None and kind.status == "matched",
        "names_other_kind": _other_kind(kind, shown),
        "kind_absent": kind is not None and kind.status == "absent",
        "order_words": bool(_ORDER_WORDS.search(stripped)),
        "my_orders": bool(_MY_ORDERS.search(stripped)),
        "policy_words": any(pattern.search(stripped) for pattern in _POLICY),
        "asks_for_products": asks_for_products(stripped) or any(pattern.search(stripped) for pattern in _ASKS),
        "states_preference": preference_request(stripped, False) is not None,
        "first_person": bool(_FIRST_PERSON.search(stripped)),
        "budget_words": bool(_BUDGET.search(stripped)),
        "refine_words": refining,
    }
    return frozenset(name for name, holds in found.items() if holds)


def understand(text: str, language: Language, state: DialogueState, shown: list[ShownItem],
               read_kind: KindReader | None, signed_in: bool, refining: bool) -> Understanding:
    """The message's one understanding, by rules; its act is 'other' where no rule is sure."""
    parsed = parse_query(text)
    kind = read_kind(text) if read_kind is not None and text.strip() else None
    features = features_of(text, state, shown, kind, parsed, signed_in, refining)
    act = decision_table().decide(features)
    positions = positions_named(text, shown)
    if not positions and len(shown) == 1 and "refers_to_shown" in features:
        positions = [0]
    order = ORDER_ID.search(text)
    references = References(
        shown=positions,
        all_shown="among_shown" in features or (act == "superlative" and not positions),
        order_id=f"#{order.group(1).upper()}" if order else state.order_id if "order_context" in features else None,
        cart=state.cart)
    return Understanding(
        text=text, language=language, act=act, features=sorted(features), kind=kind,
        constraints=_constraints(parsed, text), references=references, recipient=recipient_of(text),
        superlative=_superlative(text) if act == "superlative" else None,
        asked_about=_asked_about(text, language) if act == "shown_question" else "")


def planned(understanding: Understanding, plan: Plan) -> Understanding:
    """The understanding the LLM planner filled for a message the rules left open: its intent as the act, and the
    catalog type its search names (an enum of the catalog's types under guided decoding) as the kind."""
    types = next((list(call.arguments.get("product_type") or []) for call in plan.tool_calls
                  if call.name == "search_products"), [])
    kind = KindReading(asked=types[0].lower(), types=types, status="matched") if types else understanding.kind
    return understanding.model_copy(update={"act": INTENT_ACTS.get(plan.intent, "other"), "kind": kind,
                                            "producer": "llm"})
