"""Recommendation eval: metric arithmetic, the leave-last-out split, and the ranker beating popularity on the demo."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce.models import BehaviourEvent, EventKind
from evals.reco.data import RecoData, leave_last_out
from evals.reco.evaluate import evaluate
from evals.reco.metrics import gini, hit_rate, ndcg
from ranking.catalog import Catalog
from tests.ranking.factories import START, make_products


def test_metrics() -> None:
    assert hit_rate([["a", "b"], ["c"]], ["b", "x"]) == 0.5
    assert ndcg([["a", "b"]], ["b"]) == pytest.approx(1 / 1.5849625, rel=1e-6)
    assert gini([1, 1, 1, 1]) == 0.0
    assert gini([0, 0, 0, 4]) == pytest.approx(0.75)


def test_split_holds_out_the_last_purchase_and_its_whole_session() -> None:
    at = START + timedelta(days=3)
    events = [BehaviourEvent(shopper_id="s", kind=EventKind.PURCHASE, product_id="trail-0", at=START),
              BehaviourEvent(shopper_id="s", kind=EventKind.SEARCH, query="tent", at=at),
              BehaviourEvent(shopper_id="s", kind=EventKind.VIEW, product_id="tents-1", at=at + timedelta(minutes=1)),
              BehaviourEvent(shopper_id="s", kind=EventKind.PURCHASE, product_id="tents-1",
                             at=at + timedelta(minutes=2))]
    split = leave_last_out(RecoData("t", Catalog.from_products(make_products()), events))
    assert [(h.product_id, h.query) for h in split.held_out] == [("tents-1", "tent")]
    assert split.history["s"] == events[:1] and split.train == events[:1]


@pytest.mark.slow
def test_ranker_beats_popularity_on_the_demo_shop() -> None:
    from commerce.demo import generate_shop

    shop = generate_shop(7)
    opted_out = {s.id for s in shop.shoppers if not s.personalization}
    data = RecoData("demo", Catalog.from_products(shop.products),
                    [e for e in shop.events if e.shopper_id not in opted_out])
    report = evaluate(data, half_life_days=30.0)
    ours, popular = report["recommend"]["ours (MMR 0.7)"], report["recommend"]["popularity"]
    assert ours["NDCG@10"] > popular["NDCG@10"]
    assert report["search"]["personal rerank"]["NDCG@10"] >= report["search"]["plain rerank"]["NDCG@10"]
