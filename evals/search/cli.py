"""`shopassist eval retrieval` and `shopassist bench search`: the search evaluation and benchmark commands."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from evals.search.esci import LabeledQuery
    from vectorstore.hybrid import ProductIndex
    from vectorstore.query import SearchQuery

Dataset = Annotated[str, typer.Option(
    "--dataset", help="esci (ESCI subset, its queries in English and Chinese), demo, demo-hard (the demo shop's vague, "
    "long, attribute-heavy, misspelled and mixed-language queries), or a folder with products.jsonl and queries.jsonl "
    "(judgments inline, as in the ESCI subset)")]
Out = Annotated[Path | None, typer.Option("--out", help="JSON report path (default var/reports/...)")]


def _default_out(kind: str) -> Path:
    from shopassist.settings import get_settings

    return get_settings().data_dir / "reports" / f"{kind}-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"


def retrieval_command(
    dataset: Dataset = "esci",
    out: Out = None,
    embedder_kind: Annotated[str, typer.Option("--embedder", help="minilm | minilm-int8 | minilm-torch")] = "minilm",
    multilingual: Annotated[bool, typer.Option(help="Add the multilingual USE space (as search does)")] = True,
    train_ranker: Annotated[bool, typer.Option(
        "--train-ranker", help="esci only: then fit the learned ranker on every judged query and write "
        "vectorstore/models/ranker.txt with its cross-validated report (ranker.json)")] = False,
    ranker_variants: Annotated[bool, typer.Option(
        "--ranker-variants", help="esci only: also cross-validate other LightGBM settings (evals/search/ranker.py "
        "VARIANTS) beside the shipped ones")] = False,
    relevance_models: Annotated[str, typer.Option(
        "--relevance-models", help="esci only: relevance-stage models to cross-validate (colbert, cross; '' none)")
    ] = "colbert,cross",
    ship_models: Annotated[str, typer.Option(
        "--ship-models", help="esci only: the relevance-stage models search may ship (the cross-encoder misses the "
        "latency budget: `shopassist bench search`)")] = "colbert",
    ship_relevance: Annotated[bool, typer.Option(
        "--ship-relevance", help="esci only: write vectorstore/models/relevance.json for the languages where the "
        "relevance stage is the shipped choice, fit on every judged query")] = False,
) -> None:
    """NDCG@10, Recall@10/50 and MRR per retriever, plain RRF, fusion and the shipped pipeline, per language."""
    from evals.search.ranker import VARIANTS, cross_validated, shipped_ranker, train_and_save
    from evals.search.relevance import cross_validated as relevance_cv
    from evals.search.relevance import fit_config
    from evals.search.retrieval import Runs, evaluate, print_table, write
    from vectorstore.ltr import MODEL_PATH
    from vectorstore.relevance import CONFIG_PATH

    index, labeled, search_queries, seconds = _judged_index(dataset, embedder_kind, multilingual)
    embedded = {space.key: getattr(space.embedder, "misses", len(index)) for space in index.spaces}
    typer.echo(f"indexed {len(index)} products in {seconds:.1f}s (embedded now, the rest from the cache: {embedded})")
    esci = dataset == "esci"
    runs = Runs(index, labeled, search_queries)
    variants = VARIANTS if ranker_variants else None
    models = [m for m in relevance_models.split(",") if m.strip()] if esci else []
    shipped_models = [m for m in ship_models.split(",") if m.strip() in models]
    stage_report: dict = {}

    def learned(runs: Runs) -> dict:
        rankers = cross_validated(runs, variants)
        if models and index.relevance is not None:
            stage_rankers, report = relevance_cv(runs, index.relevance, index.relevance.tokens.cache, models)
            rankers.update(stage_rankers)
            stage_report.update(report)
        return rankers

    shippable = (["relevance_cv"] if len(shipped_models) > 1 else [f"{m}_cv" for m in shipped_models])
    result, fusion = evaluate(runs, tune_fusion=esci, learned=learned if esci else shipped_ranker,
                              also_shippable=shippable)
    if stage_report:
        result["relevance_stage"] = stage_report
    result.update(dataset=dataset, embedders={space.key: space.embedder.name for space in index.spaces},
                  index_seconds=round(seconds, 2), embedded_now=embedded,
                  shipped="fusion + learned ranker where it wins, nested 5-fold CV by query" if esci
                  else "fusion + the shipped learned ranker (not trained on these queries), if present",
                  gains="rule labels: 1 = meets every rule, 0 otherwise (evals/search/demo_queries.py)"
                  if dataset.startswith("demo") else "E=1, S=0.1, C=0.01, I=0; unjudged 0; recall/MRR with E relevant")
    print_table("every query" + (" (fusion_cv, ranker_cv, shipped: 5-fold query-level CV)" if esci else ""),
                result["all"], typer.echo)
    if "held_out" in result:
        print_table("odd half only (the same cross-validated rankings)", result["held_out"], typer.echo)
    typer.echo(f"fusion: {result['fusion']}")
    if stage_report:
        typer.echo(f"relevance stage: scoring seconds {stage_report['scoring_seconds']}; ships for "
                   f"{result.get('relevance_applies_to')} (shipped per language: {result.get('shipped_by_language')})")
    if esci and fusion.describe() != index.fusion.describe():
        typer.echo("note: the fusion tuned on every query differs from vectorstore/fusion.py's; ship it there")
    path = out or _default_out(f"retrieval-{Path(dataset).name}")
    write(result, path)
    typer.echo(f"\nwrote {path}")
    if train_ranker and esci:
        command = "shopassist eval retrieval --dataset esci --train-ranker"
        report = train_and_save(runs, fusion, MODEL_PATH, result["ranker_applies_to"],
                                {"command": command, "figures": result["all"], "held_out": result["held_out"],
                                 "how": "fusion_cv, ranker_cv and shipped: 5-fold cross-validation by query (a query "
                                 "and its translation share a fold), nested: each fold's fusion weights and ranker "
                                 "are fit on the other folds only; shipped is per language the best of ranker_cv, "
                                 "fusion_cv and untuned plain_rrf; the shipped fusion and model are fit on every query",
                                 "fusion": fusion.describe()})
        typer.echo(f"wrote {MODEL_PATH} ({report['model_bytes']} bytes) and its report beside it (ranker.json)")
    if ship_relevance and esci and stage_report:
        config = fit_config(runs, fusion, result["relevance_applies_to"], shipped_models,
                            {"command": "shopassist eval retrieval --dataset esci --ship-relevance",
                             "figures": result["all"], "held_out": result["held_out"],
                             "how": "relevance_cv / <model>_cv: nested 5-fold cross-validation by query; each fold's "
                             "fusion and stage setting (model, text, depth, weight) chosen on the other folds; the "
                             "shipped setting is chosen on every judged query with the shipped fusion"})
        config.save(CONFIG_PATH)
        typer.echo(f"wrote {CONFIG_PATH}: {({k: v.model_dump() for k, v in config.languages.items()})}")


def bench_search_command(
    products: Annotated[str, typer.Option("--products", help="Catalog sizes, comma-separated")] = "100000,1000000",
    queries: Annotated[int, typer.Option("--queries", help="Queries per measurement")] = 200,
    out: Out = None,
) -> None:
    """p50/p95 of the whole search_products path and of each stage, with and without filters; build time, memory."""
    import json

    from evals.bench.search import run

    sizes = [int(size) for size in products.split(",") if size.strip()]
    result = run(sizes, queries)
    for row in result["sizes"]:
        typer.echo(f"\n== {row['products']:,} products: built in {row['build_seconds']} s (load "
                   f"{row['build_load_average_1m']}), RSS {row['rss_mb_after_queries']} MB")
        for key, value in row.items():
            if isinstance(value, dict) and "p50_ms" in value:
                typer.echo(f"  {key:26} p50 {value['p50_ms']:7.2f} ms  p95 {value['p95_ms']:7.2f} ms  "
                           f"load {value['load_average_1m']}")
            elif key.startswith("stages_"):
                typer.echo(f"  {key} (load {value['load_average_1m']}): " + ", ".join(
                    f"{stage} {v['p50_ms']:.2f}/{v['p95_ms']:.2f}" for stage, v in value.items() if "p50_ms" in v))
    for name, rates in result["embedding"].items():
        if isinstance(rates, dict):
            typer.echo(f"embedding {name:10} {rates['products_per_s']:7.1f} products/s wall, "
                       f"{rates['products_per_cpu_s']:7.1f} per CPU-second")
    for indexing in result["indexing"]:
        typer.echo(f"indexing {indexing['products']} new products into {', '.join(indexing['spaces'])}: "
                   f"{indexing['products_per_s']} products/s wall, {indexing['products_per_cpu_s']} per CPU-second")
    typer.echo("cross-encoder (not shipped), fresh query: " + ", ".join(
        f"{depth} {v['p50_ms']:.0f}/{v['p95_ms']:.0f} ms" for depth, v in result["cross_encoder"].items()
        if isinstance(v, dict)))
    typer.echo(f"peak RSS {result['peak_rss_mb']} MB; {result['cpus']} CPUs, load average {result['load_average_1m']}")
    path = out or _default_out("bench-search")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    typer.echo(f"wrote {path}")


def _judged_index(dataset: str, embedder_kind: str = "minilm", multilingual: bool = True
                  ) -> tuple[ProductIndex, list[LabeledQuery], list[SearchQuery], float]:
    """The judged set's catalog indexed as search indexes it (MiniLM + USE, the shipped ranker), its labelled queries
    and those queries parsed as search_products parses them, with the seconds indexing took."""
    from shopassist.settings import get_settings
    from vectorstore.embeddings import EmbeddingCache
    from vectorstore.fusion import MINILM, USE
    from vectorstore.hybrid import ProductIndex
    from vectorstore.ltr import LearnedRanker
    from vectorstore.query import parse_query
    from vectorstore.relevance import RelevanceStage
    from vectorstore.service import catalog_vocabulary, default_embedder
    from vectorstore.spaces import DenseSpace

    settings = get_settings()
    spaces = [DenseSpace(MINILM, default_embedder(settings, embedder_kind))]
    if multilingual:
        spaces.append(DenseSpace(USE, default_embedder(settings, "use")))
    stage = RelevanceStage(cache=EmbeddingCache(settings.model_cache_dir / "embeddings.sqlite"))
    index = ProductIndex(spaces, ranker=LearnedRanker(), relevance=stage)
    if dataset in ("demo", "demo-hard"):
        from commerce.db import Database
        from evals.search.demo_queries import DATASET, HARD_SET, demo_docs, label_demo_queries, load_specs

        docs = demo_docs(Database(settings.sqlalchemy_url))
        if not docs:
            typer.echo("error: no products in the database; run `shopassist data generate` first", err=True)
            raise typer.Exit(2)
        labeled, _ = label_demo_queries(load_specs(HARD_SET if dataset == "demo-hard" else DATASET), docs)
    else:
        from evals.search.judged import load_judged

        try:
            docs, labeled = load_judged(dataset)
        except FileNotFoundError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from error
    started = time.perf_counter()
    index.add_docs(docs)
    seconds = time.perf_counter() - started
    # Queries are understood as search_products understands them: prices, exclusions, known brands and colours
    # become filters, with this catalog's vocabulary.
    vocabulary = catalog_vocabulary(index.table)
    return index, labeled, [parse_query(q.text, vocabulary) for q in labeled], seconds


def types_command(
    dataset: Annotated[str, typer.Option(help="demo (with its not-carried set) or esci")] = "demo",
    out: Out = None,
) -> None:
    """How often a top-5 hit is of another product type than asked, before and after search holds results to the
    asked kind; NDCG@10 both ways; how often a carried kind is called missing and a not-carried one is caught."""
    from evals.search.retrieval import write
    from evals.search.types import ABSENT_SET, absent_queries, evaluate_types, print_report

    index, labeled, queries, _ = _judged_index(dataset)
    report = evaluate_types(index, labeled, queries, dataset)
    if dataset == "demo":
        report["absent"] = absent_queries(index, ABSENT_SET)
    print_report(report, typer.echo)
    path = out or _default_out(f"types-{dataset}")
    write(report, path)
    typer.echo(f"wrote {path}")
