"""What a tool result shows the shopper besides words: product cards and citations, declared by the output model."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pydantic import BaseModel, Field


class ProductCard(BaseModel):
    id: str
    title: str
    price: float
    currency: str = "USD"
    image: str = ""
    url: str = ""
    in_stock: bool = True
    reason: str = Field("", description="Why it is shown, e.g. 'matches: under $120, waterproof'")


class Citation(BaseModel):
    id: str
    title: str
    section: str
    source: str


@runtime_checkable
class ShowsProducts(Protocol):
    def product_cards(self) -> list[ProductCard]: ...


@runtime_checkable
class ShowsCitations(Protocol):
    def citations(self) -> list[Citation]: ...
