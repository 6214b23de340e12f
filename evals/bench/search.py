"""`shopassist bench search`: search latency with and without filters against bare Chroma, indexing throughput, memory.

The catalog is synthetic (random categories, brands, prices, stock and unit vectors) so 100k products need no
embedding; embedding throughput is measured separately on real ESCI product texts.
"""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vectorstore import chroma
from vectorstore.documents import ProductDoc
from vectorstore.filters import build_mask
from vectorstore.fusion import BM25, MINILM, PRF, USE
from vectorstore.hybrid import ProductIndex
from vectorstore.ltr import LearnedRanker
from vectorstore.query import SearchQuery
from vectorstore.spaces import DenseSpace

WORDS = ("boot shoe jacket tent lamp desk chair mug kettle knife pan bag bottle watch phone cable mouse keyboard "
         "monitor speaker towel pillow blanket sofa table rug candle soap shampoo lotion toy puzzle game book").split()
ADJECTIVES = "light heavy red blue black waterproof soft warm compact large small classic modern premium".split()
CATEGORIES = [("Home", "Kitchen"), ("Home", "Bath"), ("Shoes", "Hiking"), ("Shoes", "Running"), ("Outdoor", "Tents"),
              ("Electronics", "Audio"), ("Electronics", "Phones"), ("Toys", "Puzzles"), ("Books", "Fiction"),
              ("Apparel", "Jackets")]
BRANDS = [f"Brand{i}" for i in range(40)]
SPACES = ((MINILM, 384), (USE, 512))  # the shipped spaces and their sizes


class TableEmbedder:
    """Synthetic vectors for synthetic texts: each text maps to a fixed random unit vector."""

    def __init__(self, seed: int, dim: int) -> None:
        self.name = f"synthetic-{dim}"
        self.dim = dim
        self.rng = np.random.default_rng(seed)
        self.table: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            if text not in self.table:
                vector = self.rng.standard_normal(self.dim).astype(np.float32)
                self.table[text] = vector / np.linalg.norm(vector)
            out[i] = self.table[text]
        return out


def synthetic_docs(n: int, rng: np.random.Generator) -> list[ProductDoc]:
    docs = []
    for i in range(n):
        words = [str(w) for w in rng.choice(ADJECTIVES, 2)] + [str(w) for w in rng.choice(WORDS, 2)]
        root, leaf = CATEGORIES[int(rng.integers(len(CATEGORIES)))]
        brand = BRANDS[int(rng.integers(len(BRANDS)))]
        title = " ".join(words)
        docs.append(ProductDoc(
            id=f"p{i:07d}", embed_text=f"{title} | {brand} | {root} > {leaf}", lexical_text=f"{title} {brand} {leaf}",
            title=title, brand=brand, category_path=(root, leaf), price=float(rng.uniform(5, 300)), currency="USD",
            in_stock=bool(rng.random() < 0.8), rating=float(rng.uniform(1, 5)), language="en",
            colours=frozenset({str(rng.choice(["red", "blue", "black", "white"]))}), sizes=frozenset(), attributes={},
        ))
    return docs


def queries(rng: np.random.Generator, count: int) -> list[tuple[SearchQuery, dict[str, Any]]]:
    """(our query, the equivalent Chroma `where`) pairs; filters mix price, stock, category and brand."""
    out = []
    for i in range(count):
        text = " ".join(str(w) for w in rng.choice(WORDS + ADJECTIVES, 2))
        price = float(rng.choice([30, 60, 120]))
        if i % 2 == 0:
            query = SearchQuery(text=text, price_max=price, in_stock=True)
            where = {"$and": [{"price": {"$lte": price}}, {"in_stock": True}]}
        else:
            root, leaf = CATEGORIES[int(rng.integers(len(CATEGORIES)))]
            query = SearchQuery(text=text, price_max=price, category=leaf)
            where = {"$and": [{"price": {"$lte": price}}, {"category": f"{root} > {leaf}"}]}
        out.append((query, where))
    return out


def percentiles(samples: list[float]) -> dict[str, float]:
    return {"p50_ms": round(float(np.percentile(samples, 50)) * 1000, 2),
            "p95_ms": round(float(np.percentile(samples, 95)) * 1000, 2)}


def timed(calls: Sequence[Callable[[], object]]) -> dict[str, float]:
    for call in calls[:5]:
        call()  # warm-up: caches, lazy BM25 build, query vectors
    samples = []
    for call in calls:
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def stage_times(index: ProductIndex, query: SearchQuery) -> dict[str, float]:
    """Seconds per stage of one search as `retrieve` runs it: filter mask, each dense space (query embedding is
    cached), BM25, feedback BM25, fusion with exclusions, learned ranker."""
    times: dict[str, float] = {}
    started = time.perf_counter()
    mask = build_mask(index.table, query) if query.has_filters() else None
    times["mask"] = time.perf_counter() - started
    depth = index.fusion.depth * (3 if query.exclude else 1)
    lists = {}
    for space in index.spaces:
        started = time.perf_counter()
        lists[space.key] = space.index.search(space.query_vector(query.text), depth, mask)
        times[f"dense_{space.key}"] = time.perf_counter() - started
    started = time.perf_counter()
    lists[BM25] = index.lexical.search(query.text, depth, mask)
    times["bm25"] = time.perf_counter() - started
    if index.fusion.weights_for(query.language).get(PRF, 0) > 0:
        started = time.perf_counter()
        lists[PRF] = index.lexical.search(index.feedback_text(lists[USE]), depth, mask)
        times["feedback_bm25"] = time.perf_counter() - started
    started = time.perf_counter()
    candidates = index.candidates(query, lists, index.fusion.weights_for(query.language),
                                   index.fusion.k_for(query.language), depth)
    times["fusion"] = time.perf_counter() - started
    started = time.perf_counter()
    index.rerank(query, candidates[: index.fusion.depth])
    times["ranker"] = time.perf_counter() - started
    return times


def staged(index: ProductIndex, queries: Sequence[SearchQuery]) -> dict[str, dict[str, float]]:
    for query in queries[:5]:
        stage_times(index, query)  # warm-up
    samples = [stage_times(index, query) for query in queries]
    out = {name: percentiles([sample[name] for sample in samples]) for name in samples[0]}
    out["total"] = percentiles([sum(sample.values()) for sample in samples])
    return out


def bench_size(n: int, query_count: int, folder: Path, seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    docs = synthetic_docs(n, rng)
    client = chroma.make_client_at(folder / f"chroma-{n}")
    spaces = [DenseSpace(key, TableEmbedder(seed + i, dim), chroma.collection(client, f"bench_{key}_{n}", key))
              for i, (key, dim) in enumerate(SPACES)]
    index = ProductIndex(spaces, ranker=LearnedRanker())
    started = time.perf_counter()
    index.add_docs(docs, batch=5_000)
    index_seconds = time.perf_counter() - started
    index.lexical.search("warm up", 1)
    pairs = queries(rng, query_count)
    col, embedder = spaces[0].col, spaces[0].embedder
    vectors = {query.text: embedder.embed([query.text])[0] for query, _ in pairs}
    plain = [SearchQuery(text=query.text) for query, _ in pairs]
    result = {
        "products": n,
        "spaces": [f"{key} {dim}-d" for key, dim in SPACES],
        "learned_ranker": index.ranker is not None and index.ranker.available,
        "index_products_per_s_excluding_embedding": round(n / index_seconds, 1),
        "ours_search_no_filter": timed([lambda q=q: index.retrieve(q, 50) for q in plain]),
        "ours_search_filtered": timed([lambda q=q: index.retrieve(q, 50) for q, _ in pairs]),
        "ours_dense_no_filter": timed([lambda q=q: index.retrieve(q, 50, [MINILM]) for q in plain]),
        "ours_dense_filtered": timed([lambda q=q: index.retrieve(q, 50, [MINILM]) for q, _ in pairs]),
        "chroma_no_filter": timed([lambda q=q: col.query(query_embeddings=[vectors[q.text]], n_results=50)
                                   for q in plain]),
        "chroma_filtered": timed([lambda q=q, w=w: col.query(query_embeddings=[vectors[q.text]], n_results=50, where=w)
                                  for q, w in pairs]),
        "stages_no_filter": staged(index, plain),
        "stages_filtered": staged(index, [q for q, _ in pairs]),
    }
    result["ratio_chroma_filtered_p95_over_ours_dense_filtered_p95"] = round(
        result["chroma_filtered"]["p95_ms"] / max(result["ours_dense_filtered"]["p95_ms"], 1e-6), 1)
    return result


def embedding_throughput(sample: int = 500) -> dict[str, Any]:
    """Real MiniLM and USE on ESCI product texts (title | brand | category), no cache."""
    from evals.search.esci import esci_docs
    from shopassist.settings import get_settings
    from vectorstore.embeddings import MiniLMEmbedder
    from vectorstore.multilingual import USEEmbedder
    from vectorstore.onnx_embedder import OnnxMiniLMEmbedder

    texts = [doc.embed_text for doc in esci_docs()[:sample]]
    models = get_settings().model_cache_dir
    out: dict[str, Any] = {"texts": len(texts)}
    for name, embedder in (("torch", MiniLMEmbedder()), ("onnx", OnnxMiniLMEmbedder(models)),
                           ("onnx_int8", OnnxMiniLMEmbedder(models, int8=True)), ("use", USEEmbedder())):
        embedder.embed(texts[:16])
        started, cpu_started = time.perf_counter(), time.process_time()
        embedder.embed(texts)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        # CPU seconds hold up on a shared machine: with N idle cores, wall rate ~ N x the per-CPU-second rate.
        out[name] = {"products_per_s": round(len(texts) / seconds, 1),
                     "products_per_cpu_s": round(len(texts) / cpu_seconds, 1)}
    return out


def run(sizes: Sequence[int], query_count: int) -> dict[str, Any]:
    import os

    with tempfile.TemporaryDirectory() as tmp:
        results = [bench_size(n, query_count, Path(tmp)) for n in sizes]
    return {
        "sizes": results,
        "embedding": embedding_throughput(),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
