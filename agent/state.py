"""The turn request (the contract with serving) and the graph's state."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypedDict

from pydantic import BaseModel, Field

Language = Literal["en", "zh"]


class DialogueState(BaseModel):
    shown: list[str] = Field(default_factory=list, description="Product ids the answer showed, in order")
    searched: str = Field("", description="The words of the search that showed them, e.g. 'hiking boots'")
    order_id: str | None = Field(None, description="The one order the answer was about, e.g. '#W1234567'")
    cart: bool = Field(False, description="The answer showed the cart or changed it")
    act: str = Field("", description="What the shopper's message was understood to ask, e.g. 'search'")


class HistoryMessage(BaseModel):
    role: Literal["user", "assistant"]
    text: str
    product_ids: list[str] = Field(default_factory=list, description="Products shown in that turn, in order")
    searched: str = Field("", description="The query of the search that showed them, e.g. 'birthday gift cooking'")
    dialogue: DialogueState | None = Field(None, description="The dialogue state the assistant's turn emitted")


@dataclass(frozen=True)
class ShownItem:
    id: str
    title: str
    price: float
    currency: str = "USD"
    # Available variants: item id -> options, e.g. {'2000000001': {'size': '9', 'colour': 'blue'}}.
    variants: dict[str, dict[str, str]] = field(default_factory=dict)
    sold_out: dict[str, dict[str, str]] = field(default_factory=dict)  # the others, for back-in-stock alerts
    category: str = ""  # its leaf category, e.g. 'Office Chairs'


class TurnRequest(BaseModel):
    text: str
    conversation_id: str
    shopper_id: str | None = Field(None, description="From the session (signed identity), never from the model")
    history: list[HistoryMessage] = Field(default_factory=list)
    language: Language | None = None
    settings: dict[str, Any] = Field(default_factory=dict, description="An experiment variant's per-turn settings, "
                                     "e.g. {'agent_answer': 'advice'}")


class ToolCall(BaseModel):
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class Plan(BaseModel):
    """What the understand step decided; `raw` is the model's exact JSON, replayed to keep the KV cache warm."""

    intent: str = "other"
    tool_calls: list[ToolCall] = Field(default_factory=list)
    raw: str = ""


class ToolOutcome(BaseModel):
    name: str
    arguments: dict[str, Any]
    ok: bool
    data: Any = Field(description="The tool's output (or error) as plain JSON data")
    output: Any = Field(None, exclude=True, description="The tool's typed output model, for rendering by code")
    error_code: str = ""
    latency_ms: float = 0.0
    verified_shopper: str | None = Field(None, description="Shopper id the call verified (tools.identity)")


class Step(BaseModel):
    """One understand→act round: the plan as the model wrote it and the outcomes it produced."""

    plan: Plan
    outcomes: list[ToolOutcome]
    repair_note: str = Field("", description="Argument errors fed back to the model once, with this step's DATA")
    answered: bool = Field(False, description="Only discovery tools ran, all successfully: their DATA is the answer")


class InputState(TypedDict):
    request: TurnRequest


class AgentState(InputState, total=False):
    language: Language
    intent: str
    planner: Literal["router", "llm", "none"]
    # The message's one understanding (agent.understanding), read by routing, the plan and the answer.
    understanding: Any
    # Who decided the turn's plan: the rules, the LLM planner, or the fallback when the planner ran out of time.
    producer: Literal["rules", "llm", "fallback"]
    # A `turn`/`errors` template key when the router answered without tools (greeting, decline, sign in first).
    reply: str
    # A `follow_up` template key the router wants said after the facts (e.g. which option for an exchange).
    follow_up: str
    follow_up_values: dict[str, str]
    # Products the last answer showed, for references ('the second one') and refinements ('cheaper').
    shown: list[ShownItem]
    # Appended by `act`; the prompt replays them in order.
    steps: Annotated[list[Step], operator.add]
    # The latest plan whose tool calls have not run yet (set by `understand`, cleared by `act`).
    pending: Plan | None
    answer: str
