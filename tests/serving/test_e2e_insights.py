"""Unmet demand end to end (slow): shoppers chat over /ws/chat with the embedded agent over the demo shop, asking
for things it lacks; the insights API lists them under unmet demand, normalized, with the shoppers' own words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent.model_files import ensure_model_file
from agent.runner import AgentRunner, load_classifier
from commerce.db import Database
from serving.app import create_app
from shopassist.settings import load_settings
from tests.agent.conftest import demo_shop_dir  # noqa: F401  (the session's demo shop fixture)
from tests.serving.conftest import hello, turn

pytestmark = pytest.mark.slow
OPERATOR = {"Authorization": "Bearer operator-dev-token"}
ASKED = [("en", "do you have kayaks?"), ("en", "I'm looking for a kayak paddle"), ("en", "any Sony headphones?"),
         ("zh", "有没有 Sony 的耳机"), ("en", "a hammock for the garden")]


@pytest.fixture(scope="module")
def served(demo_shop_dir: Path) -> Iterator[TestClient]:  # noqa: F811
    model = ensure_model_file(load_settings().model_cache_dir)
    settings = load_settings(data_dir=demo_shop_dir, llm_backend="embedded", llm_model=str(model), env="test",
                             messages_per_minute_per_ip=500)
    database = Database(settings.sqlalchemy_url)
    runner = AgentRunner(settings, database, classifier=load_classifier(settings))
    with TestClient(create_app(settings, database, runner)) as client:
        yield client


def test_what_shoppers_asked_for_and_the_shop_lacks_is_listed(served: TestClient) -> None:
    for number, (language, text) in enumerate(ASKED):
        with served.websocket_connect("/ws/chat") as ws:
            hello(ws, language=language)
            assert turn(ws, text, f"ask-{number}")[-1]["type"] == "done"
    served.app.state.services.turns.attribution.flush()  # type: ignore[attr-defined]
    report = served.get("/v1/console/insights?days=1", headers=OPERATOR).json()
    unmet = {(item["kind"], item["term"]): item for item in report["unmet_demand"]}
    assert ("brand", "sony") in unmet and unmet[("brand", "sony")]["shoppers"] == 2
    assert set(unmet[("brand", "sony")]["examples"]) == {"any Sony headphones?", "有没有 Sony 的耳机"}
    kinds = {term for kind, term in unmet if kind == "kind"}
    assert {"kayak", "hammock"} <= kinds, unmet
    assert "do you have kayaks?" in unmet[("kind", "kayak")]["examples"]
