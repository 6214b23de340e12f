"""POST /v1/chat: the same turn as the websocket, streamed as server-sent events, for clients without websockets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field, ValidationError

from serving.protocol import DoneFrame, ErrorFrame, HelloFrame, MessageFrame
from serving.services import Services
from serving.turns import INTERRUPTED, error_frame
from shopassist.errors import describe_error


class ChatRequest(HelloFrame, MessageFrame):  # type: ignore[misc]
    """One message, with the session and identity a websocket would send in `hello`."""

    type: str = Field("message", description="Ignored; present for symmetry with the websocket frame")


def sse(frame: BaseModel) -> str:
    return f"event: {frame.type}\ndata: {frame.model_dump_json()}\n\n"  # type: ignore[attr-defined]


def _closes(frame: BaseModel, client_message_id: str) -> bool:
    return isinstance(frame, DoneFrame | ErrorFrame) and frame.client_message_id == client_message_id


async def chat_sse(request: Request, services: Services) -> StreamingResponse | JSONResponse:
    body = await request.body()
    if len(body) > services.settings.max_frame_bytes:
        limit = services.settings.max_frame_bytes
        frame = error_frame("frame_too_large", f"Requests are limited to {limit} bytes.")
        return JSONResponse(frame.model_dump(), status_code=413)
    try:
        chat = ChatRequest.model_validate_json(body)
    except ValidationError as error:
        return JSONResponse(error_frame("bad_frame", f"Invalid request: {describe_error(error, 'body')}").model_dump(),
                            status_code=422)
    hello = HelloFrame(session_id=chat.session_id, token=chat.token, language=chat.language)
    message = MessageFrame(text=chat.text, client_message_id=chat.client_message_id, language=chat.language)
    conversation, session, errors = await services.open_session(hello)
    client_ip = request.client.host if request.client else "unknown"
    limited = await services.check_rate(conversation.id, client_ip, message.client_message_id)
    if limited is not None:
        return JSONResponse(limited.model_dump(), status_code=429)

    async def frames() -> AsyncIterator[str]:
        # What triggered since the shopper's last message comes first; the stream ends with the turn, so nothing
        # is pushed into it live (a notification claimed after `done` would be lost).
        held = await services.notifier.held(conversation.shopper_id, chat.language or conversation.language)
        with services.hub.subscribe(conversation.id) as queue:
            for frame in (*errors, session, *held):
                yield sse(frame)
            answer_follows = await services.turns.accept(conversation, message, queue.put_nowait, "sse")
            # A turn ends within its timeout; one watched on another replica whose answer never reaches this
            # one (Redis down) is reported interrupted: the resend then replays the stored answer.
            quiet_s = services.settings.turn_timeout_s + services.settings.turn_lease_s
            while answer_follows or not queue.empty():
                try:
                    frame = await asyncio.wait_for(queue.get(), quiet_s)
                except TimeoutError:
                    yield sse(error_frame("interrupted", INTERRUPTED, message.client_message_id))
                    return
                yield sse(frame)
                if _closes(frame, message.client_message_id):
                    return

    return StreamingResponse(frames(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
