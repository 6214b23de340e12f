"""What a turn's shopper asked for that the shop could not meet, read from the tools' typed results (never the text)."""

from __future__ import annotations

import re

from agent.events import UnmetDemand
from agent.state import ToolOutcome
from tools.faq import SearchFaqOutput
from tools.search import SearchProductsOutput

_PRICE_BLOCKS = {"price_max", "price_min"}
_SPACES = re.compile(r"\s+")
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


def normalized(term: str) -> str:
    """One spelling per thing asked for: lower case, single spaces, an English plural made singular ('Kayaks' →
    'kayak', 'boxes' → 'box'); Chinese kept as written."""
    words = [_singular(word) for word in _SPACES.split(_EDGES.sub("", term.strip().lower())) if word]
    return " ".join(words)[:200]


def _singular(word: str) -> str:
    if not word.isascii() or len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "zes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def _price(output: SearchProductsOutput) -> str:
    query = output.query
    if query.price_max is not None and query.price_min is not None:
        return f"{query.price_min:g}-{query.price_max:g}"
    if query.price_max is not None:
        return f"under {query.price_max:g}"
    return f"from {query.price_min:g}" if query.price_min is not None else ""


def _from_search(output: SearchProductsOutput) -> list[UnmetDemand]:
    found: list[UnmetDemand] = []
    words = output.query.wording or output.query.text
    if output.unknown_brand:
        found.append(UnmetDemand(kind="brand", term=normalized(output.unknown_brand)))
    kind = output.kind
    if kind is not None and kind.status == "missing":
        found.append(UnmetDemand(kind="kind", term=normalized(kind.asked)))
    elif kind is not None and kind.status == "constrained":
        asked = normalized(kind.asked)
        if kind.blocked_by in _PRICE_BLOCKS:
            found.append(UnmetDemand(kind="price", term=f"{asked} {_price(output)}".strip()))
        elif kind.blocked_by == "size":
            found.append(UnmetDemand(kind="size", term=f"{asked} size {'/'.join(output.query.size)}"))
        elif kind.blocked_by == "brand" and not output.unknown_brand:
            found.append(UnmetDemand(kind="brand", term=f"{asked} {'/'.join(output.query.brand).lower()}"))
        elif not output.hits:
            found.append(UnmetDemand(kind="zero_result", term=normalized(words)))
    elif kind is None and output.closest_only and words:
        found.append(UnmetDemand(kind="kind", term=normalized(words)))
    if not output.hits and not found:
        found.append(UnmetDemand(kind="zero_result", term=normalized(words)))
    return [item for item in found if item.term]


def unmet_demand(outcomes: list[ToolOutcome]) -> list[UnmetDemand]:
    """Each unmet want of the turn once: kinds and brands the catalog lacks, sizes and prices its products of the
    kind cannot meet, searches that found nothing, policy questions without an answer."""
    found: list[UnmetDemand] = []
    for outcome in outcomes:
        if not outcome.ok:
            continue
        if isinstance(outcome.output, SearchProductsOutput):
            found += _from_search(outcome.output)
        elif isinstance(outcome.output, SearchFaqOutput) and not outcome.output.found:
            question = str(outcome.arguments.get("query") or "")
            found.append(UnmetDemand(kind="policy", term=normalized(question)))
    unique: dict[tuple[str, str], UnmetDemand] = {(item.kind, item.term): item for item in found if item.term}
    return list(unique.values())


def searched_terms(outcomes: list[ToolOutcome]) -> list[str]:
    """The words of the turn's product searches, normalized (for top searches)."""
    terms = [normalized(outcome.output.query.wording or outcome.output.query.text) for outcome in outcomes
             if outcome.ok and isinstance(outcome.output, SearchProductsOutput)]
    return list(dict.fromkeys(term for term in terms if term))
