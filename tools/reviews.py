"""`review_insights`: a product's reviews summarised into sentiment and recurring pros and cons, extractively."""

from __future__ import annotations

import re
from collections import defaultdict

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from commerce.store import get_product, review_from_row
from commerce.tables import ReviewRow
from tools.base import Tool, ToolContext, ToolFailure

POSITIVE = ("great", "comfortable", "love", "excellent", "soft", "warm", "light", "fast", "clear", "dry", "easy",
            "sturdy", "perfect", "quickly", "well", "plenty", "true to size", "好", "舒适", "舒服", "轻", "快", "清晰",
            "柔软", "保暖", "暖和", "干燥", "流畅", "很棒", "不褪色", "标准", "充足")
NEGATIVE = ("cheap", "loose", "small", "drops", "wore out", "undone", "hot", "narrow", "shrinks", "fray", "too",
            "snag", "bend", "dig", "heavier", "loud", "clunky", "degraded", "broke", "poor", "pills", "condensation",
            "偏小", "松", "磨平", "闷", "偏窄", "缩水", "开线", "偏长", "一般", "起球", "卡", "弯", "勒",
            "断连", "不好用", "衰减", "松动", "噪音", "重")
NEGATIVE_CUES = ("only downside", "downside", "but", "however", "不过", "可惜", "缺点")
POSITIVE_CUES = ("on the plus side", "优点是", "好在")
CLAUSE = re.compile(r"[.!?;。！？；，,]+")
# A point must recur in this many reviews; products with few reviews show what single reviews say.
MIN_RECURRING = 2
FEW_REVIEWS = 4


class ReviewInsightsInput(BaseModel):
    """Summarise what reviewers say about one product."""

    model_config = ConfigDict(extra="forbid")
    product_id: str = Field(min_length=1, max_length=64, description="Product id from a search hit, e.g. '9523456873'")
    max_points: int = Field(3, ge=1, le=8)


class Point(BaseModel):
    text: str = Field(description="A recurring statement, quoted from the reviews")
    mentions: int
    review_ids: list[str] = Field(description="Reviews that say it, for citation")


class ReviewInsightsOutput(BaseModel):
    product_id: str
    review_count: int
    average_rating: float | None
    sentiment: str = Field(description="'positive', 'mixed', 'negative' or 'no reviews'")
    pros: list[Point]
    cons: list[Point]


def clause_polarity(clause: str, previous_cue: int, rating: int) -> int:
    """+1 / -1: lexicon words first, then a contrast cue before the clause, then the review's star rating."""
    score = sum(word in clause for word in POSITIVE) - sum(word in clause for word in NEGATIVE)
    if previous_cue:
        return previous_cue
    if score:
        return 1 if score > 0 else -1
    return 1 if rating >= 4 else -1 if rating <= 2 else 0


def split_clauses(text: str) -> list[tuple[str, int]]:
    """(clause, cue) pairs; a cue ('only downside:', '不过') sets the polarity of the clause it introduces."""
    out: list[tuple[str, int]] = []
    for raw in CLAUSE.split(text.lower()):
        clause, cue = raw.strip(" :：\"'"), 0
        for marker, sign in [*((m, -1) for m in NEGATIVE_CUES), *((m, 1) for m in POSITIVE_CUES)]:
            if clause.startswith(marker):
                clause, cue = clause[len(marker) :].strip(" :："), sign
                break
        if len(clause) >= 2:
            out.append((clause, cue))
    return out


def summarise(reviews: list[tuple[str, int, str]], max_points: int) -> tuple[list[Point], list[Point]]:
    """`reviews` are (id, rating, text). A point recurs when the same clause appears in at least two reviews."""
    said: dict[tuple[str, int], set[str]] = defaultdict(set)
    for review_id, rating, text in reviews:
        clauses = split_clauses(text)
        # The opener ("Love these.", "Disappointed.") carries sentiment but no content.
        for clause, cue in clauses[1:] if len(clauses) > 1 else clauses:
            polarity = clause_polarity(clause, cue, rating)
            if polarity:
                said[(clause, polarity)].add(review_id)
    points = {1: [], -1: []}  # type: dict[int, list[Point]]
    needed = MIN_RECURRING if len(reviews) >= FEW_REVIEWS else 1
    for (clause, polarity), ids in sorted(said.items(), key=lambda item: (-len(item[1]), item[0][0])):
        if len(ids) >= needed:
            points[polarity].append(Point(text=clause, mentions=len(ids), review_ids=sorted(ids)[:10]))
    return points[1][:max_points], points[-1][:max_points]


def sentiment(ratings: list[int]) -> str:
    if not ratings:
        return "no reviews"
    positive = sum(r >= 4 for r in ratings) / len(ratings)
    negative = sum(r <= 2 for r in ratings) / len(ratings)
    return "positive" if positive >= 0.6 else "negative" if negative >= 0.5 else "mixed"


def review_insights(context: ToolContext, arguments: ReviewInsightsInput) -> ReviewInsightsOutput:
    with context.db.session() as session:
        if get_product(session, arguments.product_id) is None:
            raise ToolFailure("unknown_product", f"no product with id {arguments.product_id}")
        rows = session.scalars(select(ReviewRow).where(ReviewRow.product_id == arguments.product_id)).all()
        reviews = [review_from_row(row) for row in rows]
    ratings = [review.rating for review in reviews]
    pros, cons = summarise([(r.id, r.rating, r.text) for r in reviews], arguments.max_points)
    return ReviewInsightsOutput(
        product_id=arguments.product_id, review_count=len(reviews),
        average_rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
        sentiment=sentiment(ratings), pros=pros, cons=cons,
    )


REVIEW_INSIGHTS: Tool[ReviewInsightsInput, ReviewInsightsOutput] = Tool(
    name="review_insights",
    description="What reviewers say about a product: overall sentiment and recurring pros and cons with review ids.",
    input_model=ReviewInsightsInput,
    function=review_insights,
    discovery=True,
)
