"""The OpenAI-compatible backend (vLLM) on the wire: JSON-schema response_format for plans, SSE for answers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from langchain_openai import ChatOpenAI

from agent.llm import build_chat_model
from agent.runner import AgentRunner, TurnRequest
from commerce.db import Database
from shopassist.settings import Settings
from tests.agent.fakes import FAKE_TOOLS
from tests.evals import openai_stub
from tests.serving.live import live_server


def _completion(content: str) -> dict[str, Any]:
    return {"id": "c", "object": "chat.completion", "created": 0, "model": "qwen",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def _sse(words: list[str]) -> bytes:
    chunks = [{"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "qwen",
               "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}]} for word in words]
    return "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks).encode() + b"data: [DONE]\n\n"


class FakeVllm:
    """An in-memory OpenAI-compatible endpoint recording the requests it gets."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        if "response_format" in body:
            schema = body["response_format"]["json_schema"]["schema"]
            plan = ({"about_this_shop": True, "intent": "product_search",
                     "tool_calls": [{"name": "search_products", "arguments": {"query": "boots"}}]}
                    if "intent" in schema["properties"] else {"tool_calls": []})
            return httpx.Response(200, json=_completion(json.dumps(plan)))
        return httpx.Response(200, content=_sse(["Two", " boots."]), headers={"content-type": "text/event-stream"})


def test_plan_uses_json_schema_and_answer_streams(monkeypatch: pytest.MonkeyPatch, tmp_settings: Settings,
                                                  database: Database) -> None:
    monkeypatch.undo()  # this test talks to an in-memory endpoint, not a real model
    server = FakeVllm()
    model = ChatOpenAI(model="qwen", base_url="http://vllm.test/v1", api_key="EMPTY", temperature=0,
                       http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(server)),
                       http_client=httpx.Client(transport=httpx.MockTransport(server)))
    settings = tmp_settings.model_copy(update={"llm_backend": "openai", "agent_answer": "model"})
    runner = AgentRunner(settings, database, model=model, tools=FAKE_TOOLS)

    async def collect() -> list[Any]:
        return [e async for e in runner.stream(TurnRequest(text="boots", conversation_id="c")) if e.type != "status"]

    events = asyncio.run(collect())
    assert [e.type for e in events][:2] == ["tool_call", "products"] and events[-1].text == "Two boots."
    plan_request, answer = server.requests  # one planned step a turn, then the answer
    assert plan_request["response_format"]["type"] == "json_schema"
    assert plan_request["response_format"]["json_schema"]["name"] == "plan"
    assert answer["stream"] is True and "response_format" not in answer


def test_openai_backend_works_from_one_event_loop_to_the_next(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_settings: Settings) -> None:
    """Evals and scripts run turns under successive `asyncio.run` loops; a pooled connection must not outlive one."""
    monkeypatch.undo()  # a real HTTP server process below, with canned replies
    with live_server(openai_stub.app) as url:
        model = build_chat_model(tmp_settings.model_copy(update={"llm_backend": "openai", "llm_base_url": f"{url}/v1"}))
        replies = [asyncio.run(model.ainvoke("hi")).content for _ in range(3)]
    assert replies == [openai_stub.ANSWER] * 3


def test_a_slow_first_chunk_is_bounded_by_our_timeout_not_the_librarys(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_settings: Settings) -> None:
    """A cold vLLM-on-CPU prefill sends nothing for minutes; langchain-openai's own chunk timeout must not cut it."""
    from fastapi import FastAPI
    from fastapi.responses import StreamingResponse

    monkeypatch.undo()  # a real HTTP server process below, with a canned, late answer
    monkeypatch.setenv("LANGCHAIN_OPENAI_STREAM_CHUNK_TIMEOUT_S", "0.3")  # the library's limit, shortened
    slow = FastAPI()

    @slow.post("/v1/chat/completions")
    async def completions() -> StreamingResponse:
        async def late_answer() -> Any:
            await asyncio.sleep(1.0)
            yield _sse(["Two", " boots."])

        return StreamingResponse(late_answer(), media_type="text/event-stream")

    with live_server(slow) as url:
        settings = tmp_settings.model_copy(update={"llm_backend": "openai", "llm_base_url": f"{url}/v1",
                                                   "llm_timeout_s": 10.0})
        chunks = asyncio.run(_collect(build_chat_model(settings).astream("hi")))
    assert "".join(chunks) == "Two boots."


async def _collect(stream: Any) -> list[str]:
    return [str(chunk.content) async for chunk in stream]
