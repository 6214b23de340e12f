"""Personal reranking of search candidates (relevance, affinity, MMR, rules)."""

from __future__ import annotations

from commerce.models import BehaviourEvent, EventKind
from ranking.rerank import RerankOptions
from ranking.schemas import Candidate as RankCandidate
from tools.base import ToolContext
from vectorstore.hybrid import Candidate
from vectorstore.query import SearchQuery

PERSONAL_SIGNALS = {"viewed", "purchased", "carted", "category", "brand", "price", "attribute", "interests",
                    "co_view", "co_purchase"}


def rerank_search(context: ToolContext, query: SearchQuery, candidates: list[Candidate]) -> list[Candidate]:
    """Reorder by relevance fused with the shopper's affinities and popularity; drop what business rules forbid.

    A personal reason ("because you viewed …") is appended to the candidate's reasons.
    """
    if not candidates:
        return candidates
    by_id = {candidate.product_id: candidate for candidate in candidates}
    offered = [
        RankCandidate(product_id=c.product_id, relevance=c.score, title=c.doc.title, brand=c.doc.brand,
                      category_path=list(c.doc.category_path), price=c.doc.price, in_stock=c.doc.in_stock,
                      attributes=dict(c.doc.attributes))
        for c in candidates
    ]
    options = RerankOptions(allow_out_of_stock=query.in_stock is False, now=context.now())
    ranked = context.deps.ranker.rerank(offered, context.shopper_id, options)
    reordered = []
    for item in ranked:
        candidate = by_id[item.product_id]
        if item.explanation.signal in PERSONAL_SIGNALS and item.explanation.text not in candidate.reasons:
            candidate.reasons.append(item.explanation.text)
        reordered.append(candidate)
    return reordered


def record_search(context: ToolContext, text: str) -> None:
    """A signed-in shopper's search becomes a behaviour event, stored behind the search (opted-out shoppers are not
    recorded)."""
    if context.shopper_id and text.strip():
        event = BehaviourEvent(shopper_id=context.shopper_id, kind=EventKind.SEARCH, query=text[:300], at=context.now())
        context.deps.ranker.recorder.record(event)
