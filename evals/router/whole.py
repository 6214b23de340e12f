"""The whole router — phrasing rules first, then the intent classifier above its confidence — scored by intent.

Cross-validated: each fold's messages are routed with a classifier trained on the other folds, so a message never
meets its own example. A message the router leaves to the LLM planner counts as predicted `planner`. Messages are
routed as a signed-in shopper's, with one pending and one delivered order, in two settings: a fresh conversation
and one where five products were just shown (a refinement or 'the second one' needs them).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from agent.intents import IntentClassifier, IntentExample, IntentGuess, SentenceEncoder
from agent.router import KnownOrder, RouterInput, route
from agent.state import ShownItem
from evals.router.metrics import Scored

UNROUTED = "planner"
ROUTER_TOOLS = frozenset({
    "search_products", "search_faq", "list_orders", "get_order_details", "cancel_pending_order",
    "return_delivered_order_items", "transfer_to_human_agents", "forget_me", "view_cart", "add_to_cart",
    "recommend_products", "review_insights", "get_product_details",
})
ORDERS = [
    KnownOrder(id="#W0000002", status="pending", items=[("20", "Trail Runner running shoes")]),
    KnownOrder(id="#W0000001", status="delivered", items=[("10", "Wireless headphones"), ("11", "Cotton t-shirt")],
               payment_method_id="credit_card_1"),
]
SHOWN = [ShownItem(id=str(100 + n), title=f"Demo product {n}", price=20.0 + 10 * n,
                   variants={str(1000 + n): {"size": "M"}}) for n in range(5)]
SETTINGS = {"fresh": ([], ""), "after_products": (SHOWN, "running shoes")}


class _Fixed:
    """The classifier's guess for one message, computed for the whole fold at once."""

    def __init__(self, guess: IntentGuess) -> None:
        self.guess = guess

    def predict(self, _text: str) -> IntentGuess:
        return self.guess


def routed(examples: Sequence[IntentExample], guesses: Sequence[IntentGuess], setting: str) -> list[Scored]:
    shown, previous = SETTINGS[setting]
    rows = []
    for example, guess in zip(examples, guesses, strict=True):
        found = route(RouterInput(text=example.text, language="zh" if example.language == "zh" else "en",
                                  signed_in=True, tools=ROUTER_TOOLS, shown=shown, previous_query=previous,
                                  orders=ORDERS), _Fixed(guess))
        rows.append(Scored(text=example.text, intent=example.intent, language=example.language,
                           predicted=found.intent if found else UNROUTED, confidence=1.0 if found else 0.0,
                           runner_up=""))
    return rows


def guesses_of(classifier: IntentClassifier, vectors: np.ndarray) -> list[IntentGuess]:
    return [classifier.guess(probabilities) for probabilities in classifier.probabilities(vectors)]


def cross_validated(encoder: SentenceEncoder, examples: Sequence[IntentExample], vectors: np.ndarray,
                    assignment: np.ndarray, setting: str) -> list[Scored]:
    intents = [example.intent for example in examples]
    rows: list[Scored | None] = [None] * len(examples)
    for fold in sorted(set(assignment.tolist())):
        train, test = np.flatnonzero(assignment != fold), np.flatnonzero(assignment == fold)
        classifier = IntentClassifier(encoder, vectors[train], [intents[i] for i in train])
        held_out = [examples[i] for i in test.tolist()]
        for i, row in zip(test.tolist(), routed(held_out, guesses_of(classifier, vectors[test]), setting),
                          strict=True):
            rows[i] = row
    return [row for row in rows if row is not None]
