"""Runs the gold dialogue set through the replay machinery: binds each dialogue to the shop, runs, scores."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from agent.state import HistoryMessage, TurnRequest
from agent.transcript import LoggedTurn
from commerce.db import Database
from commerce.models import Product
from commerce.store import upsert_product
from commerce.tables import OrderRow, ShopperRow
from evals.gold.schema import GoldDialogue
from evals.replay.compare import GoldScore, score_gold_turn
from evals.replay.run import Catalog, ReplayEnv, run_turn


@dataclass
class Binding:
    """A gold dialogue made concrete on this shop: who the shopper is, which order, which products were shown."""

    shopper_id: str | None
    slots: dict[str, str]
    history: list[HistoryMessage]
    shown_ids: list[str]
    missing: str = ""


def _find_order(db: Database, status: str) -> tuple[str, str] | None:
    with db.session() as session:
        row = session.execute(select(OrderRow.shopper_id, OrderRow.id).where(OrderRow.status == status)
                              .order_by(OrderRow.id).limit(1)).first()
    return (row[0], row[1]) if row else None


def _any_shopper(db: Database) -> str | None:
    with db.session() as session:
        return session.scalar(select(ShopperRow.id).order_by(ShopperRow.id).limit(1))


def bind(dialogue: GoldDialogue, db: Database, catalog: Catalog) -> Binding:
    binding = Binding(shopper_id=None, slots={}, history=[], shown_ids=[])
    kind = dialogue.setup.shopper
    if kind in ("with_pending_order", "with_delivered_order"):
        found = _find_order(db, "pending" if kind == "with_pending_order" else "delivered")
        if found is None:
            binding.missing = f"no {kind.removeprefix('with_')} in the shop"
            return binding
        binding.shopper_id, binding.slots["{order_id}"] = found
    elif kind == "any":
        binding.shopper_id = _any_shopper(db)
    for turn in dialogue.history:
        ids: list[str] = []
        if turn.shown is not None and turn.shown_count:
            constraint = turn.shown
            ids = [p.id for p in catalog.products.values() if constraint.satisfied_by(p)][: turn.shown_count]
            if len(ids) < turn.shown_count:
                binding.missing = f"only {len(ids)} products match the history of {dialogue.id}"
        binding.history.append(HistoryMessage(role="user", text=turn.user or "show me some options"))
        binding.history.append(HistoryMessage(role="assistant", text=turn.assistant or "Here are some options:",
                                              product_ids=ids))
        binding.shown_ids = ids or binding.shown_ids
    return binding


def _store(db: Database, catalog: Catalog, product: Product) -> None:
    with db.session() as session:
        upsert_product(session, product)
    catalog.products[product.id] = product


async def _run_bound(env: ReplayEnv, db: Database, dialogue: GoldDialogue, binding: Binding) -> LoggedTurn:
    text = dialogue.user_text
    for slot, value in binding.slots.items():
        text = text.replace(slot, value)
    request = TurnRequest(text=text, conversation_id=f"gold-{dialogue.id}", shopper_id=binding.shopper_id,
                          history=binding.history, language=dialogue.language)
    injected = dialogue.setup.inject_into_product and binding.shown_ids
    original = env.catalog.products[binding.shown_ids[0]] if injected else None
    if original is not None:
        # Adversarial text goes into the first shown product's description for this turn only.
        _store(db, env.catalog, original.model_copy(
            update={"description": f"{original.description}\n{dialogue.setup.inject_into_product}".strip()}))
    try:
        return await run_turn(env, request, len(dialogue.history))
    finally:
        if original is not None:
            _store(db, env.catalog, original)


async def run_gold(env: ReplayEnv, db: Database, dialogues: list[GoldDialogue],
                   progress: Callable[[GoldScore], None] | None = None) -> list[GoldScore]:
    scores: list[GoldScore] = []
    for dialogue in dialogues:
        binding = bind(dialogue, db, env.catalog)
        if binding.missing:
            scores.append(GoldScore(id=dialogue.id, intent=dialogue.intent, language=dialogue.language,
                                    user_text=dialogue.user_text, error=f"unbound: {binding.missing}"))
            continue
        turn = await _run_bound(env, db, dialogue, binding)
        scores.append(score_gold_turn(dialogue, turn, env.catalog.products, binding.shown_ids, binding.slots,
                                      env.catalog.titles))
        if progress is not None:
            progress(scores[-1])
    return scores
