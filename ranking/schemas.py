"""Pydantic models at the ranking boundary: candidates in, ranked items with explanations out, profiles stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time in ranking is UTC-aware."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]

Signal = Literal["relevance", "viewed", "purchased", "carted", "category", "brand", "price", "attribute",
                 "interests", "co_view", "co_purchase", "popular", "intent", "similar", "random"]


class Candidate(BaseModel):
    """One product offered to the reranker (by search or by candidate generation)."""

    model_config = ConfigDict(extra="ignore")

    product_id: str
    relevance: float = Field(0.0, description="Caller's relevance; divided by the list maximum (min-max if negative)")
    title: str = ""
    brand: str = ""
    category_path: list[str] = Field(default_factory=list)
    price: float = Field(0.0, ge=0)
    in_stock: bool = True
    attributes: dict[str, str] = Field(default_factory=dict)
    embedding: list[float] | None = None
    reason: Explanation | None = Field(None, description="Why the caller offered it; used when relevance dominates")


class Explanation(BaseModel):
    signal: Signal
    text: str = Field(description="Shopper-facing reason, e.g. 'because you viewed Trail Runner 2'")
    product_id: str | None = Field(None, description="The product the reason refers to, when there is one")


class RankedItem(BaseModel):
    product_id: str
    score: float
    rank: int
    explanation: Explanation
    contributions: dict[str, float] = Field(default_factory=dict, description="Score parts by signal")


class SeenProduct(BaseModel):
    """A product the shopper interacted with; only catalog facts and decayed weight, nothing personal beyond that."""

    weight: float
    kind: str
    at: UtcDatetime
    title: str = ""


class Profile(BaseModel):
    """Decayed affinities of one shopper; weights are as of `as_of` and decay with `half_life_days`."""

    shopper_id: str
    as_of: UtcDatetime
    half_life_days: float = Field(gt=0)
    events: int = 0
    categories: dict[str, float] = Field(default_factory=dict, description="'Shoes > Running' -> weight")
    brands: dict[str, float] = Field(default_factory=dict)
    price_bands: dict[str, float] = Field(default_factory=dict, description="'Shoes:2' -> weight (band 0..4)")
    attributes: dict[str, float] = Field(default_factory=dict, description="'color=blue' -> weight")
    products: dict[str, SeenProduct] = Field(default_factory=dict, description="Most weighted recent products")
    purchased: dict[str, UtcDatetime] = Field(default_factory=dict, description="product id -> last purchase")
    embedding: list[float] | None = None
    embedding_weight: float = 0.0

    @property
    def empty(self) -> bool:
        return not self.categories and not self.products


Candidate.model_rebuild()
