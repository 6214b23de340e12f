"""The agent graph: understand (JSON plan) → act (tools) → … → respond (streamed, grounded answer)."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from agent.context import TurnContext
from agent.conversation import answer_messages, plan_messages
from agent.events import CitationsEvent, ProductsEvent, TokenEvent, ToolCallEvent
from agent.guardrails import DECLINE, STEP_LIMIT, agent_logger, detect_language, looks_off_topic
from agent.plan import PlanParseError, parse_plan
from agent.results import (
    citations,
    handoff,
    identity,
    is_handoff_tool,
    product_cards,
    proposed_actions,
    result_ids,
)
from agent.state import AgentState, InputState, Plan, Step, ToolCall, ToolOutcome
from tools.base import ToolError
from tools.identity import verified_identity

log = agent_logger(__name__)
INVALID = "invalid_arguments"


async def understand(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    context = runtime.context
    steps = state.get("steps", [])
    first = not steps
    request = state["request"]
    language = detect_language(request.text, default=request.language or "en")
    if first and looks_off_topic(request.text):
        return {"pending": Plan(intent="off_topic"), "intent": "off_topic", "language": language}
    model = context.model.bind(response_format=context.plan_format if first else context.follow_up_format)
    message = await asyncio.wait_for(
        model.ainvoke(plan_messages(state, context), max_tokens=context.plan_max_tokens), context.llm_timeout_s)
    try:
        plan = parse_plan(str(message.content), intent=state.get("intent", "other"))
    except PlanParseError as error:
        log.warning("unparseable plan (%s); answering without tools", error)
        plan = Plan(intent=state.get("intent", "other"), raw=str(message.content))
    done = {(call.name, repr(sorted(call.arguments.items()))) for step in steps for call in step.plan.tool_calls
            if not step.repair_note}
    # A call that already ran with the same arguments would only repeat its DATA.
    plan.tool_calls = [call for call in plan.tool_calls if (call.name, repr(sorted(call.arguments.items())))
                       not in done]
    if len(plan.tool_calls) > 1:
        # Small models like to add a transfer to other calls; a handoff is only ever asked for on its own.
        plan.tool_calls = [call for call in plan.tool_calls if not is_handoff_tool(call.name)]
    update: dict[str, Any] = {"pending": plan}
    if first:
        update["intent"] = plan.intent
        update["language"] = language
    return update


async def _run_call(context: TurnContext, call: ToolCall) -> ToolOutcome:
    started = time.perf_counter()
    tool = context.tools.get(call.name)
    if tool is None:
        result: Any = ToolError(code=INVALID, error=f"unknown tool {call.name!r}")
    else:
        try:
            result = await asyncio.to_thread(tool.run, context.tool_context, call.arguments)
        except Exception as error:  # a crashing tool becomes an observation, not a failed turn
            log.exception("tool %s crashed", call.name)
            result = ToolError(code="tool_failed", error=f"{call.name} failed: {type(error).__name__}")
    latency = (time.perf_counter() - started) * 1000
    if isinstance(result, ToolError):
        return ToolOutcome(name=call.name, arguments=call.arguments, ok=False, data=result.error,
                           error_code=result.code, latency_ms=latency)
    data = result.model_dump(mode="json") if hasattr(result, "model_dump") else result
    return ToolOutcome(name=call.name, arguments=call.arguments, ok=True, data=data, latency_ms=latency,
                       verified_shopper=verified_identity(result))


def _emit_outcome(runtime: Runtime[TurnContext], outcome: ToolOutcome) -> None:
    write = runtime.stream_writer
    write(ToolCallEvent(name=outcome.name, arguments=outcome.arguments, result_ids=result_ids(outcome),
                        ok=outcome.ok, latency_ms=round(outcome.latency_ms, 1)))
    if cards := product_cards(outcome):
        write(ProductsEvent(products=cards))
    if found := citations(outcome):
        write(CitationsEvent(citations=found))
    for action in proposed_actions(outcome):
        write(action)
    if event := handoff(outcome):
        write(event)
    if verified := identity(outcome):
        write(verified)


async def act(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    plan = state.get("pending") or Plan()
    outcomes = list(await asyncio.gather(*(_run_call(runtime.context, call) for call in plan.tool_calls)))
    tool_context = runtime.context.tool_context
    for outcome in outcomes:
        _emit_outcome(runtime, outcome)
        if outcome.verified_shopper and tool_context.shopper_id is None:
            tool_context.shopper_id = outcome.verified_shopper  # the turn's later steps act for them
    invalid = [f"{o.name}: {o.data}" for o in outcomes if o.error_code == INVALID]
    already_repaired = any(step.repair_note for step in state.get("steps", []))
    note = ""
    if invalid and not already_repaired:
        note = "Some arguments were invalid; call the tool again with corrected arguments: " + "; ".join(invalid)
    tools = runtime.context.tools
    answered = bool(outcomes) and all(o.ok and o.name in tools and tools[o.name].discovery for o in outcomes)
    return {"steps": [Step(plan=plan, outcomes=outcomes, repair_note=note, answered=answered)], "pending": None}


async def _say(runtime: Runtime[TurnContext], text: str) -> str:
    runtime.stream_writer(TokenEvent(text=text))
    return text


async def respond(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    context = runtime.context
    language = state.get("language", "en")
    pending = state.get("pending")
    steps = state.get("steps", [])
    if state.get("intent") == "off_topic" and not steps:
        return {"answer": await _say(runtime, DECLINE[language])}
    if pending is not None and pending.tool_calls and not any(o.ok for step in steps for o in step.outcomes):
        # Last-step guard: calls still dangling when the step budget ran out, and nothing useful to report.
        return {"answer": await _say(runtime, STEP_LIMIT[language])}
    parts: list[str] = []
    async with asyncio.timeout(context.llm_timeout_s):
        async for chunk in context.model.astream(answer_messages(state, context)):
            if text := str(chunk.content):
                parts.append(text)
                runtime.stream_writer(TokenEvent(text=text))
    return {"answer": "".join(parts)}


def build_graph(max_steps: int) -> Any:
    def after_understand(state: AgentState) -> Literal["act", "respond"]:
        pending = state.get("pending")
        has_calls = pending is not None and bool(pending.tool_calls)
        within_budget = len(state.get("steps", [])) < max_steps
        return "act" if has_calls and within_budget and state.get("intent") != "off_topic" else "respond"

    def after_act(state: AgentState) -> Literal["understand", "respond"]:
        last = state["steps"][-1]
        if last.answered or any(handoff(o) or proposed_actions(o) for o in last.outcomes):
            return "respond"
        if any(o.error_code == INVALID for o in last.outcomes) and not last.repair_note:
            return "respond"  # the one repair chance was already used
        return "understand"

    graph = StateGraph(AgentState, input_schema=InputState, context_schema=TurnContext)
    graph.add_node("understand", understand)
    graph.add_node("act", act)
    graph.add_node("respond", respond)
    graph.add_edge(START, "understand")
    graph.add_conditional_edges("understand", after_understand)
    graph.add_conditional_edges("act", after_act)
    graph.add_edge("respond", END)
    return graph.compile()
