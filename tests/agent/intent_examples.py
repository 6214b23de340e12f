"""A small labelled example file for the intent classifier's tests: four intents, English and Chinese."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

EXAMPLES = [
    ("show me running shoes", "product_search", "en"), ("do you have red dresses in size M", "product_search", "en"),
    ("looking for a cheap yoga mat", "product_search", "en"), ("我想买一个保温杯", "product_search", "zh"),
    ("有没有防水的背包", "product_search", "zh"),
    ("where is my order", "order_status", "en"), ("has my package shipped yet", "order_status", "en"),
    ("when will my parcel arrive", "order_status", "en"), ("我的订单发货了吗", "order_status", "zh"),
    ("帮我查一下物流", "order_status", "zh"),
    ("what is your return policy", "policy_question", "en"), ("do you ship internationally", "policy_question", "en"),
    ("which payment methods do you accept", "policy_question", "en"), ("电子产品有保修吗", "policy_question", "zh"),
    ("支持哪些付款方式", "policy_question", "zh"),
    ("hello", "greeting", "en"), ("thanks a lot", "greeting", "en"), ("bye for now", "greeting", "en"),
    ("你好", "greeting", "zh"), ("谢谢", "greeting", "zh"),
]


def write_examples(path: Path, rows: Sequence[tuple[str, str, str]]) -> Path:
    path.write_text("".join(json.dumps({"text": text, "intent": intent, "language": language}, ensure_ascii=False)
                            + "\n" for text, intent, language in rows), encoding="utf-8")
    return path
