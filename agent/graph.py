"""The agent graph: understand (JSON plan) → act (tools) → … → respond (streamed, grounded answer)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from agent.act_routes import route_understood
from agent.context import TurnContext
from agent.conversation import answer_messages, plan_messages
from agent.events import CitationsEvent, ProductsEvent, StatusEvent, TokenEvent, ToolCallEvent
from agent.grounding import collect_evidence
from agent.guard import SentenceGuard, guarded_sentences
from agent.guardrails import agent_logger, detect_language, looks_off_topic
from agent.llama_chat import LlamaChatModel
from agent.plan import PlanParseError, follow_up_schema, parse_plan, plan_schema, response_format
from agent.planner_tools import planner_tools, with_shopper_summary
from agent.preferences import only_stated
from agent.render import RenderContext, render_outcomes
from agent.render_preferences import preference_event
from agent.render_price_history import price_event
from agent.results import (
    citations,
    handoff,
    identity,
    is_handoff_tool,
    product_cards,
    proposed_actions,
    result_ids,
)
from agent.router import (
    asks_to_undo,
    details_calls,
    faq_call,
    handoff_call,
    points_at_shown,
    referenced,
    search_call,
)
from agent.state import AgentState, InputState, Plan, ShownItem, Step, ToolCall, ToolOutcome
from agent.status import status_text
from agent.templates import Templates
from agent.turn_facts import allowed_values, understood_input
from agent.understanding import planned
from tools.base import ToolError
from tools.identity import verified_identity
from tools.preferences import NOTE_PREFERENCES

log = agent_logger(__name__)
INVALID = "invalid_arguments"
MAX_LLM_STEPS = 2
DEADLINE_GRACE_S = 1.0  # a served model's request outlives the plan budget by this much before it is cancelled


async def plan_turn(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """The router plans routine requests at once; anything it is unsure of goes to the LLM planner."""
    context = runtime.context
    request = state["request"]
    language = detect_language(request.text, default=request.language or "en")
    templates = context.templates[language]
    facts, understanding = await asyncio.to_thread(understood_input, context.tool_context.db, request, language,
                                                   frozenset(context.tools), lambda: context.tool_context.deps.search)
    update: dict[str, Any] = {"language": language, "shown": facts.shown, "understanding": understanding}
    found = route_understood(facts, understanding, context.classifier) if context.planner != "llm" else None
    if found is None and context.planner == "router":
        return {**update, "planner": "router", "intent": "other", "reply": "unclear"}
    if found is None:
        runtime.stream_writer(StatusEvent(text=templates.say("status", "thinking")))
        return {**update, "planner": "llm"}
    update |= {"planner": "router", "producer": "rules", "intent": found.intent, "follow_up": found.follow_up,
               "follow_up_values": found.follow_up_values}
    if found.reply:
        return {**update, "reply": found.reply}
    return {**update, "pending": Plan(intent=found.intent, tool_calls=found.calls)}


# Intents whose closest read-only plan, when the planner ran out of time, is a catalog search of the shopper's words:
# the classifier calls short product phrases ('帐篷，100元以内', 'baby car seat') 'cart' as often as 'product_search'.
_SEARCH_INTENTS = frozenset({"product_search", "cart", "product_question", "refinement", "recommendation"})
_ORDER_INTENTS = frozenset({"order_status", "order_change"})


def _unplanned(text: str, shown: list[ShownItem], context: TurnContext) -> dict[str, Any]:
    """A turn the planner could not plan in time (the embedded model stopped mid-plan): the routine plan its intent
    comes closest to — a search or a policy look-up, which only read — or else a clarifying question."""
    guess = context.classifier.predict(text) if context.classifier is not None else None
    intent = getattr(guess, "intent", "")
    picked = referenced(text, shown)
    if picked:  # 'which is better, the first or the second?': the details of the products it names
        kind = "comparison" if len(picked) > 1 else "product_question"
        return {"pending": Plan(intent=kind, tool_calls=details_calls(picked)), "intent": kind}
    if intent == "human_agent":
        return {"pending": Plan(intent=intent, tool_calls=[handoff_call(text)]), "intent": intent}
    if intent in _SEARCH_INTENTS and not (shown and points_at_shown(text)):
        return {"pending": Plan(intent="product_search", tool_calls=[search_call(text)]), "intent": "product_search"}
    if intent == "policy_question":
        return {"pending": Plan(intent=intent, tool_calls=[faq_call(text)]), "intent": intent}
    if intent in _ORDER_INTENTS or asks_to_undo(text):
        return {"pending": Plan(intent="other"), "reply": "unclear_order"}
    reply = "which_product" if shown else "unclear"
    return {"pending": Plan(intent="other"), "reply": reply}


async def understand(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    context = runtime.context
    steps = state.get("steps", [])
    first = not steps
    request = state["request"]
    if first and looks_off_topic(request.text):
        return {"pending": Plan(intent="off_topic"), "intent": "off_topic"}
    turn_products = [card.id for step in steps for outcome in step.outcomes for card in product_cards(outcome)]
    allowed = await asyncio.to_thread(allowed_values, context.tool_context.db, request,
                                      context.tool_context.shopper_id, turn_products, _kind_names(context))
    ran = {call.name for step in steps for call in step.plan.tool_calls}
    # A tool offered only when asked for (calculate) is offered until it has run: the embedded planner otherwise
    # multiplied its own total by two in the next step.
    offered = [tool for tool in context.tools.values()
               if tool.offered_for(request.text) and not (tool.asked_for and tool.name in ran)]
    tools = planner_tools(offered, request.text, context.tool_context.shopper_id is not None)
    response = (response_format("plan", plan_schema(tools, allowed)) if first
                else response_format("next_step", follow_up_schema(tools, allowed)))
    model = context.model.bind(response_format=response)
    messages = await asyncio.to_thread(plan_messages, state, context)  # it reads shown products from the store
    budget = min(context.plan_budget_s, context.llm_timeout_s)
    # The embedded model stops decoding at the deadline itself (its thread cannot be cancelled); a served model's
    # request is cancelled a moment later.
    deadline = time.monotonic() + budget
    extra = {"deadline": deadline} if isinstance(context.model, LlamaChatModel) else {}
    try:
        message = await asyncio.wait_for(
            model.ainvoke(messages, max_tokens=context.plan_max_tokens, **extra), budget + DEADLINE_GRACE_S)
    except TimeoutError:
        if time.monotonic() < deadline:
            raise  # the backend's own timeout, not the budget's
        message = None
    try:
        if message is None or time.monotonic() >= deadline:
            raise TimeoutError
        plan = parse_plan(str(message.content), intent=state.get("intent", "other"))
    except TimeoutError:
        log.warning("no plan within %.1f s; the closest routine plan or a question instead", budget)
        if not first:
            return {"pending": None}
        return {**_unplanned(request.text, state.get("shown", []), context), "producer": "fallback"}
    except PlanParseError as error:
        log.warning("unparseable plan (%s); answering without tools", error)
        plan = Plan(intent=state.get("intent", "other"), raw=str(message.content))
    # Backends without guided decoding can still name values nobody gave: such calls never run.
    plan.tool_calls = _stated_only(plan.tool_calls, request.text)
    invented = [call.name for call in plan.tool_calls if allowed.violations(call)]
    if invented:
        log.warning("dropped planned calls with unknown argument values: %s", invented)
        plan.tool_calls = [call for call in plan.tool_calls if not allowed.violations(call)]
    withheld = set(context.tools) - {tool.name for tool in tools}  # backends without guided decoding can name them
    plan.tool_calls = [allowed.without_unmentioned(call) for call in plan.tool_calls if call.name not in withheld]
    done = {(call.name, repr(sorted(call.arguments.items()))) for step in steps for call in step.plan.tool_calls
            if not step.repair_note}
    # A call that already ran with the same arguments would only repeat its DATA.
    plan.tool_calls = [call for call in plan.tool_calls if (call.name, repr(sorted(call.arguments.items())))
                       not in done]
    if len(plan.tool_calls) > 1:
        # Small models like to add a transfer to other calls; a handoff is only ever asked for on its own.
        plan.tool_calls = [call for call in plan.tool_calls if not is_handoff_tool(call.name)]
    plan.tool_calls = [with_shopper_summary(call, request.text, request.history) if is_handoff_tool(call.name)
                       else call for call in plan.tool_calls]
    update: dict[str, Any] = {"pending": plan}
    if first:
        update |= {"intent": plan.intent, "producer": "llm"}
        if (understood := state.get("understanding")) is not None:
            update["understanding"] = planned(understood, plan)
    return update


def _kind_names(context: TurnContext) -> list[str]:
    """The catalog's product types, for the planner's product_type (none without an index)."""
    try:
        return context.tool_context.deps.search.products.kind_names()
    except Exception:  # no index yet (a fresh shop): the planner names no type
        return []


def _stated_only(calls: list[ToolCall], text: str) -> list[ToolCall]:
    """Planned preference notes keep only what the shopper's message states: the planner never decides alone what
    is remembered about them."""
    kept = []
    for call in calls:
        if call.name == NOTE_PREFERENCES.name:
            arguments = only_stated(call.arguments, text)
            if arguments is None:
                log.warning("dropped a planned note of preferences the message does not state")
                continue
            call = call.model_copy(update={"arguments": arguments})
        kept.append(call)
    return kept


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
        return ToolOutcome(name=call.name, arguments=call.arguments, ok=False, data=result.error, output=result,
                           error_code=result.code, latency_ms=latency)
    data = result.model_dump(mode="json") if hasattr(result, "model_dump") else result
    return ToolOutcome(name=call.name, arguments=call.arguments, ok=True, data=data, output=result,
                       latency_ms=latency, verified_shopper=verified_identity(result))


def _emit_outcome(runtime: Runtime[TurnContext], outcome: ToolOutcome, templates: Templates) -> None:
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
    if noted := preference_event(outcome, templates):
        write(noted)
    if chart := price_event(outcome, templates):
        write(chart)
    if verified := identity(outcome):
        write(verified)


async def act(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    plan = state.get("pending") or Plan()
    templates = runtime.context.templates[state.get("language", "en")]
    if plan.tool_calls:
        runtime.stream_writer(StatusEvent(text=status_text(templates, plan.tool_calls, runtime.context.tools)))
    tools = runtime.context.tools
    first = [call for call in plan.tool_calls if call.name in tools and tools[call.name].runs_first]
    outcomes = list(await asyncio.gather(*(_run_call(runtime.context, call) for call in first)))
    outcomes += await asyncio.gather(*(_run_call(runtime.context, call) for call in plan.tool_calls
                                       if call not in first))
    tool_context = runtime.context.tool_context
    for outcome in outcomes:
        _emit_outcome(runtime, outcome, templates)
        if outcome.verified_shopper and tool_context.shopper_id is None:
            tool_context.shopper_id = outcome.verified_shopper  # the turn's later steps act for them
    invalid = [f"{o.name}: {o.data}" for o in outcomes if o.error_code == INVALID]
    already_repaired = any(step.repair_note for step in state.get("steps", []))
    note = ""
    if invalid and not already_repaired:
        note = "Some arguments were invalid; call the tool again with corrected arguments: " + "; ".join(invalid)
    answered = bool(outcomes) and all(o.ok and o.name in tools and tools[o.name].discovery for o in outcomes)
    return {"steps": [Step(plan=plan, outcomes=outcomes, repair_note=note, answered=answered)], "pending": None}


async def _say(runtime: Runtime[TurnContext], text: str) -> str:
    runtime.stream_writer(TokenEvent(text=text))
    return text


def final_outcomes(steps: list[Step]) -> list[ToolOutcome]:
    """Every outcome of the turn, except errors a later call of the same tool repaired."""
    outcomes = [outcome for step in steps for outcome in step.outcomes]
    return [o for i, o in enumerate(outcomes)
            if o.ok or not any(later.ok and later.name == o.name for later in outcomes[i + 1:])]


def _guard(state: AgentState, outcomes: list[ToolOutcome], facts: str) -> SentenceGuard:
    request = state["request"]
    results = [o.data for o in outcomes if o.ok] + [[item.title, item.price] for item in state.get("shown", [])]
    evidence = collect_evidence(results, passage_texts=[facts], context=[request.text, facts])
    return SentenceGuard(evidence=evidence, action_pending=any(proposed_actions(o) for o in outcomes))


async def _model_sentences(state: AgentState, runtime: Runtime[TurnContext], facts: str,
                           outcomes: list[ToolOutcome], limit: int | None, after: bool) -> list[str]:
    context = runtime.context
    messages = await asyncio.to_thread(answer_messages, state, context, facts, limit is not None)

    async def chunks() -> AsyncIterator[str]:
        async for chunk in context.model.astream(messages):
            yield str(chunk.content)

    said: list[str] = []
    guard = _guard(state, outcomes, facts)
    async with asyncio.timeout(context.llm_timeout_s):
        async for sentence in guarded_sentences(chunks(), guard, limit, state["request"].conversation_id):
            separator = " " if said else "\n\n" if after else ""
            said.append(await _say(runtime, separator + sentence))
    return said


async def respond(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Facts rendered by code first, at once; then, by the answer mode, the model's guarded sentences."""
    context = runtime.context
    language = state.get("language", "en")
    templates = context.templates[language]
    steps = state.get("steps", [])
    if reply := state.get("reply"):
        section = "errors" if reply in templates.sections["errors"] else "turn"
        return {"answer": await _say(runtime, templates.say(section, reply))}
    if state.get("intent") == "off_topic" and not steps:
        return {"answer": await _say(runtime, templates.say("turn", "decline"))}
    pending = state.get("pending")
    outcomes = final_outcomes(steps)
    if pending is not None and pending.tool_calls and not any(o.ok for o in outcomes):
        # Last-step guard: calls still dangling when the step budget ran out, and nothing useful to report.
        return {"answer": await _say(runtime, templates.say("turn", "step_limit"))}
    facts = render_outcomes(outcomes, RenderContext(templates=templates, message=state["request"].text,
                                                    shown_before=state.get("shown", []),
                                                    refinement=state.get("intent") == "refinement",
                                                    guessed=state.get("producer") == "fallback"))
    if (follow_up := state.get("follow_up")) and outcomes and all(o.ok for o in outcomes):
        facts = f"{facts}\n{templates.say('follow_up', follow_up, **state.get('follow_up_values', {}))}"
    model_writes = context.answer_mode == "model"
    parts = [await _say(runtime, facts)] if facts and not model_writes else []
    if context.answer_mode == "facts" or (context.answer_mode == "advice" and not facts):
        if not parts:
            key = "greeting" if state.get("intent") == "greeting" else "unclear"
            parts.append(await _say(runtime, templates.say("turn", key)))
        return {"answer": "".join(parts)}
    limit = None if model_writes else context.advice_sentences
    parts += await _model_sentences(state, runtime, facts, outcomes, limit, after=bool(parts))
    if not parts:  # every sentence the model wrote was dropped
        parts.append(await _say(runtime, facts or templates.say("turn", "unclear")))
    return {"answer": "".join(parts)}


def build_graph(max_steps: int) -> Any:
    def after_plan_turn(state: AgentState) -> Literal["act", "understand", "respond"]:
        if state.get("reply"):
            return "respond"
        pending = state.get("pending")
        return "act" if pending is not None and pending.tool_calls else "understand"

    def after_understand(state: AgentState) -> Literal["act", "respond"]:
        pending = state.get("pending")
        has_calls = pending is not None and bool(pending.tool_calls)
        within_budget = len(state.get("steps", [])) < max_steps
        return "act" if has_calls and within_budget and state.get("intent") != "off_topic" else "respond"

    def after_act(state: AgentState) -> Literal["understand", "respond"]:
        last = state["steps"][-1]
        shown_to_shopper = any(handoff(o) or proposed_actions(o) for o in last.outcomes)
        if state.get("planner") == "router" or last.answered or shown_to_shopper:
            return "respond"
        # The LLM plans one step a turn, and a second only to use an identity it just verified or to repair
        # arguments the tools refused: never a chain of look-ups.
        repairing = bool(last.repair_note)  # set only for the turn's first invalid arguments
        verified = any(o.verified_shopper for o in last.outcomes)
        return "understand" if len(state["steps"]) < MAX_LLM_STEPS and (verified or repairing) else "respond"

    graph = StateGraph(AgentState, input_schema=InputState, context_schema=TurnContext)
    graph.add_node("plan_turn", plan_turn)
    graph.add_node("understand", understand)
    graph.add_node("act", act)
    graph.add_node("respond", respond)
    graph.add_edge(START, "plan_turn")
    graph.add_conditional_edges("plan_turn", after_plan_turn)
    graph.add_conditional_edges("understand", after_understand)
    graph.add_conditional_edges("act", after_act)
    graph.add_edge("respond", END)
    return graph.compile()
