"""Websocket /ws/chat: one connection = one reader loop plus one writer draining the conversation's frames."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ValidationError

from serving import conversations as store
from serving import metrics
from serving.actions import resolve_action
from serving.behaviour import handle_event
from serving.conversations import Conversation, ConversationError
from serving.logs import event
from serving.protocol import (
    ConfirmFrame,
    EventFrame,
    FeedbackFrame,
    HelloFrame,
    MessageFrame,
    PingFrame,
    PongFrame,
    RejectFrame,
    client_frames,
)
from serving.services import Services
from serving.turns import error_frame
from shopassist.errors import describe_error


def origin_allowed(allowed: list[str], origin: str | None) -> bool:
    return "*" in allowed or origin is None or origin in allowed


class ChatConnection:
    def __init__(self, websocket: WebSocket, services: Services) -> None:
        self.ws = websocket
        self.services = services
        self.client_ip = websocket.client.host if websocket.client else "unknown"
        self.conversation: Conversation | None = None
        self.queue: asyncio.Queue[BaseModel] | None = None

    def reply(self, frame: BaseModel) -> None:
        assert self.queue is not None
        self.queue.put_nowait(frame)

    async def run(self) -> None:
        limit = self.services.settings.max_frame_bytes
        with contextlib.ExitStack() as stack:
            writer: asyncio.Task[None] | None = None
            try:
                while True:
                    message = await self.ws.receive()
                    if message["type"] == "websocket.disconnect":
                        break
                    raw: str | bytes = message.get("text") or message.get("bytes") or b""
                    size = len(raw.encode() if isinstance(raw, str) else raw)
                    frame = None
                    if size > limit:
                        problem: BaseModel | None = error_frame("frame_too_large",
                                                                f"Frames are limited to {limit} bytes.")
                    else:
                        frame, problem = _parse(raw)
                    if self.conversation is None:
                        hello = frame if isinstance(frame, HelloFrame) else HelloFrame()
                        await self._open(hello, stack)
                        writer = asyncio.create_task(self._write())
                        if isinstance(frame, HelloFrame):
                            frame = None
                    if problem is not None:
                        self.reply(problem)
                    elif frame is not None:
                        await self._handle(frame)
            except WebSocketDisconnect:
                pass
            finally:
                if writer is not None:
                    writer.cancel()

    async def _open(self, hello: HelloFrame, stack: contextlib.ExitStack) -> None:
        conversation, session, errors = await self.services.open_session(hello)
        self.conversation = conversation
        self.queue = stack.enter_context(self.services.hub.subscribe(conversation.id))
        for error in errors:
            self.reply(error)
        self.reply(session)
        notifier, language = self.services.notifier, hello.language or conversation.language  # as the shopper reads now
        for held in await notifier.held(conversation.shopper_id, language):
            self.reply(held)
        stack.enter_context(notifier.listen(conversation.shopper_id, language, self.reply))
        if conversation.resumed:
            await self.services.turns.report_pending(conversation.id, self.reply)
        event("session", conversation=conversation.id, resumed=conversation.resumed,
              authenticated=conversation.shopper_id is not None, transport="websocket")

    async def _write(self) -> None:
        assert self.queue is not None
        with contextlib.suppress(Exception):
            while True:
                frame = await self.queue.get()
                await self.ws.send_text(frame.model_dump_json())

    async def _handle(self, frame: Any) -> None:
        assert self.conversation is not None
        conversation = self.conversation
        if isinstance(frame, MessageFrame):
            limited = await self.services.check_rate(conversation.id, self.client_ip, frame.client_message_id)
            if limited is not None:
                self.reply(limited)
                return
            await self.services.turns.accept(conversation, frame, self.reply, "websocket")
        elif isinstance(frame, ConfirmFrame | RejectFrame):
            self.reply(await resolve_action(self.services, conversation, frame))
        elif isinstance(frame, FeedbackFrame):
            try:
                await store.in_db_thread(self.services.db, store.store_feedback, conversation.id, frame.message_id,
                                        frame.rating, frame.comment)
            except ConversationError as error:
                self.reply(error_frame(error.code, error.message))
            else:
                turns = self.services.turns
                attribution = turns.recent.of(conversation.id, conversation.shopper_id, conversation.language)
                turns.attribution.add([attribution.event(kind=f"thumbs_{frame.rating}")])
        elif isinstance(frame, EventFrame):
            problem = await handle_event(self.services, conversation, frame)
            if problem is not None:
                self.reply(problem)
        elif isinstance(frame, PingFrame):
            self.reply(PongFrame())
        elif isinstance(frame, HelloFrame):
            self.reply(error_frame("bad_frame", "`hello` must be the first frame of a connection."))


def _parse(raw: str | bytes) -> tuple[Any, BaseModel | None]:
    try:
        return client_frames.validate_json(raw), None
    except ValidationError as error:
        return None, error_frame("bad_frame", f"Invalid frame: {describe_error(error, 'frame')}")


async def chat_socket(websocket: WebSocket, services: Services) -> None:
    if not origin_allowed(services.settings.allowed_origins, websocket.headers.get("origin")):
        await websocket.close(code=1008)
        return
    await websocket.accept()
    metrics.OPEN_SOCKETS.labels("chat").inc()
    try:
        await ChatConnection(websocket, services).run()
    finally:
        metrics.OPEN_SOCKETS.labels("chat").dec()
