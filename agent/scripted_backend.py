"""TEST/BENCH BACKEND ONLY (llm_backend='scripted'): no model; canned tokens at a set rate, deterministic tools.

Serving tests and `bench serve` use it to measure everything except the LLM. It plans one call of the first
tool that takes a `query` string (with the shopper's words) and then answers with a fixed sentence.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

CANNED_ANSWER = "Here is what I found for you in our shop. Tell me what else you are looking for."


def _query_tool(schema: dict[str, Any]) -> str | None:
    shapes = schema["properties"]["tool_calls"].get("items", {}).get("anyOf", [])
    for shape in shapes:
        arguments = shape["properties"]["arguments"]
        if arguments.get("properties", {}).get("query", {}).get("type") == "string":
            return str(shape["properties"]["name"]["const"])
    return None


def scripted_plan(schema: dict[str, Any], shopper_text: str) -> str:
    """The first plan calls the query tool once; follow-up plans (no `intent` field) call nothing."""
    if "intent" not in schema["properties"]:
        return json.dumps({"tool_calls": []})
    tool = _query_tool(schema)
    calls = [{"name": tool, "arguments": {"query": shopper_text[:200]}}] if tool else []
    return json.dumps({"about_this_shop": True, "intent": "product_search", "tool_calls": calls})


class ScriptedBenchModel(BaseChatModel):
    """Deterministic stand-in for an LLM that streams CANNED_ANSWER word by word at `tokens_per_s`."""

    tokens_per_s: float = 50.0

    @property
    def _llm_type(self) -> str:
        return "scripted-bench"

    def _text(self, messages: list[BaseMessage], response_format: dict[str, Any] | None) -> str:
        if response_format:
            shopper = next((str(m.content) for m in reversed(messages) if m.type == "human"), "")
            return scripted_plan(response_format["json_schema"]["schema"], shopper)
        return CANNED_ANSWER

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        text = self._text(messages, kwargs.get("response_format"))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    async def _agenerate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                         run_manager: AsyncCallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        # Natively async like the real backends' clients; the base class would hop to a thread for every plan.
        return self._generate(messages, stop, **kwargs)

    def _tokens(self, messages: list[BaseMessage], **kwargs: Any) -> list[str]:
        words = self._text(messages, kwargs.get("response_format")).split(" ")
        return [word if index == 0 else " " + word for index, word in enumerate(words)]

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for token in self._tokens(messages, **kwargs):
            time.sleep(1.0 / self.tokens_per_s)
            yield ChatGenerationChunk(message=AIMessageChunk(content=token))

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: AsyncCallbackManagerForLLMRun | None = None,
                       **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        for token in self._tokens(messages, **kwargs):
            await asyncio.sleep(1.0 / self.tokens_per_s)
            yield ChatGenerationChunk(message=AIMessageChunk(content=token))
