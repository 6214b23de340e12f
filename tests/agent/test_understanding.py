"""One understanding per message: the act (a named kind beats another act's keyword), constraints, references to
what was shown, and the order a follow-up means."""

from __future__ import annotations

from agent.allowed import AllowedValues
from agent.state import DialogueState, Plan, ShownItem, ToolCall
from agent.turn_facts import kind_reader
from agent.understanding import KindReading, Understanding, planned, understand
from tools.search import SEARCH_PRODUCTS

SHOWN = [ShownItem(id="p1", title="Ridge Chair", price=199.0, category="Office Chairs"),
         ShownItem(id="p2", title="Aero Chair", price=149.0, category="Office Chairs"),
         ShownItem(id="p3", title="Flex Chair", price=249.0, category="Office Chairs")]
KINDS = {"chair": ["Office Chairs"], "tent": ["Tents"], "backpack": ["Backpacks"], "watch": ["Smartwatches"],
         "keyboard": ["Keyboards"], "耳机": ["Headphones"], "跑鞋": ["Road Running"], "shoes": ["Road Running"]}


def read_kind(text: str) -> KindReading | None:
    """A catalog with the kinds above: a message naming one matches it."""
    found = [(word, types) for word, types in KINDS.items() if word in text.lower()]
    return KindReading(asked=found[0][0], types=found[0][1], status="matched") if found else None


def read(text: str, shown: list[ShownItem] | None = None, state: DialogueState | None = None,
         signed_in: bool = True) -> Understanding:
    language = "zh" if any("\u4e00" <= char <= "\u9fff" for char in text) else "en"
    return understand(text, language, state or DialogueState(), shown or [], read_kind, signed_in=signed_in,
                      refining=False)


def test_a_named_kind_beats_the_keywords_of_other_acts() -> None:
    for text in ("I'd like to order a tent for 2 people", "my budget is $80 for a backpack",
                 "a chair with proper lumbar support", "I want a watch that tracks my runs with GPS"):
        assert read(text).act == "search", text
    assert read("where is my order?").act == "order"
    assert read("can I speak to a real human please").act == "handoff"
    assert read("order #W1234567 has a tent in it, where is it?").act == "order"


def test_constraints_are_read_once_chinese_numerals_and_size_systems_included() -> None:
    budget = read("两百块以内的耳机").constraints
    assert (budget.price_max, budget.currency) == (200.0, "CNY")
    assert read("my budget is $80 for a backpack").constraints.price_max == 80.0
    shoes = read("EU 42 running shoes")
    assert (shoes.constraints.sizes, shoes.constraints.size_asked) == (["42", "8.5", "9"], "EU 42")
    assert read("推荐跑鞋，预算三百").constraints.price_max == 300.0


def test_questions_about_what_was_shown_resolve_their_references() -> None:
    question = read("does the second one have lumbar support?", SHOWN)
    assert (question.act, question.references.shown, question.asked_about) == ("shown_question", [1],
                                                                             "lumbar support")
    assert [item.id for item in question.shown_items(SHOWN)] == ["p2"]
    lightest = read("which of these is the lightest?", SHOWN)
    assert (lightest.act, lightest.superlative, lightest.references.all_shown) == ("superlative", "weight_asc", True)
    cheaper = read("the cheaper one of the first two please", SHOWN)
    assert (cheaper.act, cheaper.superlative, cheaper.references.shown) == ("superlative", "price_asc", [0, 1])
    assert read("is the first one made of cotton?", SHOWN).asked_about == "cotton"
    navy = read("第一个有藏青色的吗", SHOWN)
    assert (navy.act, navy.references.shown, navy.asked_about) == ("shown_question", [0], "藏青色")
    assert read("do you have it in blue?").act == "unclear"  # nothing shown: which product?


def test_follow_ups_resolve_to_the_order_or_cart_just_shown() -> None:
    after_order = DialogueState(order_id="#W2222222", act="order")
    cancel = read("cancel it", state=after_order)
    assert (cancel.act, cancel.references.order_id) == ("order", "#W2222222")
    assert read("ok, check out", state=DialogueState(cart=True, act="cart")).act == "checkout"
    assert read("ok, check out").act == "checkout"
    assert read("check out these tents").act == "search"


def test_statements_are_preferences_and_requests_are_searches() -> None:
    assert read("I wear size 10").act == "preference"
    assert read("I wear size 10, show me running shoes").act == "search"
    assert read("just so you know, I don't wear leather").act == "preference"
    assert read("I'm a size 8 in shoes").act == "preference"
    assert read("running shoes, no leather").act == "search"


def test_the_llm_planner_fills_the_same_understanding_with_a_catalog_type() -> None:
    plan = Plan(intent="product_search", tool_calls=[
        ToolCall(name="search_products", arguments={"query": "something cosy", "product_type": ["Hoodies"]})])
    filled = planned(read("something cosy for the weekend"), plan)
    assert (filled.act, filled.producer) == ("search", "llm")
    assert filled.kind is not None and (filled.kind.types, filled.kind.status) == (["Hoodies"], "matched")
    allowed = AllowedValues.gather(["something cosy"], [], [], [], [], [], types=["Hoodies", "Tents"])
    schema = allowed.constrain(SEARCH_PRODUCTS.input_model.model_json_schema())
    assert schema is not None and schema["properties"]["product_type"] == {
        "type": "array", "items": {"enum": ["Hoodies", "Tents"]}}
    invented = ToolCall(name="search_products", arguments={"query": "x", "product_type": ["Sofas"]})
    assert allowed.violations(invented) == ["product_type"]


def test_a_search_index_that_cannot_load_reads_no_kind_and_fails_nothing() -> None:
    def chroma_down() -> object:
        raise ConnectionError("the Chroma server is down")

    assert kind_reader(chroma_down)("a tent for two") is None  # type: ignore[arg-type]
