"""TEST/BENCH SERVER ONLY: the scripted backend behind the OpenAI-compatible protocol, as its own process.

`python -m agent.scripted_server --port 8001 --tokens-per-s 50` stands in for vLLM in `shopassist cluster` (load
and fault tests): the replicas talk to it with the real `openai` backend, so killing it is killing an LLM server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from agent.scripted_backend import ScriptedBenchModel

MODEL = "scripted-bench"


def _chunk(content: str | None, finish: str | None) -> str:
    delta = {"role": "assistant", "content": content} if content is not None else {}
    body = {"id": "scripted", "object": "chat.completion.chunk", "created": int(time.time()), "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body)}\n\n"


def create_app(tokens_per_s: float) -> FastAPI:
    model = ScriptedBenchModel(tokens_per_s=tokens_per_s)
    app = FastAPI()

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": MODEL, "object": "model"}]}

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> Any:
        body = await request.json()
        messages: list[BaseMessage] = [HumanMessage(m.get("content") or "") if m.get("role") == "user"
                                       else SystemMessage(m.get("content") or "") for m in body.get("messages", [])]
        response_format = body.get("response_format")
        if not body.get("stream"):
            text = model._text(messages, response_format)
            return JSONResponse({"id": "scripted", "object": "chat.completion", "created": int(time.time()),
                                 "model": MODEL, "choices": [{"index": 0, "finish_reason": "stop",
                                                              "message": {"role": "assistant", "content": text}}],
                                 "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

        async def events() -> AsyncIterator[str]:
            for token in model._tokens(messages, response_format=response_format):
                await asyncio.sleep(1.0 / tokens_per_s)
                yield _chunk(token, None)
            yield _chunk(None, "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tokens-per-s", type=float, default=50.0)
    arguments = parser.parse_args()
    uvicorn.run(create_app(arguments.tokens_per_s), host=arguments.host, port=arguments.port, log_level="warning",
                access_log=False)


if __name__ == "__main__":
    main()
