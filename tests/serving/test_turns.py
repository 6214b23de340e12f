"""The turn loop keeps a shopper verified in the chat as the conversation's identity (real agent, scripted model)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from agent.runner import AgentRunner
from commerce.db import Database
from commerce.models import Shopper
from commerce.store import shopper_row
from commerce.tables import ConversationRow
from serving import conversations as store
from serving.identity import issue_token
from shopassist.settings import Settings
from tests.agent.fakes import ScriptedChatModel, next_step, plan
from tests.serving.conftest import hello, make_client, turn, until
from tools.base import Tool, ToolContext
from tools.identity import IDENTITY_TOOLS

ALICE = Shopper(id="alice_1", first_name="Alice", last_name="Smith", email="alice@example.com")


class NoArguments(BaseModel):
    pass


class SessionShopper(BaseModel):
    shopper_id: str | None


def recording_tool(seen: list[str | None]) -> Tool[Any, Any]:
    def whoami(context: ToolContext, _: NoArguments) -> SessionShopper:
        seen.append(context.shopper_id)
        return SessionShopper(shopper_id=context.shopper_id)

    return Tool("whoami", "The session's shopper.", NoArguments, whoami)


def test_a_shopper_verified_by_email_is_the_shopper_of_the_conversations_later_turns(
        serving_settings: Settings, database: Database) -> None:
    with database.session() as session:
        session.add(shopper_row(ALICE))
    seen: list[str | None] = []
    model = ScriptedChatModel(replies=[
        plan(("find_user_id_by_email", {"email": "alice@example.com"})), next_step(), "Thanks, Alice.",
        plan(("whoami", {})), "Here are your orders.",  # one LLM step a turn: no second step after a look-up
        plan(("whoami", {})), "Still you.",
    ])
    llm_turns = serving_settings.model_copy(update={"agent_planner": "llm", "agent_answer": "model"})
    runner = AgentRunner(llm_turns, database, model=model, tools=[*IDENTITY_TOOLS, recording_tool(seen)],
                         model_name="scripted-fake")
    with make_client(serving_settings, database, runner) as client:
        with client.websocket_connect("/ws/chat") as ws:
            session_id = hello(ws)["session_id"]
            verified = turn(ws, "I am alice@example.com", "m1")
            turn(ws, "show my orders", "m2")
            ws.send_json({"type": "confirm", "action_id": "act_unknown"})
            confirmed = until(ws, "action_result", "error")[-1]
        with client.websocket_connect("/ws/chat") as ws:  # a reload resumes with the session id alone
            hello(ws, session_id=session_id)
            turn(ws, "and now?", "m3")
        with client.websocket_connect("/ws/chat") as ws:  # another shopper's token cannot take it over
            ws.send_json({"type": "hello", "session_id": session_id, "token": issue_token(serving_settings, "bob")})
            assert until(ws, "session")[0]["code"] == "session_forbidden"
    assert seen == ["alice_1", "alice_1"]
    assert "identity" not in [frame["type"] for frame in verified]  # internal, never sent to the client
    assert confirmed["type"] == "action_result" and confirmed["status"] == "failed"  # not identity_required
    with database.session() as session:
        row = session.get(ConversationRow, session_id)
        assert row is not None and row.shopper_id == "alice_1" and row.verified_in_chat


def test_verification_never_replaces_the_tokens_shopper(database: Database) -> None:
    conversation = store.open_conversation(database, None, "bob_2", "en")
    assert store.verify_shopper(database, conversation.id, "alice_1") is False
    assert store.verify_shopper(database, conversation.id, "bob_2") is True
    with database.session() as session:
        row = session.get(ConversationRow, conversation.id)
        assert row is not None and row.shopper_id == "bob_2" and not row.verified_in_chat
