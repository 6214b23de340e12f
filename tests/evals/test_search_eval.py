"""`eval retrieval --dataset PATH`: a tiny judged folder (products.jsonl + queries.jsonl, judgments inline) scored
per retriever and pipeline, per language; the Chinese ESCI set reuses the English judgments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.search.esci import esci_queries
from evals.search.judged import ZH_SET, chinese_queries, load_judged
from evals.search.ranker import VARIANTS, cross_validated, folds_by_query
from evals.search.retrieval import Runs, evaluate
from shopassist.cli import app
from shopassist.settings import get_settings
from tests.vectorstore.helpers import HashingEmbedder
from vectorstore.fusion import MINILM, USE
from vectorstore.hybrid import ProductIndex
from vectorstore.query import SearchQuery
from vectorstore.spaces import DenseSpace

PRODUCTS = [("p1", "Stainless Steel Frying Pan", "Acme"), ("p2", "Nonstick Frying Pan", "Acme"),
            ("p3", "Kids Water Bottle", "Hydro"), ("p4", "Water Bottle with Straw", "Hydro"),
            ("p5", "不锈钢煎锅", "Wok Co"), ("p6", "Garden Hose", "Green")]
QUERIES = [("q1", "stainless frying pan", {"p1": "E", "p2": "S", "p6": "I"}),
           ("q2", "water bottle", {"p3": "E", "p4": "E"}),
           ("q3", "不锈钢煎锅", {"p5": "E", "p1": "E"})]


def judged_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    with open(folder / "products.jsonl", "w", encoding="utf-8") as handle:
        for pid, title, brand in PRODUCTS:
            handle.write(json.dumps({"product_id": pid, "title": title, "brand": brand, "price": 10.0},
                                    ensure_ascii=False) + "\n")
    with open(folder / "queries.jsonl", "w", encoding="utf-8") as handle:
        for qid, text, labels in QUERIES:
            judgments = [{"product_id": pid, "esci_label": label} for pid, label in labels.items()]
            handle.write(json.dumps({"query_id": qid, "query": text, "judgments": judgments}, ensure_ascii=False)
                         + "\n")
    return folder


def test_a_judged_folder_is_scored_per_retriever_and_language(tmp_path: Path) -> None:
    docs, queries = load_judged(str(judged_folder(tmp_path / "shop")))
    assert [q.language for q in queries] == ["en", "en", "zh"]
    index = ProductIndex([DenseSpace(MINILM, HashingEmbedder(64)), DenseSpace(USE, HashingEmbedder(48))])
    index.add_docs(docs)
    result, _ = evaluate(Runs(index, queries, [SearchQuery(text=q.text) for q in queries]), tune_fusion=False,
                         learned=lambda runs: {})
    assert set(result["all"]) == {MINILM, USE, "bm25", "prf", "plain_rrf", "fusion"}
    bm25 = result["all"]["bm25"]
    assert bm25["en"]["queries"] == 2 and bm25["zh"]["queries"] == 1
    assert bm25["en"]["recall@10"] == 1.0 and bm25["en"]["mrr"] == 1.0
    assert bm25["zh"]["ndcg@10"] < 1.0  # p1, judged exact, has no Chinese words for BM25 to find


def test_each_language_ships_its_best_cross_validated_pipeline(tmp_path: Path) -> None:
    docs, queries = load_judged(str(judged_folder(tmp_path / "shop")))
    index = ProductIndex([DenseSpace(MINILM, HashingEmbedder(64)), DenseSpace(USE, HashingEmbedder(48))])
    index.add_docs(docs)
    runs = Runs(index, queries, [SearchQuery(text=q.text) for q in queries])
    best = {q.id: sorted(q.gains, key=lambda pid: -q.gains[pid]) for q in queries}
    # A 'ranker' that is perfect in English and finds nothing in Chinese, against a fusion that is the reverse.
    def ideal(i: int, language: str) -> list[str]:
        return best[queries[i].id] if queries[i].language == language else []

    learned = {"ranker_cv": lambda i: ideal(i, "en"), "fusion_cv": lambda i: ideal(i, "zh")}
    result, fusion = evaluate(runs, tune_fusion=True, learned=lambda runs: learned)
    assert result["ranker_applies_to"] == ["en"]
    assert result["shipped_by_language"] == {"en": "ranker_cv", "zh": "fusion_cv"}
    shipped, ranker, fused = (result["all"][name] for name in ("shipped", "ranker_cv", "fusion_cv"))
    assert shipped["en"] == ranker["en"] and shipped["zh"] == fused["zh"]
    assert set(fusion.weights) == {"en", "zh"} and result["fusion"] == fusion.describe()


def test_ranker_variants_are_cross_validated_beside_the_shipped_ranker(tmp_path: Path) -> None:
    docs, queries = load_judged(str(judged_folder(tmp_path / "shop")))
    index = ProductIndex([DenseSpace(MINILM, HashingEmbedder(64)), DenseSpace(USE, HashingEmbedder(48))])
    index.add_docs(docs)
    runs = Runs(index, queries, [SearchQuery(text=q.text) for q in queries])
    ranked = cross_validated(runs, {"from_fusion": VARIANTS["from_fusion"]})
    assert set(ranked) == {"fusion_cv", "ranker_cv", "ranker_from_fusion"}
    for i, query in enumerate(queries):
        # A reordering of the same fused pool: a variant chooses the order, never the candidates.
        assert sorted(ranked["ranker_from_fusion"](i)) == sorted(ranked["fusion_cv"](i)), query.text


def test_plain_rrf_ships_where_neither_learned_pipeline_finds_anything(tmp_path: Path) -> None:
    docs, queries = load_judged(str(judged_folder(tmp_path / "shop")))
    index = ProductIndex([DenseSpace(MINILM, HashingEmbedder(64)), DenseSpace(USE, HashingEmbedder(48))])
    index.add_docs(docs)
    runs = Runs(index, queries, [SearchQuery(text=q.text) for q in queries])
    result, fusion = evaluate(runs, tune_fusion=True,
                              learned=lambda runs: {"ranker_cv": lambda i: [], "fusion_cv": lambda i: []})
    assert result["shipped_by_language"] == {"en": "plain_rrf", "zh": "plain_rrf"}
    assert fusion.weights_for("zh") == {MINILM: 1.0, USE: 1.0, "bm25": 1.0} and fusion.k_for("zh") == 60


def test_missing_files_are_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPASSIST_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["eval", "retrieval", "--dataset", str(tmp_path / "nowhere")])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2 and "products.jsonl and queries.jsonl" in result.output


def test_the_chinese_set_covers_every_esci_query_with_its_english_judgments() -> None:
    english = esci_queries()
    chinese = chinese_queries(english, ZH_SET)
    assert len(chinese) == len(english) == 100
    assert all(q.language == "zh" for q in chinese)
    # A bare model name is typed the same in both languages; search routes it by its (Latin) text.
    assert [q.text for q in chinese if SearchQuery(text=q.text).language != "zh"] == ["dek pro"]
    by_id = {q.id: q for q in english}
    assert all(q.gains == by_id[q.id].gains for q in chinese)
    # A query and its translation share a cross-validation fold.
    folds = folds_by_query(english + chinese)
    fold_of = {i: n for n, fold in enumerate(folds) for i in fold}
    assert all(fold_of[i] == fold_of[i + 100] for i in range(100))


def test_the_relevance_stage_is_cross_validated_per_language_and_can_ship(tmp_path: Path) -> None:
    from evals.search.relevance import choose, fit_config, grid
    from evals.search.relevance import cross_validated as relevance_cv
    from vectorstore.relevance import FIELDS, RelevanceStage
    from vectorstore.relevance_models import COLBERT

    docs, queries = load_judged(str(judged_folder(tmp_path / "shop")))
    index = ProductIndex([DenseSpace(MINILM, HashingEmbedder(64)), DenseSpace(USE, HashingEmbedder(48))])
    index.add_docs(docs)
    runs = Runs(index, queries, [SearchQuery(text=q.text) for q in queries])
    stage = RelevanceStage()
    ranked, report = relevance_cv(runs, stage, None, [COLBERT])
    assert set(ranked) == {"colbert_cv"}
    fused = cross_validated(runs)["fusion_cv"]
    for i, query in enumerate(queries):
        # The stage reorders its fold's fused pool: never other candidates.
        assert sorted(ranked["colbert_cv"](i)) == sorted(fused(i)), query.text
    assert {choice["language"] for choice in report["folds"]["colbert_cv"]} == {"en", "zh"}
    # Only products in some pool were encoded, each once per text field.
    assert 0 < stage.tokens.encoded <= len(docs) * len(FIELDS)
    # A setting ships only where it beats the fused order on the queries it is chosen on.
    pools = {i: runs.candidates(i, index.fusion) for i in range(len(queries))}
    setting, before, after = choose(runs, runs.relevance_scores, pools, runs.positions("en"), grid([COLBERT]))
    assert (setting is None and after == before) or after > before
    result, fusion = evaluate(runs, tune_fusion=True, learned=lambda runs: {**cross_validated(runs), **ranked},
                              also_shippable=["colbert_cv"])
    assert "colbert_cv" in result["all"] and set(result["relevance_applies_to"]) <= {"en", "zh"}
    config = fit_config(runs, fusion, result["relevance_applies_to"], [COLBERT], {"command": "test"})
    assert set(config.languages) <= set(result["relevance_applies_to"])


def test_every_hard_demo_query_has_products_its_rule_labels_relevant(tmp_path: Path) -> None:
    from evals.search.demo_queries import HARD_SET, demo_docs, label_demo_queries, load_specs
    from tests.vectorstore.helpers import demo_database

    specs = load_specs(HARD_SET)
    docs = demo_docs(demo_database(tmp_path))
    labeled, kept = label_demo_queries(specs, docs)
    assert [spec.id for spec in kept] == [spec.id for spec in specs]
    assert {spec.kind for spec in specs} == {"vague", "long", "attribute", "misspelling", "mixed"}
    assert {spec.language for spec in specs} == {"en", "zh"}
    # Hard, not empty: no query's rule holds for most of the catalog.
    assert max(len(query.relevant) for query in labeled) < 0.2 * len(docs)


def test_tuning_fast_path_leaves_out_what_search_leaves_out(tmp_path: Path) -> None:
    from evals.search.retrieval import plain_rrf

    docs, queries = load_judged(str(judged_folder(tmp_path / "shop")))
    index = ProductIndex([DenseSpace(MINILM, HashingEmbedder(64)), DenseSpace(USE, HashingEmbedder(48))])
    index.add_docs(docs)
    search = [SearchQuery(text="frying pan", exclude=["stainless"]), SearchQuery(text="water bottle", price_max=5.0),
              SearchQuery(text="不锈钢煎锅")]
    runs = Runs(index, queries, search)
    for fusion in (index.fusion, plain_rrf(index.retrievers)):
        for i in range(len(queries)):
            assert runs._top10(i, fusion) == runs.ranked(i, fusion)[:10] or not search[i].exclude
    assert "p1" not in runs._top10(0, index.fusion) and "p2" in runs._top10(0, index.fusion)
