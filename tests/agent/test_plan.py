"""The plan schema built from the tools, the prompts rendered from them, and plan parsing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from agent.plan import PlanParseError, follow_up_schema, parse_plan, plan_schema
from agent.prompts import build_prompts
from tests.agent.fakes import FAKE_TOOLS, SEARCH
from tools.base import Tool
from tools.registry import ALL_TOOLS


class Address(BaseModel):
    city: str


class ShipInput(BaseModel):
    address: Address


SHIP = Tool("ship", "Ship it.", ShipInput, lambda context, arguments: arguments)


def test_schema_has_one_call_shape_per_tool() -> None:
    schema = plan_schema(FAKE_TOOLS)
    shapes = schema["properties"]["tool_calls"]["items"]["anyOf"]
    assert [shape["properties"]["name"]["const"] for shape in shapes] == [tool.name for tool in FAKE_TOOLS]
    assert list(schema["properties"]) == ["about_this_shop", "intent", "tool_calls"]
    assert list(follow_up_schema(FAKE_TOOLS)["properties"]) == ["tool_calls"]


def test_follow_up_steps_offer_only_chaining_tools() -> None:
    follow_up = follow_up_schema(ALL_TOOLS)["properties"]["tool_calls"]["items"]["anyOf"]
    offered = {shape["properties"]["name"]["const"] for shape in follow_up}
    assert "get_product_details" in offered and "get_order_details" in offered
    assert not offered & {"search_products", "recommend_products", "search_faq", "review_insights"}


def test_nested_definitions_are_hoisted_with_tool_prefix() -> None:
    schema = plan_schema([SHIP])
    arguments = schema["properties"]["tool_calls"]["items"]["anyOf"][0]["properties"]["arguments"]
    assert arguments["properties"]["address"]["$ref"] == "#/$defs/ship__Address"
    assert "ship__Address" in schema["$defs"]


def test_schema_without_tools_allows_no_calls() -> None:
    assert plan_schema([])["properties"]["tool_calls"]["maxItems"] == 0


def test_schema_for_every_registered_tool_is_json() -> None:
    json.dumps(plan_schema(ALL_TOOLS))


def test_parse_plan_maps_off_topic_flag() -> None:
    plan = parse_plan('{"about_this_shop": false, "intent": "product_search", "tool_calls": []}')
    assert plan.intent == "off_topic" and plan.raw.startswith("{")


@pytest.mark.parametrize("text", ["", "[1, 2]", '{"tool_calls": "x"}', "{not json"])
def test_parse_plan_rejects_garbage(text: str) -> None:
    with pytest.raises(PlanParseError):
        parse_plan(text)


def test_prompts_list_tools_and_only_fitting_examples() -> None:
    prompts = build_prompts([SEARCH])
    assert "- search_products(query: string, max_price?: number)" in prompts.system
    assert '"name":"search_products"' in prompts.system  # the search example fits this tool
    assert "search_faq" not in prompts.system and "recommend_products" not in prompts.system


def test_example_with_wrong_arguments_is_dropped() -> None:
    class OtherSearch(BaseModel):
        text: str

    tool: Tool[Any, Any] = Tool("search_products", "Search.", OtherSearch, lambda context, arguments: arguments)
    assert '"name":"search_products"' not in build_prompts([tool]).system


def test_prompt_version_follows_content() -> None:
    assert build_prompts([SEARCH]).version == build_prompts([SEARCH]).version
    assert build_prompts([SEARCH]).version != build_prompts(FAKE_TOOLS).version


def test_llama_grammar_compiles_for_every_registered_tool() -> None:
    from llama_cpp.llama_grammar import LlamaGrammar

    for schema in (plan_schema(ALL_TOOLS), follow_up_schema(ALL_TOOLS)):
        LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
