"""SCRIPTED OpenAI-compatible server for tests (a real HTTP process, canned replies): `python -m
tests.evals.openai_stub PORT`. Plan requests (with a response_format) get an off-topic plan; others a fixed answer."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

ANSWER = "I can only help with shopping in our store."
PLAN = json.dumps({"intent": "off_topic", "tool_calls": [], "clarifying_question": ""})
app = FastAPI()
served = {"requests": 0}


def _chunk(content: str | None, finish: str | None) -> str:
    delta = {"role": "assistant", "content": content} if content is not None else {}
    body = {"id": "stub", "object": "chat.completion.chunk", "created": int(time.time()), "model": "stub",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body)}\n\n"


@app.post("/v1/chat/completions")
async def completions(request: Request) -> Any:
    body = await request.json()
    served["requests"] += 1
    content = PLAN if body.get("response_format") else ANSWER
    if body.get("stream"):
        def events() -> Iterator[str]:
            yield _chunk(content, None)
            yield _chunk(None, "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")
    return JSONResponse({"id": "stub", "object": "chat.completion", "created": int(time.time()), "model": "stub",
                         "choices": [{"index": 0, "finish_reason": "stop",
                                      "message": {"role": "assistant", "content": content}}],
                         "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})


@app.get("/stats")
async def stats() -> dict[str, int]:
    return served


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
