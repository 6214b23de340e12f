"""`review_insights`: sentiment and recurring pros/cons drawn from a product's reviews, with their ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from commerce.tables import ReviewRow
from shopassist.settings import load_settings
from tests.vectorstore.helpers import demo_database
from tools.base import ToolContext, ToolError
from tools.deps import Deps
from tools.reviews import REVIEW_INSIGHTS, ReviewInsightsOutput, sentiment, summarise


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> ToolContext:
    folder: Path = tmp_path_factory.mktemp("reviews")
    return ToolContext(Deps(demo_database(folder), load_settings(data_dir=folder / "var", env="test")))


def test_summary_of_the_most_reviewed_product_quotes_its_reviews(context: ToolContext) -> None:
    with context.db.session() as session:
        product_id = session.execute(select(ReviewRow.product_id, func.count()).group_by(ReviewRow.product_id)
                                     .order_by(func.count().desc()).limit(1)).one()[0]
        texts = {row.id: row.text.lower() for row in session.scalars(
            select(ReviewRow).where(ReviewRow.product_id == product_id))}
    result = REVIEW_INSIGHTS.run(context, {"product_id": product_id})
    assert isinstance(result, ReviewInsightsOutput)
    assert result.review_count == len(texts) and result.sentiment in ("positive", "mixed", "negative")
    assert result.pros or result.cons
    for point in [*result.pros, *result.cons]:
        assert point.mentions >= (2 if len(texts) >= 4 else 1) and point.review_ids
        assert all(point.text in texts[review_id] for review_id in point.review_ids)


def test_contrast_cues_make_a_con_even_in_a_good_review() -> None:
    reviews = [("r1", 5, "Love it. Very light. Only downside: zips snag."),
               ("r2", 4, "Great buy. Very light. Only downside: zips snag."),
               ("r3", 2, "Disappointed. Zips snag.")]
    pros, cons = summarise(reviews, 3)
    assert [p.text for p in pros] == ["very light"] and pros[0].review_ids == ["r1", "r2"]
    assert [c.text for c in cons] == ["zips snag"] and cons[0].review_ids == ["r1", "r2", "r3"]


def test_chinese_reviews_are_summarised() -> None:
    reviews = [("z1", 5, "很满意，非常轻，不过拉链容易卡。"), ("z2", 4, "不错，非常轻，不过拉链容易卡。")]
    pros, cons = summarise(reviews, 3)
    assert pros[0].text == "非常轻" and cons[0].text == "拉链容易卡"


def test_sentiment_buckets() -> None:
    assert sentiment([5, 5, 4, 2]) == "positive" and sentiment([1, 2, 1, 5]) == "negative"
    assert sentiment([3, 3, 4, 2]) == "mixed" and sentiment([]) == "no reviews"


def test_unknown_product_is_a_typed_error(context: ToolContext) -> None:
    result = REVIEW_INSIGHTS.run(context, {"product_id": "nope"})
    assert isinstance(result, ToolError) and result.code == "unknown_product"
