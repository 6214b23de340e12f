"""The router's intent classifier over the real USE encoder, on a small example file: guesses, confidence, cache."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from agent.intents import IntentClassifier, IntentFileError, SentenceEncoder, shared_encoder
from tests.agent.intent_examples import EXAMPLES, write_examples


class CountingEncoder(SentenceEncoder):
    """The real encoder, counting how many texts it was asked to embed."""

    def __init__(self, inner: SentenceEncoder) -> None:
        self._inner = inner
        self.encoded = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded += len(texts)
        return self._inner.encode(texts)


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> IntentClassifier:
    return IntentClassifier.load(write_examples(tmp_path_factory.mktemp("intents") / "intents.jsonl", EXAMPLES))


def test_english_and_chinese_messages_land_on_their_intent(classifier: IntentClassifier) -> None:
    english = classifier.predict("find me some hiking boots")
    chinese = classifier.predict("我的包裹到哪里了")
    assert english.intent == "product_search"
    assert chinese.intent == "order_status"
    assert english.runner_up != english.intent
    assert 0.0 <= chinese.confidence <= 1.0


def test_a_message_mixing_two_intents_gets_lower_confidence(classifier: IntentClassifier) -> None:
    clear = classifier.predict("where is my parcel")
    mixed = classifier.predict("hiking boots, and also where is my parcel")
    assert {mixed.intent, mixed.runner_up} == {"product_search", "order_status"}
    assert mixed.confidence < clear.confidence - 0.02


def test_concurrent_predictions_match_serial_ones(classifier: IntentClassifier) -> None:
    messages = ["show me sandals", "有没有蓝色的外套", "can I pay with PayPal", "多谢", "did my order ship"] * 4
    serial = [classifier.predict(message) for message in messages]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(classifier.predict, messages)) == serial


def test_examples_are_embedded_once_per_file_content(tmp_path: Path) -> None:
    path = write_examples(tmp_path / "intents.jsonl", EXAMPLES)
    cache = tmp_path / "cache"
    encoder = CountingEncoder(shared_encoder())
    first = IntentClassifier.load(path, cache, encoder)
    assert encoder.encoded == len(EXAMPLES)
    assert len(list(cache.glob("*.npy"))) == 1

    second = IntentClassifier.load(path, cache, encoder)
    assert encoder.encoded == len(EXAMPLES)  # read from the cache, nothing embedded
    assert second.predict("bye") == first.predict("bye")

    write_examples(path, [*EXAMPLES, ("see you tomorrow", "greeting", "en")])
    before = encoder.encoded
    IntentClassifier.load(path, cache, encoder)
    assert encoder.encoded - before == len(EXAMPLES) + 1  # changed content, new key
    assert len(list(cache.glob("*.npy"))) == 2


def test_a_malformed_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = write_examples(tmp_path / "intents.jsonl", EXAMPLES[:2])
    path.write_text(path.read_text(encoding="utf-8") + '{"text": "hi", "intent": "chitchat", "language": "en"}\n',
                    encoding="utf-8")
    with pytest.raises(IntentFileError, match=r"intents.jsonl:3"):
        IntentClassifier.load(path, tmp_path / "cache", shared_encoder())
