"""Search results held to the kind of product asked for: products of another kind are never offered as matches.

When the retrieved products hold none of the kind, the kind's own products are looked for under the same constraints
(a kind the retrievers ranked low); failing that, each constraint is dropped in turn to name the one no product of the
kind meets ("no hiking boots under $67.98 — the cheapest is $95.99"); a kind the catalog plainly lacks is said so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from vectorstore.hybrid import Candidate
from vectorstore.product_types import TypeMatch
from vectorstore.query import SearchQuery

# Constraints a shopper can drop, in the order tried: what most often leaves a kind with nothing comes first.
RELAXABLE: tuple[str, ...] = ("price_max", "price_min", "brand", "colour", "size", "attributes", "exclude",
                              "in_stock", "min_rating")
EVIDENCE = 3  # the top retrieved products that can outvote an absence
KindStatus = Literal["matched", "constrained", "missing"]


class KindIndex(Protocol):
    def asked_kind(self, query: SearchQuery) -> TypeMatch | None: ...
    def near_kind(self, match: TypeMatch, leaf: str) -> bool: ...
    def retrieve(self, query: SearchQuery, k: int = 20) -> list[Candidate]: ...


@dataclass(frozen=True)
class KindSelection:
    match: TypeMatch
    status: KindStatus
    candidates: list[Candidate]
    blocked_by: str | None = None  # the constraint no product of the kind meets (status 'constrained')
    relaxed: SearchQuery | None = None  # the query without it
    others: list[Candidate] = field(default_factory=list)  # retrieved products of other kinds


def _of_kind(index: KindIndex, match: TypeMatch, query: SearchQuery, k: int, page: int,
             retrieved: list[Candidate] | None = None) -> list[Candidate]:
    """The retrieved products of the kind; fewer than a page of them, and the kind's own categories add theirs."""
    found = [c for c in retrieved or [] if match.holds(c.doc)]
    if len(found) < page and query.category is None:
        seen = {c.product_id for c in found}
        for leaf in sorted(match.types):
            for candidate in index.retrieve(query.model_copy(update={"category": leaf}), k):
                if candidate.product_id not in seen and match.holds(candidate.doc):
                    seen.add(candidate.product_id)
                    found.append(candidate)
    return found[:k]


def _without(query: SearchQuery, name: str) -> SearchQuery:
    update: dict[str, object] = {name: SearchQuery.model_fields[name].get_default(call_default_factory=True)}
    if name == "price_max":
        update["sort"] = "price_asc"
    if name == "price_min":
        update["sort"] = "price_desc"
    return query.model_copy(update=update)


def select_kind(index: KindIndex, query: SearchQuery, retrieved: list[Candidate], k: int,
                page: int = 5, known: TypeMatch | None = None) -> KindSelection | None:
    """The retrieved products held to the kind the query asks for (the rest kept apart in `others`, for a page the
    kind does not fill); None where no kind is understood. `known`: the kind the message's understanding already
    resolved against the catalog, used as it is."""
    match = known or index.asked_kind(query)
    if match is None:
        return None
    if not match.types:
        if any(match.holds(c.doc) for c in retrieved):
            return KindSelection(match, "matched", [c for c in retrieved if match.holds(c.doc)],
                                 others=[c for c in retrieved if not match.holds(c.doc)])
        # The best retrieved products being of a type close to the asked one outvote the absence the types alone
        # suggest: 'slippers women' is a search for slippers, whatever its word order.
        near = any(c.doc.category_path and index.near_kind(match, c.doc.category_path[-1])
                   for c in retrieved[:EVIDENCE])
        return KindSelection(match, "missing", [], others=retrieved[:k]) if match.absent and not near else None
    found = _of_kind(index, match, query, k, page, retrieved)
    if found:
        kept = {c.product_id for c in found}
        return KindSelection(match, "matched", found, others=[c for c in retrieved if c.product_id not in kept])
    for name in RELAXABLE:
        if getattr(query, name) in (None, [], {}):
            continue
        relaxed = _without(query, name)
        found = _of_kind(index, match, relaxed, k, page)
        if found:
            if relaxed.sort == "price_asc":
                found.sort(key=lambda c: c.doc.price)
            elif relaxed.sort == "price_desc":
                found.sort(key=lambda c: -c.doc.price)
            return KindSelection(match, "constrained", found, blocked_by=name, relaxed=relaxed)
    return KindSelection(match, "constrained", [])
