"""The JSON schema the understand step must follow (built from the tools' input models) and its parsing."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from agent.allowed import AllowedValues
from agent.state import Plan
from tools.base import Tool

INTENTS = [
    "product_search", "recommendation", "comparison", "product_question", "policy_question",
    "order_or_account", "cart", "human_agent", "greeting", "off_topic", "other",
]
MAX_CALLS_PER_STEP = 3
ON_TOPIC = "about_this_shop"


def _rename_refs(node: Any, prefix: str) -> Any:
    if isinstance(node, dict):
        return {key: (f"#/$defs/{prefix}{value.rsplit('/', 1)[-1]}" if key == "$ref" and isinstance(value, str)
                      else _rename_refs(value, prefix)) for key, value in node.items()}
    if isinstance(node, list):
        return [_rename_refs(item, prefix) for item in node]
    return node


# Length and pattern limits unroll into huge grammars (llama.cpp refuses maxLength 2000); the tool's pydantic
# model still enforces them, and a violation is fed back to the model as an argument error.
_GRAMMAR_UNFRIENDLY = {"maxLength", "minLength", "pattern", "maxItems", "minItems", "title"}


def _loosen(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _loosen(value) for key, value in node.items()
                if key not in _GRAMMAR_UNFRIENDLY or not isinstance(value, int | str)}
    if isinstance(node, list):
        return [_loosen(item) for item in node]
    return node


def _call_schemas(tools: list[Tool[Any, Any]], allowed: AllowedValues | None) -> tuple[list[dict[str, Any]],
                                                                                       dict[str, Any]]:
    """One `{"name": const, "arguments": schema}` shape per tool; nested $defs hoisted with per-tool names. With
    `allowed`, id-like arguments become enums of known values and tools that would need an unknown one are left out."""
    shapes, defs = [], {}
    for tool in tools:
        prefix = f"{tool.name}__"
        arguments: dict[str, Any] | None = _loosen(_rename_refs(tool.input_model.model_json_schema(), prefix))
        if allowed is not None and arguments is not None:
            arguments = allowed.constrain(arguments)
        if arguments is None:
            continue
        for name, definition in arguments.pop("$defs", {}).items():
            defs[prefix + name] = definition
        shapes.append({
            "type": "object",
            "properties": {"name": {"const": tool.name}, "arguments": arguments},
            "required": ["name", "arguments"],
        })
    return shapes, defs


def _calls_array(shapes: list[dict[str, Any]]) -> dict[str, Any]:
    if not shapes:
        return {"type": "array", "maxItems": 0, "items": {"type": "object"}}
    return {"type": "array", "maxItems": MAX_CALLS_PER_STEP, "items": {"anyOf": shapes}}


def plan_schema(tools: list[Tool[Any, Any]], allowed: AllowedValues | None = None) -> dict[str, Any]:
    shapes, defs = _call_schemas(tools, allowed)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            # A yes/no question first: small models separate off-topic requests far better this way.
            ON_TOPIC: {"type": "boolean"},
            "intent": {"enum": INTENTS},
            "tool_calls": _calls_array(shapes),
        },
        "required": [ON_TOPIC, "intent", "tool_calls"],
    }
    if defs:
        schema["$defs"] = defs
    return schema


def follow_up_schema(tools: list[Tool[Any, Any]], allowed: AllowedValues | None = None) -> dict[str, Any]:
    """After tool results only the next calls are needed (a shorter output is a faster step), of chaining tools."""
    shapes, defs = _call_schemas([tool for tool in tools if not tool.discovery], allowed)
    schema: dict[str, Any] = {
        "type": "object", "properties": {"tool_calls": _calls_array(shapes)}, "required": ["tool_calls"],
    }
    if defs:
        schema["$defs"] = defs
    return schema


def response_format(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAI `json_schema` response format: vLLM turns it into guided decoding, llama.cpp into a grammar."""
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}


class PlanParseError(ValueError):
    """The model's output is not a JSON plan."""


def parse_plan(text: str, intent: str = "other") -> Plan:
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise PlanParseError(f"expected a JSON object, got {type(data).__name__}")
        data.setdefault("intent", intent)
        if data.pop(ON_TOPIC, True) is False:
            data["intent"] = "off_topic"
        return Plan.model_validate({**data, "raw": text})
    except (json.JSONDecodeError, ValidationError) as error:
        raise PlanParseError(str(error).splitlines()[0]) from error
