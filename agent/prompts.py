"""Prompt files under prompts/, rendered with the registered tools; a content hash is the prompt version."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tools.base import Tool

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese (简体中文)"}


def read_prompt(name: str, folder: Path = PROMPTS_DIR) -> str:
    return (folder / name).read_text(encoding="utf-8").strip()


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
    """One compact line per tool; the grammar enforces the full argument schema."""
    schema = tool.input_model.model_json_schema()
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    arguments = [f"{name}{'' if name in required else '?'}: {_type_name(field, defs)}"
                 for name, field in schema.get("properties", {}).items()]
    summary = tool.description.strip().splitlines()[0] if tool.description.strip() else ""
    return f"- {tool.name}({', '.join(arguments)}): {summary}"


def _shorten(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def argument_notes(tools: list[Tool[Any, Any]]) -> str:
    """Each distinct argument description once: many tools share order ids, item ids and the like."""
    notes: dict[str, None] = {}
    for tool in tools:
        for name, field in tool.input_model.model_json_schema().get("properties", {}).items():
            if field.get("description"):
                notes[f"- {name}: {_shorten(field['description'])}"] = None
    return "\n".join(notes)


def tool_catalog(tools: list[Tool[Any, Any]]) -> str:
    if not tools:
        return "- (none)"
    return "\n".join(describe_tool(tool) for tool in tools) + "\nArguments:\n" + argument_notes(tools)


def tool_hints(tools: list[Tool[Any, Any]], folder: Path = PROMPTS_DIR) -> str:
    names = {tool.name for tool in tools}
    lines = [line for line in read_prompt("tool_hints.md", folder).splitlines()
             if line.startswith("- ") and line[2:].split(":", 1)[0] in names]
    return "\n".join(lines) or "- (no tools are available: answer only greetings and decline everything else)"


def _example_fits(plan: dict[str, Any], tools: dict[str, Tool[Any, Any]]) -> bool:
    """An example is shown only if every call in it is valid for the registered tools."""
    for call in plan["tool_calls"]:
        tool = tools.get(call["name"])
        if tool is None:
            return False
        try:
            tool.input_model.model_validate(call["arguments"])
        except ValidationError:
            return False
    return True


def examples(tools: list[Tool[Any, Any]], folder: Path = PROMPTS_DIR) -> str:
    by_name = {tool.name: tool for tool in tools}
    shown = []
    for line in read_prompt("examples.jsonl", folder).splitlines():
        example = json.loads(line)
        if _example_fits(example["plan"], by_name):
            plan = json.dumps(example["plan"], ensure_ascii=False, separators=(",", ":"))
            shown.append(f"Shopper: {example['shopper']}\nPLAN: {plan}")
    return "\n".join(shown)


@dataclass(frozen=True)
class PromptSet:
    system: str
    answer: str
    advice: str
    no_tools: str
    follow_up: str
    version: str

    def answer_instruction(self, language: str, used_tools: bool, facts: str, advice_sentences: int | None) -> str:
        """`advice_sentences`: the model only adds advice after the facts; None: it writes the answer from them."""
        name = LANGUAGE_NAMES.get(language, "English")
        if not used_tools:
            return self.no_tools.format(language=name)
        if advice_sentences is not None:
            return self.advice.format(language=name, facts=facts, sentences=advice_sentences)
        return self.answer.format(language=name, facts=facts)

    def follow_up_instruction(self, repair: str = "") -> str:
        return self.follow_up.format(repair=repair).strip()


def build_prompts(tools: list[Tool[Any, Any]], folder: Path = PROMPTS_DIR) -> PromptSet:
    """`folder`: prompts/ by default; the replay harness passes a candidate folder with the same file names."""
    system = read_prompt("system.md", folder).format(
        tool_catalog=tool_catalog(tools),
        tool_hints=tool_hints(tools, folder),
        examples=examples(tools, folder),
    )
    answer, advice = read_prompt("answer.md", folder), read_prompt("advice.md", folder)
    no_tools, follow_up = read_prompt("no_tools.md", folder), read_prompt("follow_up.md", folder)
    # The answer templates are part of what the shopper reads: a change to them is a new prompt version too.
    templates = [path.read_text(encoding="utf-8") for path in sorted((folder / "answers").glob("*.toml"))]
    parts = (system, answer, advice, no_tools, follow_up, *templates)
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:12]
    return PromptSet(system=system, answer=answer, advice=advice, no_tools=no_tools, follow_up=follow_up,
                     version=f"prompts-{digest}")

