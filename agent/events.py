"""Events an agent turn emits, in order; serving streams them to clients and evals record them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from agent.state import DialogueState
from commerce.events import DemandKind
from commerce.preferences import StatedPreference
from tools.display import Citation as Citation
from tools.display import ProductCard as ProductCard


class StatusEvent(BaseModel):
    """Progress shown at once while tools or the model work, e.g. 'Searching waterproof hiking boots under $120…'."""

    type: Literal["status"] = "status"
    text: str


class TokenEvent(BaseModel):
    type: Literal["token"] = "token"
    text: str


class ToolCallEvent(BaseModel):
    type: Literal["tool_call"] = "tool_call"
    name: str
    arguments: dict[str, Any]
    result_ids: list[str] = Field(default_factory=list, description="Ids of products/passages/orders returned")
    ok: bool = True
    latency_ms: float = 0.0


class ProductsEvent(BaseModel):
    type: Literal["products"] = "products"
    products: list[ProductCard]


class CitationsEvent(BaseModel):
    type: Literal["citations"] = "citations"
    citations: list[Citation]


class ActionRequiredEvent(BaseModel):
    type: Literal["action_required"] = "action_required"
    action_id: str
    tool: str
    summary: str
    expires_at: str


class HandoffEvent(BaseModel):
    type: Literal["handoff"] = "handoff"
    reason: str


class PreferenceNotedEvent(BaseModel):
    """The signed-in shopper stated preferences and they were kept; `text` is the sentence the answer says, in the
    session's language ('Noted: size 10 for shoes, no leather.')."""

    type: Literal["preference_noted"] = "preference_noted"
    preferences: list[StatedPreference]
    items: list[str] = Field(default_factory=list, description="Each preference in words, e.g. ['size 10 for shoes', "
                             "'no leather']")
    text: str


class PricePoint(BaseModel):
    at: str = Field(description="When the price took effect, ISO 8601, e.g. '2026-03-14T09:00:00+00:00'")
    price: float
    in_stock: bool


class PriceHistoryEvent(BaseModel):
    """A product's price over the last year, for the widget to draw as a small chart: each change (`points`, led by
    the price in force at `since`), today's price and the year's low and high; `text` is the verdict the answer
    says ('That is its lowest price in the past year.')."""

    type: Literal["price_history"] = "price_history"
    product_id: str
    title: str
    currency: str = "USD"
    price_now: float
    low: float | None = None
    high: float | None = None
    since: str
    until: str
    points: list[PricePoint] = Field(default_factory=list)
    text: str


class IdentityEvent(BaseModel):
    """A tool verified the shopper (by email, or name and zip): serving keeps the id as the conversation's
    identity. Internal: never sent to clients."""

    type: Literal["identity"] = "identity"
    shopper_id: str


class UnmetDemand(BaseModel):
    """Something the shopper asked for that the shop could not meet, e.g. kind 'kind', term 'kayak'."""

    kind: DemandKind
    term: str = Field(description="Normalized: lower case, singular, e.g. 'kayak', 'sony', 'hiking boot under 50'")


class DoneEvent(BaseModel):
    type: Literal["done"] = "done"
    text: str = Field("", description="The full answer text of the turn")
    planner: Literal["router", "llm", "none"] = Field("none", description="Who planned the turn's tool calls")
    model: str = ""
    prompt_version: str = ""
    latency_ms: float = 0.0
    act: str = Field("", description="What the message was understood to ask, e.g. 'search', 'shown_question'")
    producer: Literal["rules", "llm", "fallback", "none"] = Field(
        "none", description="Who read the message: the rules, the LLM planner, or the fallback when it ran out of time")
    # Internal: the dialogue state serving stores with the answer for the next turn (agent.dialogue).
    dialogue: SkipJsonSchema[DialogueState | None] = Field(None, exclude=True)
    # Internal, for the shop's insights: never serialized to clients nor in the protocol's schema.
    intent: SkipJsonSchema[str] = Field("", exclude=True)
    unmet: SkipJsonSchema[list[UnmetDemand]] = Field(default_factory=list, exclude=True)
    searches: SkipJsonSchema[list[str]] = Field(default_factory=list, exclude=True)


class ErrorEvent(BaseModel):
    type: Literal["error"] = "error"
    code: str
    message: str


AgentEvent = Annotated[
    StatusEvent | TokenEvent | ToolCallEvent | ProductsEvent | CitationsEvent | ActionRequiredEvent | HandoffEvent
    | PreferenceNotedEvent | PriceHistoryEvent | IdentityEvent | DoneEvent | ErrorEvent,
    Field(discriminator="type"),
]
