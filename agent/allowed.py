"""Values a plan may use, so the planner cannot invent them: ids of the products shown, the session shopper's own
orders, items and payment methods, and order ids, emails, names and zip codes only when the shopper wrote them.

The JSON schema of each turn's plan carries them as enums (guided decoding enforces it); `violations` checks a plan
the same way for backends that do not enforce schemas.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from agent.state import ToolCall
from commerce.text import EMAIL
from vectorstore.query import parse_query

# Argument name → which kind of known value it must be.
FIELD_KINDS = {
    "product_id": "products", "order_id": "orders", "item_id": "items", "item_ids": "items",
    "new_item_ids": "variants", "payment_method_id": "payments", "email": "emails", "first_name": "names",
    "last_name": "names", "zip": "zips", "user_id": "shopper",  # identity comes from the session, never an argument
    "product_type": "types",  # the kind of product, one of the catalog's own types: the planner grounds it too
}

_NAME = re.compile(r"\b[A-Z][a-z]+\b")
_ZIP = re.compile(r"\b\d{5}\b")
_ORDER_ID = re.compile(r"#?\b(W\d+)\b")


# Filters the planner may set only with words the shopper used: small models copy the brand of a tool example.
MENTIONED_ONLY = ("brand",)
PRICE_ARGUMENTS = ("min_price", "max_price", "currency")


def _states_price(text: str) -> bool:
    said = parse_query(text)
    return said.price_min is not None or said.price_max is not None


def _is_array(schema: dict[str, Any]) -> bool:
    """An array argument, optional ones (anyOf array / null) included."""
    return schema.get("type") == "array" or "items" in schema or any(
        branch.get("type") == "array" for branch in schema.get("anyOf", []))


@dataclass(frozen=True)
class AllowedValues:
    values: dict[str, list[str]] = field(default_factory=dict)
    shopper_text: str = ""
    latest_text: str = ""
    prices_stated: bool = False  # some message of the shopper's named a price

    @classmethod
    def gather(cls, shopper_texts: list[str], products: list[str], orders: list[str], items: list[str],
               variants: list[str], payments: list[str], types: list[str] | None = None) -> AllowedValues:
        text = "\n".join(shopper_texts)
        found = {
            "products": products, "orders": orders + [f"#{typed}" for typed in _ORDER_ID.findall(text)],
            "items": items, "variants": variants, "payments": payments, "types": types or [],
            "emails": EMAIL.findall(text), "names": _NAME.findall(text), "zips": _ZIP.findall(text),
        }
        return cls({kind: sorted(set(values)) for kind, values in found.items()}, text.lower(),
                   shopper_texts[0] if shopper_texts else "", any(_states_price(t) for t in shopper_texts))

    def _allowed(self, name: str) -> list[str] | None:
        kind = FIELD_KINDS.get(name)
        return None if kind is None else self.values.get(kind, [])

    def constrain(self, arguments_schema: dict[str, Any]) -> dict[str, Any] | None:
        """The tool's argument schema with enums; None when a required argument has no allowed value at all."""
        schema = deepcopy(arguments_schema)
        properties: dict[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", []))
        for name in list(properties):
            allowed = self._allowed(name)
            if allowed is None:
                continue
            if not allowed:
                if name in required:
                    return None
                properties.pop(name)
            elif _is_array(properties[name]):
                properties[name] = {"type": "array", "items": {"enum": allowed}}
            else:
                properties[name] = {"enum": allowed}
        return schema

    def violations(self, call: ToolCall) -> list[str]:
        """Arguments of the call whose values are not known, e.g. ['order_id'] for an invented order id."""
        bad = []
        for name, value in call.arguments.items():
            allowed = self._allowed(name)
            if allowed is None or value is None:
                continue
            values = value if isinstance(value, list) else [value]
            if any(str(item) not in allowed for item in values):
                bad.append(name)
        return bad

    def without_unmentioned(self, call: ToolCall) -> ToolCall:
        """The call without filter values (brands) the shopper never wrote, and with the price limits of the
        shopper's message when it states any: a small model turned 'under 50 bucks' into min 50 and max 50, and
        'a gift for my nephew, he loves dinosaurs' into $10-$20. Limits an earlier message stated are kept."""
        arguments = dict(call.arguments)
        if any(name in arguments for name in PRICE_ARGUMENTS):
            said = parse_query(self.latest_text)  # parsed once: its limits and its currency
            if said.price_min is not None or said.price_max is not None or not self.prices_stated:
                stated = {"min_price": said.price_min, "max_price": said.price_max, "currency": said.currency}
                arguments = {name: value for name, value in arguments.items() if name not in PRICE_ARGUMENTS}
                arguments |= {name: value for name, value in stated.items() if value is not None}
        for name in MENTIONED_ONLY:
            values = arguments.get(name)
            if isinstance(values, list):
                kept = [value for value in values if str(value).lower() in self.shopper_text]
                if kept:
                    arguments[name] = kept
                else:
                    arguments.pop(name)
        return call.model_copy(update={"arguments": arguments})
