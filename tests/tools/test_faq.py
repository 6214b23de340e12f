"""`search_faq` over the demo policies with the real MiniLM model: citations, Chinese, and 'nothing relevant'."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.router import PROBLEM_FAQ_QUERIES
from commerce.db import Database
from commerce.demo.passages import load_passages
from commerce.store import passage_row
from shopassist.settings import load_settings
from tools.base import ToolContext
from tools.deps import Deps
from tools.faq import SEARCH_FAQ, SearchFaqOutput
from vectorstore.embeddings import MiniLMEmbedder
from vectorstore.service import open_service

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> ToolContext:
    folder: Path = tmp_path_factory.mktemp("faq")
    database = Database(f"sqlite:///{folder / 'shop.db'}")
    database.migrate()
    with database.session() as session:
        session.add_all(passage_row(passage) for passage in load_passages())
    settings = load_settings(data_dir=folder / "var", env="test")
    service = open_service(settings, MiniLMEmbedder())
    service.passages.index(load_passages())
    return ToolContext(Deps(database, settings, search=service))


def ask(context: ToolContext, question: str) -> SearchFaqOutput:
    result = SEARCH_FAQ.run(context, {"query": question})
    assert isinstance(result, SearchFaqOutput)
    return result


@pytest.mark.parametrize(("question", "section"), [
    ("how long does a refund take", "returns"),
    ("can I change my order address", "account"),
    ("退货政策是什么", "returns"),
    ("do you ship to Canada", "shipping"),
    *((question, section) for (_, queries), section in zip(PROBLEM_FAQ_QUERIES, ("shipping", "warranty"), strict=True)
      for question in queries.values()),
    ("do you ship to Canada?", "shipping"),
    ("能寄到加拿大吗", "shipping"),
])
def test_policy_questions_find_cited_passages(context: ToolContext, question: str, section: str) -> None:
    result = ask(context, question)
    assert result.found
    top = result.passages[0]
    assert top.section == section and top.source.startswith(f"policies/{section}.md#") and top.id and top.title


@pytest.mark.parametrize("question", ["what is the capital of France", "tell me a joke", "best pizza recipe",
                                      "who won the football match yesterday"])
def test_off_topic_questions_say_nothing_relevant(context: ToolContext, question: str) -> None:
    result = ask(context, question)
    assert not result.found and result.passages == [] and "Nothing relevant" in result.note
