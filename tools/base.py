"""What a tool is: a pydantic input model, a plain function over a ToolContext, and a typed error."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field, ValidationError

from commerce.db import Database
from shopassist.errors import describe_error
from shopassist.settings import Settings
from tools.deps import Deps

In = TypeVar("In", bound=BaseModel)
Out = TypeVar("Out", bound=BaseModel)


@dataclass
class ToolContext:
    """One turn's view: the process's dependencies and who is asking. `shopper_id` comes from the session, never
    from the LLM."""

    deps: Deps
    shopper_id: str | None = None
    conversation_id: str | None = None

    @property
    def db(self) -> Database:
        return self.deps.db

    @property
    def settings(self) -> Settings:
        return self.deps.settings

    def now(self) -> datetime:
        return self.deps.now()


class ToolFailure(Exception):
    """Raised by a tool function when it cannot do what was asked; the agent relays `reason`."""

    def __init__(self, code: str, reason: str, order_status: str | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.order_status = order_status


class ToolError(BaseModel):
    error: str
    code: str
    order_status: str | None = Field(None, description="The order's status, when that status forbade the action")


@dataclass(frozen=True)
class Tool(Generic[In, Out]):
    name: str
    description: str
    input_model: type[In]
    function: Callable[[ToolContext, In], Out]
    writes: bool = False
    # Discovery tools (search, recommendations, FAQ, reviews): their results are the answer. A step of only these
    # goes straight to the answer, and later steps do not offer them: in the gold set small models otherwise kept
    # adding unasked-for searches, recommendations and FAQ look-ups once the shopper's question was answered.
    discovery: bool = False
    # Offered to the planner only when the shopper's message matches: small models otherwise call calculate on
    # the prices of an order nobody asked to add up, and its results become the answer.
    asked_for: re.Pattern[str] | None = None
    # Runs before the other calls of its step, whose results it changes: a preference noted before the search it
    # filters ('I wear 10, show me running shoes').
    runs_first: bool = False

    def offered_for(self, message: str) -> bool:
        return self.asked_for is None or bool(self.asked_for.search(message))

    def run(self, context: ToolContext, arguments: dict[str, Any]) -> Out | ToolError:
        try:
            parsed = self.input_model.model_validate(arguments)
        except ValidationError as error:
            return ToolError(code="invalid_arguments", error=describe_error(error, "arguments", limit=None))
        try:
            return self.function(context, parsed)
        except ToolFailure as failure:
            return ToolError(code=failure.code, error=failure.reason, order_status=failure.order_status)
