"""Prompt files under prompts/, rendered with the registered tools; a content hash is the prompt version."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.base import Tool

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese (简体中文)"}


def read_prompt(name: str) -> str:
    return (PROMPTS_DIR / name).read_text(encoding="utf-8").strip()


def _type_name(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in schema:
        return _type_name(defs.get(schema["$ref"].rsplit("/", 1)[-1], {}), defs)
    if "enum" in schema:
        return "|".join(json.dumps(value, ensure_ascii=False) for value in schema["enum"])
    if "anyOf" in schema:
        return "|".join(_type_name(option, defs) for option in schema["anyOf"] if option.get("type") != "null")
    if schema.get("type") == "array":
        return f"list[{_type_name(schema.get('items', {}), defs)}]"
    return str(schema.get("type", "object"))


def describe_tool(tool: Tool[Any, Any]) -> str:
    """One compact line per tool plus one per documented argument; the grammar enforces the full schema."""
    schema = tool.input_model.model_json_schema()
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    arguments = []
    notes = []
    for name, field in schema.get("properties", {}).items():
        arguments.append(f"{name}{'' if name in required else '?'}: {_type_name(field, defs)}")
        if field.get("description"):
            notes.append(f"    {name}: {field['description']}")
    summary = tool.description.strip().splitlines()[0] if tool.description.strip() else ""
    return "\n".join([f"- {tool.name}({', '.join(arguments)}): {summary}", *notes])


def tool_hints(tools: list[Tool[Any, Any]]) -> str:
    names = {tool.name for tool in tools}
    lines = [line for line in read_prompt("tool_hints.md").splitlines()
             if line.startswith("- ") and line[2:].split(":", 1)[0] in names]
    return "\n".join(lines) or "- (no tools are available: answer only greetings and decline everything else)"


@dataclass(frozen=True)
class PromptSet:
    system: str
    answer: str
    follow_up: str
    version: str

    def answer_instruction(self, language: str) -> str:
        return self.answer.format(language=LANGUAGE_NAMES.get(language, "English"))

    def follow_up_instruction(self, repair: str = "") -> str:
        return self.follow_up.format(repair=repair).strip()


def build_prompts(tools: list[Tool[Any, Any]]) -> PromptSet:
    system = read_prompt("system.md").format(
        tool_catalog="\n".join(describe_tool(tool) for tool in tools) or "- (none)",
        tool_hints=tool_hints(tools),
    )
    answer, follow_up = read_prompt("answer.md"), read_prompt("follow_up.md")
    digest = hashlib.sha256("\x00".join((system, answer, follow_up)).encode()).hexdigest()[:12]
    return PromptSet(system=system, answer=answer, follow_up=follow_up, version=f"prompts-{digest}")

