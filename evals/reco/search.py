"""Personalized vs plain reranking of search results for held-out purchases (BM25 from vectorstore when present)."""

from __future__ import annotations

from collections.abc import Callable

from evals.reco.data import HeldOut
from ranking.catalog import Catalog
from ranking.recommend import Intent, intent_matches
from ranking.rerank import RerankOptions, Signals, rerank
from ranking.schemas import Profile

SEARCH_CANDIDATES = 200
Retriever = Callable[[str], dict[str, float]]


def retriever(catalog: Catalog) -> tuple[Retriever, str]:
    """The search layer's BM25 index over title/brand/category/attributes, else query words found in that text."""
    try:
        from vectorstore.lexical import LexicalIndex
    except ImportError:
        return (lambda query: intent_matches(catalog, Intent(query=query))), "query-word overlap (no vectorstore)"
    ids = list(catalog.items)
    index = LexicalIndex()
    index.set_texts(range(len(ids)), [
        " ".join([item.title, item.brand, *item.category_path, *item.attributes.values()])
        for item in catalog.items.values()])
    return (lambda query: {ids[row]: score for row, score in index.search(query, SEARCH_CANDIDATES)}), \
        "BM25 (vectorstore.lexical)"


def search_lists(held_out: list[HeldOut], signals: Signals, profiles: dict[str, Profile | None],
                 options: RerankOptions, k: int) -> tuple[dict[str, list[list[str]]], str]:
    """Query = the search typed in the held-out session, else the held-out product's leaf category."""
    assert signals.catalog is not None and signals.popularity is not None
    catalog, popularity = signals.catalog, signals.popularity
    search, how = retriever(catalog)
    out: dict[str, list[list[str]]] = {"candidates": [], "plain rerank": [], "personal rerank": []}
    options = options.model_copy(update={"limit": k})
    for held in held_out:
        path = catalog.items[held.product_id].category_path if held.product_id in catalog.items else []
        matches = search(held.query or (path[-1] if path else ""))
        top = sorted(matches, key=lambda p: (-matches[p], -popularity.score(p)))[:SEARCH_CANDIDATES]
        candidates = [catalog.items[p].model_copy(update={"relevance": matches[p]}) for p in top]
        out["candidates"].append(top)
        out["plain rerank"].append([i.product_id for i in rerank(candidates, None, signals, options)])
        out["personal rerank"].append(
            [i.product_id for i in rerank(candidates, profiles[held.shopper_id], signals, options)])
    return out, how
