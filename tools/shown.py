"""Questions about products the shopper was just shown, answered from those products' own data: 'does the first
one come in navy?' (options, attributes, title and description) and 'which of these is the lightest?' (the figure
each product lists)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from commerce.models import Product
from commerce.store import get_products
from tools.base import Tool, ToolContext, ToolFailure
from vectorstore.vocab import COLOURS, ZH_TERMS

Answer = Literal["yes", "no", "not_listed"]
Source = Literal["option", "attribute", "title", "description", "none"]
Ranking = Literal["price_asc", "price_desc", "weight_asc", "weight_desc", "rating", "battery", "reviews"]
_ProductIds = Field(min_length=1, max_length=5, description="Ids of products shown, e.g. ['6086499569']")


class CheckProductsInput(BaseModel):
    product_ids: list[str] = _ProductIds
    asked: str = Field(min_length=1, max_length=120, description="What the shopper asks about, e.g. 'navy' or "
                       "'lumbar support'")


class ProductCheck(BaseModel):
    id: str
    title: str
    answer: Answer
    source: Source = "none"
    value: str = Field("", description="What the product lists, e.g. 'navy' or 'waterproof: yes'")
    choices: list[str] = Field(default_factory=list, description="The values it does have when the answer is no, "
                               "e.g. ['black', 'grey']")
    sizes: list[str] = Field(default_factory=list, description="Sizes of the variants that have the asked option")


class CheckProductsOutput(BaseModel):
    asked: str
    checks: list[ProductCheck]


class PickProductInput(BaseModel):
    product_ids: list[str] = _ProductIds
    by: Ranking = Field(description="What decides, e.g. 'weight_asc' for the lightest")


class PickedFigure(BaseModel):
    id: str
    title: str
    price: float
    currency: str
    figure: str = Field(description="The figure that decided, as the product lists it, e.g. '1.4kg'")


class PickProductOutput(BaseModel):
    by: Ranking
    best: PickedFigure | None = Field(None, description="None when no shown product lists the figure")
    compared: int = Field(description="How many shown products list the figure")
    listed: list[PickedFigure] = Field(default_factory=list)


def _products(context: ToolContext, ids: list[str]) -> list[Product]:
    with context.db.session() as session:
        found = get_products(session, ids)
    products = [found[product_id] for product_id in ids if product_id in found]
    if not products:
        raise ToolFailure("product_not_found", "product not found")
    return products


def _english(asked: str) -> str:
    """The asked words with Chinese catalog terms and colour words in English ('黑色' → 'black')."""
    text = asked.lower()
    for term in sorted(ZH_TERMS, key=len, reverse=True):
        text = text.replace(term, f" {ZH_TERMS[term]} ")
    return re.sub(r"\s+", " ", text).strip()


def _colour_of(text: str) -> str | None:
    for word, colour in COLOURS.items():
        if word in text if not word.isascii() else re.search(rf"\b{re.escape(word)}\b", text):
            return colour
    return None


def _contains(haystack: str, needle: str) -> bool:
    return bool(needle) and re.search(rf"(?<![a-z]){re.escape(needle)}(?![a-z])", haystack.lower()) is not None


def _check(product: Product, asked: str) -> ProductCheck:
    base = {"id": product.id, "title": product.title}
    colour = _colour_of(asked) or _colour_of(_english(asked))
    colours = {key: value for variant in product.variants for key, value in variant.options.items()
               if "colo" in key.lower()}
    if colour is not None and colours:
        having = [variant for variant in product.variants
                  if any(_colour_of(value.lower()) == colour for key, value in variant.options.items()
                         if "colo" in key.lower())]
        if having:
            sizes = sorted({value for variant in having for key, value in variant.options.items()
                            if "size" in key.lower()}, key=_size_key)
            return ProductCheck(**base, answer="yes", source="option", value=colour, sizes=sizes)
        choices = sorted({value for variant in product.variants for key, value in variant.options.items()
                          if "colo" in key.lower()})
        return ProductCheck(**base, answer="no", source="option", value=colour, choices=choices)
    words = [word for word in re.findall(r"[a-z0-9]+", _english(asked)) if word not in _FILLER and len(word) > 2]
    for key, value in product.attributes.items():
        if _covers(key, words) or (words and _contains(" ".join(words), key.lower())):
            answer: Answer = "no" if value.lower() in ("no", "none", "false") else "yes"
            return ProductCheck(**base, answer=answer, source="attribute", value=f"{key}: {value}")
        if _covers(f"{key} {value}", words):
            return ProductCheck(**base, answer="yes", source="attribute", value=f"{key}: {value}")
    for source, text in (("title", product.title), ("description", product.description)):
        if _covers(text, words) or (not asked.isascii() and asked in text):
            return ProductCheck(**base, answer="yes", source=source, value=asked)  # type: ignore[arg-type]
    return ProductCheck(**base, answer="not_listed")


_FILLER = frozenset("the and for with over via any some".split())


def _covers(text: str, words: list[str]) -> bool:
    """Every word asked about starts a word of the text ('connect over bluetooth' ~ 'connectivity: Bluetooth')."""
    lowered = text.lower()
    return bool(words) and all(re.search(rf"(?<![a-z0-9]){re.escape(word)}", lowered) for word in words)


def _size_key(value: str) -> tuple[int, float, str]:
    order = {"xxs": 0, "xs": 1, "s": 2, "m": 3, "l": 4, "xl": 5, "xxl": 6, "xxxl": 7}
    if value.lower() in order:
        return (0, order[value.lower()], value)
    try:
        return (1, float(value), value)
    except ValueError:
        return (2, 0.0, value)


def check_products(context: ToolContext, request: CheckProductsInput) -> CheckProductsOutput:
    products = _products(context, request.product_ids)
    return CheckProductsOutput(asked=request.asked, checks=[_check(product, request.asked) for product in products])


_UNITS = {"kg": 1000.0, "g": 1.0, "lb": 453.6, "lbs": 453.6, "oz": 28.35, "h": 1.0, "hours": 1.0, "day": 24.0,
          "days": 24.0}
_FIGURE = re.compile(r"(\d+(?:\.\d+)?)\s*(kg|g|lbs?|oz|h|hours|days?)\b", re.IGNORECASE)
_FIGURE_KEYS = {"weight_asc": "weight", "weight_desc": "weight", "battery": "battery"}


def _figure(product: Product, by: Ranking) -> tuple[float, str] | None:
    if by in ("price_asc", "price_desc"):
        return product.price, ""
    if by == "rating":
        return (product.rating, f"{product.rating:.1f}/5") if product.review_count else None
    if by == "reviews":
        return float(product.review_count), str(product.review_count)
    key = _FIGURE_KEYS[by]
    listed = [value for name, value in product.attributes.items() if key in name.lower()]
    listed += [value for variant in product.variants for name, value in variant.options.items() if key in name.lower()]
    for value in listed:
        if found := _FIGURE.search(value):
            return float(found.group(1)) * _UNITS[found.group(2).lower()], value
    return None


def pick_product(context: ToolContext, request: PickProductInput) -> PickProductOutput:
    products = _products(context, request.product_ids)
    figures = [(product, figure) for product in products if (figure := _figure(product, request.by)) is not None]
    listed = [PickedFigure(id=p.id, title=p.title, price=p.price, currency=p.currency, figure=shown)
              for p, (_, shown) in figures]
    if not figures:
        return PickProductOutput(by=request.by, compared=0)
    lowest_first = request.by in ("price_asc", "weight_asc")
    best_index = min(range(len(figures)), key=lambda i: figures[i][1][0] * (1 if lowest_first else -1))
    return PickProductOutput(by=request.by, best=listed[best_index], compared=len(figures), listed=listed)


SHOWN_PRODUCT_TOOLS: list[Tool[Any, Any]] = [
    Tool("check_products", "Check whether products shown have an option, colour or feature the shopper asks about.",
         CheckProductsInput, check_products, discovery=True),
    Tool("pick_product", "Pick the cheapest, lightest, best-rated (etc.) among products shown.",
         PickProductInput, pick_product, discovery=True),
]
