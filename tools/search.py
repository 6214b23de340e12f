"""`search_products`: hybrid product search with parsed and explicit constraints, and a reason for every hit."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from commerce.preferences import list_preferences
from commerce.text import has_cjk
from tools.base import Tool, ToolContext
from tools.currency import CurrencyConversion, in_shop_currency
from tools.display import ProductCard
from tools.personalize import record_search, rerank_search
from tools.preference_filters import AppliedPreference, applicable, apply_preferences
from vectorstore.filters import reasons
from vectorstore.hybrid import Candidate
from vectorstore.kinds import KindStatus, select_kind
from vectorstore.lexical import LexicalIndex, tokenize
from vectorstore.product_types import TypeMatch, head_phrase
from vectorstore.query import SearchQuery, Vocabulary, merge_query, parse_query

KEY_ATTRIBUTES = 4
# Capitalised words that are no brand: a shop that lacks them says nothing about its brands.
_NOT_BRANDS = frozenset(
    "i english chinese american european japanese christmas easter monday tuesday wednesday thursday friday saturday "
    "sunday january february march april may june july august september october november december dad mom mum "
    "mother father usa us uk eu please thanks hi hello".split()
)
_TITLE_WORD = re.compile(r"(?<=\s)[A-Z][a-z]{2,}\b")


class SearchProductsInput(BaseModel):
    """Find products in this shop. Put the product words in `query`; constraints go in their own fields."""

    model_config = ConfigDict(extra="forbid")
    query: str = Field("", max_length=300, description="What the shopper wants, e.g. 'waterproof hiking boots'")
    min_price: float | None = Field(None, ge=0, description="Lowest price, e.g. 20")
    max_price: float | None = Field(None, ge=0, description="Highest price, e.g. 120")
    currency: str | None = Field(None, description="ISO code of the prices given, e.g. 'USD' or 'CNY'")
    brand: list[str] | None = Field(None, description="Any of these brands, e.g. ['Northpeak']")
    colour: list[str] | None = Field(None, description="Any of these colours, e.g. ['red']")
    size: list[str] | None = Field(None, description="Any of these sizes, e.g. ['M'] or ['10']")
    category: str | None = Field(None, description="Only when the shopper limits the search to one of this shop's "
                                 "categories, e.g. 'Hiking Boots'; product words ('boots') belong in query")
    attributes: dict[str, str] | None = Field(None, description="Exact attributes, e.g. {'waterproof': 'yes'}")
    in_stock: bool | None = Field(None, description="true: only products that ship now")
    min_rating: float | None = Field(None, ge=0, le=5, description="e.g. 4")
    exclude: list[str] | None = Field(None, description="Words the product must not have, e.g. ['leather']")
    sort: Literal["relevance", "price_asc", "price_desc", "rating"] | None = None
    limit: int = Field(5, ge=1, le=20)
    ignore_preferences: bool = Field(False, description="true only when the shopper asks to see everything "
                                     "('show all'), without their saved preferences")
    product_type: list[str] | None = Field(None, description="The shop's product types the shopper asked for, when "
                                           "known, e.g. ['Sleeping Bags']")
    recipient: str | None = Field(None, max_length=64, description="Who the products are for when the shopper buys "
                                  "for someone, e.g. 'wife' for 'a gift for my wife': that person's saved "
                                  "preferences apply instead of the shopper's")


class ProductHit(BaseModel):
    id: str
    title: str
    price: float
    currency: str
    in_stock: bool
    brand: str
    category: str
    rating: float
    attributes: dict[str, str] = Field(description="Key attributes, e.g. {'material': 'mesh'}")
    reason: str = Field(description="Constraints this product matched, e.g. 'price 89.00 USD within range; in stock'")
    other_kind: bool = Field(False, description="Not of the kind asked for: shown only as the closest alternative")


class KindCheck(BaseModel):
    """The kind of product asked for, and whether the hits are of it."""

    asked: str = Field(description="The kind asked for, in the shopper's words, e.g. 'hiking boots'")
    status: KindStatus = Field(description="matched: the hits are of the kind; constrained: the shop has the kind "
                               "but none meets `blocked_by`, the hits are the kind without it; missing: the shop "
                               "does not carry the kind, the hits are other kinds")
    blocked_by: str | None = Field(None, description="The constraint no product of the kind meets, e.g. 'price_max'")


class SearchProductsOutput(BaseModel):
    query: SearchQuery = Field(description="The constraints that were applied, prices in the shop's currency")
    hits: list[ProductHit]
    note: str = ""
    conversion: CurrencyConversion | None = Field(
        None, description="Set when the shopper's price limit was in another currency and was converted")
    unconverted_currency: str | None = Field(
        None, description="A currency the shop cannot convert, e.g. 'JPY': its price limit was not applied")
    closest_only: bool = Field(
        False, description="No hit's title or category has any word of the query: the shop seems not to carry it, "
        "and these are only the closest products")
    nearest_to: str | None = Field(
        None, description="The kind a Chinese request names that no hit's title has and the catalog neither has nor "
        "plainly lacks, e.g. '电饭煲': these are the nearest products, with no claim either way")
    kind: KindCheck | None = Field(None, description="Set when the query names a kind of product")
    unknown_brand: str | None = Field(None, description="A brand asked for that the shop does not carry, e.g. 'Sony'")
    preferences: list[AppliedPreference] = Field(
        default_factory=list, description="The shopper's saved preferences that changed these results; they can "
        "say 'show all' to see them without")

    def product_cards(self) -> list[ProductCard]:
        return [ProductCard(id=h.id, title=h.title, price=h.price, currency=h.currency, in_stock=h.in_stock,
                            reason=h.reason) for h in self.hits]


def _known_filters(arguments: SearchProductsInput, vocabulary: Vocabulary) -> tuple[SearchProductsInput, str]:
    """A brand, category or attribute the catalog does not have is the planner's guess ('Starbucks', a brand
    'Leather'): it becomes query words instead of a filter that would hide everything."""
    brands = {brand.lower(): brand for brand in vocabulary.brands}
    categories = {category.lower(): category for category in vocabulary.categories}
    flags = {flag.lower() for flag in vocabulary.flags}
    words: list[str] = []
    brand = [brands[b.lower()] for b in arguments.brand or [] if b.lower() in brands] or None
    words += [b for b in arguments.brand or [] if b.lower() not in brands]
    category = categories.get((arguments.category or "").lower())
    words += [arguments.category] if arguments.category and category is None else []
    attributes = {k: v for k, v in (arguments.attributes or {}).items() if k.lower() in flags} or None
    known = arguments.model_copy(update={"brand": brand, "category": category, "attributes": attributes})
    said = arguments.query.lower()
    return known, " ".join(word for word in words if word.lower() not in said)


def to_search_query(arguments: SearchProductsInput, vocabulary: Vocabulary | None = None) -> SearchQuery:
    extra_words = ""
    if vocabulary is not None:
        arguments, extra_words = _known_filters(arguments, vocabulary)
    explicit = {
        "price_min": arguments.min_price, "price_max": arguments.max_price, "currency": arguments.currency,
        "brand": arguments.brand, "colour": arguments.colour, "size": arguments.size,
        "category": arguments.category, "attributes": arguments.attributes, "in_stock": arguments.in_stock,
        "min_rating": arguments.min_rating, "exclude": arguments.exclude, "sort": arguments.sort,
    }
    parsed = parse_query(f"{arguments.query} {extra_words}".strip(), vocabulary)
    return merge_query(parsed, {key: value for key, value in explicit.items() if value is not None})


def order_hits(query: SearchQuery, candidates: list[Candidate]) -> list[Candidate]:
    if query.sort == "price_asc":
        return sorted(candidates, key=lambda c: c.doc.price)
    if query.sort == "price_desc":
        return sorted(candidates, key=lambda c: -c.doc.price)
    if query.sort == "rating":
        return sorted(candidates, key=lambda c: -c.doc.rating)
    return candidates


def hit(candidate: Candidate, query: SearchQuery, other_kind: bool = False) -> ProductHit:
    doc = candidate.doc
    return ProductHit(
        id=doc.id, title=doc.title, price=round(doc.price, 2), currency=doc.currency, in_stock=doc.in_stock,
        brand=doc.brand, category=" > ".join(doc.category_path), rating=doc.rating, other_kind=other_kind,
        attributes=dict(list(doc.attributes.items())[:KEY_ATTRIBUTES]),
        reason="; ".join(reasons(doc, query) + candidate.reasons) or "matches the words of the query",
    )


def _alike(word: str, other: str) -> bool:
    """The same word, or two words sharing their first four letters ('charger' ~ 'charging', 'cooking' ~ 'cookbook')."""
    return word == other or (len(word) >= 4 and len(other) >= 4 and word[:4] == other[:4])


def closest_only(query: SearchQuery, hits: list[ProductHit]) -> bool:
    """True when no hit names any English word of the query (Chinese terms read through their translation): '剃须刀'
    (razor) finding chef's knives, 'usb-c cable' finding headphones. A query without English words claims nothing."""
    words = {word for word in tokenize(query.text) if word.isascii() and len(word) > 2}
    if not words or not hits:
        return False
    named = {word for hit in hits for word in tokenize(f"{hit.title} {hit.category}")}
    return not any(_alike(word, other) for word in words for other in named)


def nearest_to(query: SearchQuery, hits: list[ProductHit]) -> str | None:
    """The kind a Chinese request names ('电饭煲') when no hit's title has it: its catalog-word translation found
    these ('cookware'), too loose to call them that kind, too close to say the shop lacks it."""
    head = head_phrase(query.wording or query.text)
    if head is None or not has_cjk(head) or not hits or any(head in hit.title for hit in hits):
        return None
    return head


def unknown_brand(arguments: SearchProductsInput, vocabulary: Vocabulary, lexical: LexicalIndex) -> str | None:
    """A brand the shopper named that no product mentions: one the planner put in `brand`, or a capitalised word
    inside the message ('有没有 Sony 的耳机')."""
    brands = {brand.lower() for brand in vocabulary.brands}
    named = [*(arguments.brand or []), *_TITLE_WORD.findall(f" {arguments.query}")]
    for name in named:
        if name.lower() not in brands and name.lower() not in _NOT_BRANDS and lexical.document_frequency(name) == 0:
            return name
    return None


Ranked = list[tuple[Candidate, int]]  # candidates with their group: 0 the kind asked for, 1 the others


def _with_preferences(context: ToolContext, arguments: SearchProductsInput, query: SearchQuery,
                      ordered: Ranked) -> tuple[Ranked, list[AppliedPreference]]:
    """The candidates with the signed-in shopper's saved preferences applied as soft filters."""
    if context.shopper_id is None or arguments.ignore_preferences or not ordered:
        return ordered, []
    with context.db.session() as session:
        preferences = applicable(list_preferences(session, context.shopper_id), query, arguments.recipient or "")
    if query.sort not in (None, "relevance"):
        preferences = [p for p in preferences if p.avoid]  # an asked-for order (cheapest first) stays
    if not preferences:
        return ordered, []
    positions, stated = apply_preferences(preferences, [candidate.doc for candidate, _ in ordered],
                                          [group for _, group in ordered])
    return [ordered[position] for position in positions], stated


def _known_kind(arguments: SearchProductsInput, vocabulary: Vocabulary) -> TypeMatch | None:
    """The kind the message's understanding resolved: the shop's own product types, unknown ones dropped."""
    types = frozenset(name for name in arguments.product_type or [] if name.lower() in vocabulary.categories)
    if not types:
        return None
    return TypeMatch(asked=head_phrase(arguments.query) or sorted(types)[0].lower(), types=types, score=1.0,
                     absent=False)


def search_products(context: ToolContext, arguments: SearchProductsInput) -> SearchProductsOutput:
    service = context.deps.search
    vocabulary = service.vocabulary()
    prices = in_shop_currency(to_search_query(arguments, vocabulary), context.settings)
    query = prices.query
    # The bounds are in the shop's currency now; no currency tells the index not to convert them again.
    index_query = query.model_copy(update={"currency": None})
    retrieved = service.products.retrieve(index_query, k=arguments.limit * 4)
    selection = select_kind(service.products, index_query, retrieved, arguments.limit * 4,
                            known=_known_kind(arguments, vocabulary))
    kind, groups = None, [retrieved]
    if selection is not None:
        kind = KindCheck(asked=selection.match.asked, status=selection.status, blocked_by=selection.blocked_by)
        groups = [selection.candidates, selection.others if selection.status != "constrained" else []]
    shown = query if selection is None or selection.relaxed is None else selection.relaxed
    # A pool larger than the page lets personal reranking and sorting by price or rating choose among relevant items;
    # the products of the asked kind stay ahead of the others.
    ordered = [(candidate, number) for number, group in enumerate(groups)
               for candidate in order_hits(shown, rerank_search(context, query, group))]
    ordered, stated = _with_preferences(context, arguments, query, ordered)
    record_search(context, arguments.query)
    other_kind = selection is not None and selection.status != "constrained"
    hits = [hit(candidate, shown, other_kind=other_kind and number == 1)
            for candidate, number in ordered[: arguments.limit]]
    notes = []
    if prices.unconverted_currency:
        notes.append(f"Prices in {prices.unconverted_currency} cannot be converted here, so no price limit was "
                     f"applied; this shop's prices are in {context.settings.shop_currency}.")
    if not hits:
        notes.append("No product matches all of these constraints; try relaxing one.")
    # A request that names no kind ('something for my trip') can't have been missed: it claims nothing.
    named = head_phrase(query.wording or query.text) is not None
    closest = kind.status == "missing" if kind is not None else named and closest_only(query, hits)
    nearest = nearest_to(query, hits) if kind is None and not closest else None
    if closest:
        notes.append("The shop seems not to carry what was asked for: these are only the closest products.")
    if kind is not None and kind.status == "constrained" and hits:
        notes.append(f"No {kind.asked} meets {kind.blocked_by}; these are {kind.asked} without that constraint.")
    return SearchProductsOutput(query=query, hits=hits, note=" ".join(notes), conversion=prices.conversion,
                                unconverted_currency=prices.unconverted_currency, closest_only=closest,
                                nearest_to=nearest, kind=kind,
                                unknown_brand=unknown_brand(arguments, vocabulary, service.products.lexical),
                                preferences=stated)


SEARCH_PRODUCTS: Tool[SearchProductsInput, SearchProductsOutput] = Tool(
    name="search_products",
    description="Search this shop's catalog (English or Chinese). Returns products with price, stock and why each "
    "matched. Use for any request to find, browse or compare products.",
    input_model=SearchProductsInput,
    function=search_products,
    discovery=True,
)
