"""`shopassist eval retrieval` and `shopassist bench search`: the search evaluation and benchmark commands."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer

Dataset = Annotated[Literal["esci", "demo"], typer.Option("--dataset", help="esci (Amazon ESCI subset) or demo")]
Out = Annotated[Path | None, typer.Option("--out", help="JSON report path (default var/reports/...)")]


def _default_out(kind: str) -> Path:
    from shopassist.settings import get_settings

    return get_settings().data_dir / "reports" / f"{kind}-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"


def retrieval_command(
    dataset: Dataset = "esci",
    out: Out = None,
    embedder_kind: Annotated[str, typer.Option("--embedder", help="minilm | minilm-int8 | minilm-torch")] = "minilm",
) -> None:
    """NDCG@10, Recall@10/50 and MRR for dense, BM25 and hybrid retrieval, overall and per language."""
    from evals.search.retrieval import evaluate, print_table, write
    from shopassist.settings import get_settings
    from vectorstore.hybrid import ProductIndex
    from vectorstore.service import default_embedder

    settings = get_settings()
    embedder = default_embedder(settings, embedder_kind)
    index = ProductIndex(embedder)
    if dataset == "esci":
        from evals.search.esci import esci_docs, esci_queries
        from vectorstore.query import SearchQuery

        docs, labeled = esci_docs(), esci_queries()
        search_queries = [SearchQuery(text=q.text) for q in labeled]
    else:
        from commerce.db import Database
        from evals.search.demo_queries import demo_docs, label_demo_queries, load_specs
        from vectorstore.query import parse_query
        from vectorstore.service import catalog_vocabulary

        database = Database(settings.sqlalchemy_url)
        docs = demo_docs(database)
        if not docs:
            typer.echo("error: no products in the database; run `shopassist data generate` first", err=True)
            raise typer.Exit(2)
        labeled, specs = label_demo_queries(load_specs(), docs)
    started = time.perf_counter()
    embedded = index.add_docs(docs)
    seconds = time.perf_counter() - started
    if dataset == "demo":
        vocabulary = catalog_vocabulary(index.table)
        search_queries = [parse_query(spec.text, vocabulary) for spec in specs]
    misses = getattr(embedder, "misses", embedded)
    typer.echo(f"indexed {len(docs)} products in {seconds:.1f}s ({misses} embedded now, the rest from the cache)")
    result = evaluate(index, labeled, search_queries, tune_fusion=dataset == "esci")
    result.update(dataset=dataset, embedder=embedder.name, index_seconds=round(seconds, 2), embedded_now=misses,
                  gains="E=1, S=0.1, C=0.01, I=0; unjudged 0; recall/MRR with E relevant" if dataset == "esci"
                  else "rule labels: 1 = meets every rule, 0 otherwise (evals/search/demo_queries.py)")
    print_table(result, typer.echo)
    path = out or _default_out(f"retrieval-{dataset}")
    write(result, path)
    typer.echo(f"\nwrote {path}")


def bench_search_command(
    products: Annotated[str, typer.Option("--products", help="Catalog sizes, comma-separated")] = "10000,100000",
    queries: Annotated[int, typer.Option("--queries", help="Queries per measurement")] = 200,
    out: Out = None,
) -> None:
    """p50/p95 search latency with and without filters (ours vs bare Chroma), indexing throughput, peak memory."""
    import json

    from evals.bench.search import run

    sizes = [int(size) for size in products.split(",") if size.strip()]
    result = run(sizes, queries)
    for row in result["sizes"]:
        typer.echo(f"\n== {row['products']:,} products (index {row['index_products_per_s_excluding_embedding']}/s "
                   "excluding embedding, into Chroma + BM25 + filter table)")
        for key, value in row.items():
            if isinstance(value, dict):
                typer.echo(f"  {key:24} p50 {value['p50_ms']:8.2f} ms   p95 {value['p95_ms']:8.2f} ms")
        typer.echo(f"  bare Chroma filtered p95 / ours dense filtered p95: "
                   f"{row['ratio_chroma_filtered_p95_over_ours_dense_filtered_p95']}x")
    for name, rates in result["embedding"].items():
        if isinstance(rates, dict):
            typer.echo(f"embedding MiniLM {name:10} {rates['products_per_s']:7.1f} products/s wall, "
                       f"{rates['products_per_cpu_s']:7.1f} per CPU-second")
    typer.echo(f"peak RSS {result['peak_rss_mb']} MB; {result['cpus']} CPUs, load average {result['load_average_1m']}")
    path = out or _default_out("bench-search")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    typer.echo(f"wrote {path}")
