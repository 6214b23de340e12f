"""The chat protocol in one place: client→server and server→client frames, and their generated JSON schema."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from agent.events import (
    ActionRequiredEvent,
    Citation,
    CitationsEvent,
    DoneEvent,
    ErrorEvent,
    HandoffEvent,
    PreferenceNotedEvent,
    PriceHistoryEvent,
    ProductCard,
    ProductsEvent,
    StatusEvent,
    TokenEvent,
    ToolCallEvent,
)
from agent.state import DialogueState

PROTOCOL_VERSION = "1"
ConversationState = Literal["bot", "queued", "human"]


class ClientModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HelloFrame(ClientModel):
    """Optional first frame: resume a session and/or present the shop-signed shopper token."""

    type: Literal["hello"] = "hello"
    session_id: str | None = Field(None, max_length=64, description="From an earlier `session` frame")
    token: str | None = Field(None, max_length=1024, description="HMAC token the host shop signed for its shopper")
    language: Literal["en", "zh"] | None = None


class MessageFrame(ClientModel):
    type: Literal["message"] = "message"
    text: str = Field(min_length=1, description="What the shopper typed")
    client_message_id: str = Field(min_length=1, max_length=128,
                                   description="Unique per message; a resend with the same id is not run twice")
    language: Literal["en", "zh"] | None = None


class ConfirmFrame(ClientModel):
    type: Literal["confirm"] = "confirm"
    action_id: str = Field(min_length=1, max_length=64)


class RejectFrame(ClientModel):
    type: Literal["reject"] = "reject"
    action_id: str = Field(min_length=1, max_length=64)


class FeedbackFrame(ClientModel):
    type: Literal["feedback"] = "feedback"
    message_id: int = Field(description="`message_id` of the assistant's `done` frame")
    rating: Literal["up", "down"]
    comment: str = Field("", max_length=2000)


class EventFrame(ClientModel):
    """Something the shopper did with a product card, recorded for their profile (signed-in shoppers who allow
    personalization only; otherwise ignored). No reply unless it fails."""

    type: Literal["event"] = "event"
    kind: Literal["view", "click", "add_to_cart"]
    product_id: str = Field(min_length=1, max_length=64, description="A product card's `id`, e.g. 'p_shirt'")


class PingFrame(ClientModel):
    type: Literal["ping"] = "ping"


ClientFrame = Annotated[
    HelloFrame | MessageFrame | ConfirmFrame | RejectFrame | FeedbackFrame | EventFrame | PingFrame,
    Field(discriminator="type"),
]


class HistoryItem(BaseModel):
    message_id: int
    role: Literal["user", "assistant", "operator"]
    text: str
    client_message_id: str | None = None
    products: list[ProductCard] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    error: str = Field("", description="Error code when that turn failed")
    searched: str = Field("", exclude=True, description="The query of the search that showed `products`; the "
                          "agent refines it, clients never see it")
    dialogue: DialogueState | None = Field(None, exclude=True, description="The dialogue state that turn left for "
                                           "the next; clients never see it")


class SessionFrame(BaseModel):
    """First server frame of a connection: the session to keep (e.g. in localStorage) and its history."""

    type: Literal["session"] = "session"
    session_id: str
    resumed: bool
    authenticated: bool = Field(description="A valid shopper token was presented: orders and cart are unlocked")
    state: ConversationState
    history: list[HistoryItem] = Field(default_factory=list)
    protocol: str = PROTOCOL_VERSION


class AckFrame(BaseModel):
    """A `message` was stored; `duplicate` when its client_message_id was seen before (nothing runs twice)."""

    type: Literal["ack"] = "ack"
    client_message_id: str
    message_id: int
    duplicate: bool = False


class DoneFrame(DoneEvent):
    """Closes a turn; `message_id` is what `feedback` refers to."""

    message_id: int
    client_message_id: str


class ErrorFrame(ErrorEvent):
    """Codes: bad_frame, frame_too_large, rate_limited, too_many_streams, turn_timeout, identity_required,
    token_invalid, token_expired, session_forbidden, not_found, action_failed, unknown_product and
    events_rate_limited (an `event` frame), and the agent's own codes."""

    client_message_id: str | None = None


class OperatorFrame(BaseModel):
    """A human operator's reply, live."""

    type: Literal["operator"] = "operator"
    message_id: int
    text: str


class UserEchoFrame(BaseModel):
    """A shopper message, fanned out to the other tabs and the operator while a human has the conversation."""

    type: Literal["user"] = "user"
    message_id: int
    client_message_id: str
    text: str


class StateFrame(BaseModel):
    """The conversation moved between the bot, the operator queue and a human operator."""

    type: Literal["state"] = "state"
    state: ConversationState


class ActionResultFrame(BaseModel):
    type: Literal["action_result"] = "action_result"
    action_id: str
    status: Literal["confirmed", "rejected", "failed"]
    message: str = ""


class PongFrame(BaseModel):
    type: Literal["pong"] = "pong"


class NotificationFrame(BaseModel):
    """A price or stock alert the shopper set has triggered: pushed while they are connected, or `held` and sent
    when their next session opens. `text` is the shopper-facing sentence, in the session's language."""

    type: Literal["notification"] = "notification"
    kind: Literal["below", "back_in_stock", "any_drop", "auto_order"] = Field(
        description="An alert's kind, or 'auto_order': a standing order ran (bought, or why not)")
    product_id: str = Field(description="The product card's `id`, e.g. 'p_trail_runner'")
    title: str
    price: float = Field(description="The price that triggered it, in `currency`")
    reference_price: float | None = Field(None, description="The alert's threshold (below) or the earlier price "
                                          "(any_drop)")
    currency: str = "USD"
    text: str = Field(description="e.g. 'While you were away: Trail Runner X dropped to $89.00, under your $100.00.'")
    held: bool = Field(False, description="It triggered while the shopper was away")
    at: datetime = Field(description="When the offer changed")
    order_id: str | None = Field(None, description="The order an automatic buy made, e.g. '#W1234567'")


ServerFrame = Annotated[
    SessionFrame | AckFrame | StatusEvent | TokenEvent | ToolCallEvent | ProductsEvent | CitationsEvent
    | ActionRequiredEvent | HandoffEvent | PreferenceNotedEvent | PriceHistoryEvent | DoneFrame | ErrorFrame
    | OperatorFrame | UserEchoFrame | StateFrame | ActionResultFrame | PongFrame | NotificationFrame,
    Field(discriminator="type"),
]

client_frames: TypeAdapter[Any] = TypeAdapter(ClientFrame)
server_frames: TypeAdapter[Any] = TypeAdapter(ServerFrame)


def protocol_schema() -> dict[str, Any]:
    """The JSON schema served at /v1/schema and printed by `shopassist serve --print-schema`."""
    return {
        "title": "shopassist chat protocol",
        "version": PROTOCOL_VERSION,
        "transports": {"websocket": "/ws/chat", "sse": "POST /v1/chat"},
        "client_to_server": client_frames.json_schema(),
        "server_to_client": server_frames.json_schema(),
    }
