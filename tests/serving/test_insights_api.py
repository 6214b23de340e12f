"""The shop's insights and experiments over the console API, fed by chats over /ws/chat: cards shown, clicks,
ratings, handoffs and unmet demand written behind the turns; experiment variants change the turn's settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from agent.events import AgentEvent, DoneEvent, HandoffEvent, ProductsEvent, UnmetDemand
from agent.state import TurnRequest
from commerce.db import Database
from commerce.tables import AttributionEventRow
from serving.app import create_app
from shopassist.settings import Settings
from tests.serving.conftest import hello, turn
from tests.serving.fakes import CARDS

OPERATOR = {"Authorization": "Bearer operator-dev-token"}
LACKS = {"kayak": UnmetDemand(kind="kind", term="kayak"), "皮划艇": UnmetDemand(kind="kind", term="kayak"),
         "sony": UnmetDemand(kind="brand", term="sony")}


class DemandRunner:
    """TEST DOUBLE ONLY: shows two cards, hands off on 'human', and reports as unmet what LACKS names in the
    message, as the real runner reports its search results."""

    def __init__(self) -> None:
        self.requests: list[TurnRequest] = []

    async def stream(self, request: TurnRequest) -> AsyncIterator[AgentEvent]:
        self.requests.append(request)
        if "human" in request.text:
            yield HandoffEvent(reason="asked for a person")
            yield DoneEvent(text="Passing you on.", intent="human_agent")
            return
        yield ProductsEvent(products=CARDS)
        unmet = [want for word, want in LACKS.items() if word in request.text.lower()]
        yield DoneEvent(text="Here are some.", intent="product_search", unmet=unmet, searches=[request.text.lower()])


@pytest.fixture
def runner() -> DemandRunner:
    return DemandRunner()


@pytest.fixture
def served(serving_settings: Settings, database: Database, runner: DemandRunner) -> Iterator[TestClient]:
    with TestClient(create_app(serving_settings, database, runner)) as client:
        yield client


def _flush(client: TestClient) -> None:
    client.app.state.services.turns.attribution.flush()  # type: ignore[attr-defined]


def _chat(client: TestClient, *texts: str, language: str = "en") -> tuple[str, list[dict[str, Any]]]:
    with client.websocket_connect("/ws/chat") as ws:
        session = hello(ws, language=language)
        frames = [turn(ws, text, f"m{i}")[-1] for i, text in enumerate(texts)]
        ws.send_json({"type": "event", "kind": "click", "product_id": CARDS[0].id})
        ws.send_json({"type": "feedback", "message_id": frames[-1]["message_id"], "rating": "down"})
        ws.send_json({"type": "ping"})
        while ws.receive_json()["type"] != "pong":
            pass
    return session["session_id"], frames


def test_chats_asking_for_what_the_shop_lacks_show_as_unmet_demand(served: TestClient) -> None:
    _chat(served, "do you have kayaks?")
    _chat(served, "any Sony headphones?", "a kayak for two?")
    _chat(served, "有皮划艇吗", language="zh")
    _chat(served, "I want a human")
    _flush(served)
    assert served.get("/v1/console/insights").status_code == 401
    report = served.get("/v1/console/insights?days=7", headers=OPERATOR).json()
    unmet = {(item["term"], item["kind"]): item for item in report["unmet_demand"]}
    kayak = unmet[("kayak", "kind")]
    assert (kayak["count"], kayak["shoppers"]) == (3, 3)
    assert set(kayak["examples"]) == {"do you have kayaks?", "a kayak for two?", "有皮划艇吗"}
    assert unmet[("sony", "brand")]["examples"] == ["any Sony headphones?"]
    assert report["unmet_demand"][0]["term"] == "kayak"  # most shoppers first
    totals = report["totals"]
    assert (totals["conversations"], totals["turns"], totals["cards_shown"], totals["clicks"]) == (4, 5, 8, 4)
    assert totals["handoffs"] == 1 and totals["thumbs_down"] == 4 and totals["resolution_rate"] == 0
    assert report["by_language"]["zh"]["conversations"] == 1
    assert report["by_act"]["product_search"]["ctr"] == 3 / 8 and report["by_act"]["human_agent"]["clicks"] == 1
    csv = served.get("/v1/console/insights/unmet.csv?days=7", headers=OPERATOR)
    assert csv.headers["content-type"].startswith("text/csv") and "kayak,kind,3,3," in csv.text


def test_an_experiment_changes_the_turns_settings_and_is_read_back(served: TestClient,
                                                                   runner: DemandRunner) -> None:
    body = {"name": "wording", "variants": [{"name": "control"},
                                            {"name": "advice", "settings": {"agent_answer": "advice"}}]}
    assert served.post("/v1/console/experiments", json=body).status_code == 401
    assert served.post("/v1/console/experiments", json=body, headers=OPERATOR).status_code == 201
    assert served.post("/v1/console/experiments", json=body, headers=OPERATOR).status_code == 409
    bad = {**body, "name": "bad", "variants": [{"name": "a"}, {"name": "b", "settings": {"secret": "x"}}]}
    assert served.post("/v1/console/experiments", json=bad, headers=OPERATOR).status_code == 422
    sessions = [_chat(served, "tents please", "more tents")[0] for _ in range(8)]
    _flush(served)
    by_session = {r.conversation_id: r.settings for r in runner.requests}
    assert set(by_session) == set(sessions)
    assert {tuple(s.items()) for s in by_session.values()} == {(), (("agent_answer", "advice"),)}
    read = served.get("/v1/console/experiments/wording", headers=OPERATOR).json()
    assert sum(v["units"] for v in read["variants"]) == 8  # one exposure per session, however many turns
    assert all(v["ctr"]["value"] == pytest.approx(0.25) for v in read["variants"] if v["units"])  # 1 click, 4 cards
    stopped = served.post("/v1/console/experiments/wording/stop", headers=OPERATOR).json()
    assert stopped["status"] == "stopped"
    listed = served.get("/v1/console/experiments", headers=OPERATOR).json()
    assert [item["experiment"]["name"] for item in listed] == ["wording"]
    assert served.get("/v1/console/experiments/nope", headers=OPERATOR).status_code == 404


def test_recording_off_writes_nothing(serving_settings: Settings, database: Database, tmp_path: Path) -> None:
    settings = serving_settings.model_copy(update={"insights_events": False})
    with TestClient(create_app(settings, database, DemandRunner())) as client:
        _chat(client, "do you have kayaks?")
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(AttributionEventRow)) == 0
