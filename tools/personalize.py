"""The shared ranker for tools, and personal reranking of search candidates (relevance, affinity, MMR, rules)."""

from __future__ import annotations

from commerce.models import BehaviourEvent, EventKind
from ranking.profile_store import record_event
from ranking.rerank import RerankOptions
from ranking.schemas import Candidate as RankCandidate
from ranking.service import Ranker
from tools.base import ToolContext
from vectorstore.hybrid import Candidate
from vectorstore.query import SearchQuery

RANKER_SERVICE = "ranker"
# Optional: a callable product_id -> vector, put into ToolContext.services by the search layer.
VECTOR_SERVICE = "product_vectors"
PERSONAL_SIGNALS = {"viewed", "purchased", "carted", "category", "brand", "price", "attribute", "interests",
                    "co_view", "co_purchase"}


def ranker_for(context: ToolContext) -> Ranker:
    ranker = context.services.get(RANKER_SERVICE)
    if ranker is None:
        ranker = Ranker(context.db, context.settings.profile_half_life_days, context.services.get(VECTOR_SERVICE))
        context.services[RANKER_SERVICE] = ranker
    return ranker


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
    ranked = ranker_for(context).rerank(offered, context.shopper_id, options)
    reordered = []
    for item in ranked:
        candidate = by_id[item.product_id]
        if item.explanation.signal in PERSONAL_SIGNALS and item.explanation.text not in candidate.reasons:
            candidate.reasons.append(item.explanation.text)
        reordered.append(candidate)
    return reordered


def record_search(context: ToolContext, text: str) -> None:
    """A signed-in shopper's search becomes a behaviour event (opted-out shoppers are not recorded)."""
    if context.shopper_id and text.strip():
        event = BehaviourEvent(shopper_id=context.shopper_id, kind=EventKind.SEARCH, query=text[:300], at=context.now())
        record_event(context.db, event, context.settings.profile_half_life_days, ranker_for(context).catalog)
