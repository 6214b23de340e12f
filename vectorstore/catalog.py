"""An in-memory table of product metadata with posting lists, so filters become numpy masks in well under 1 ms."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache

import numpy as np

from vectorstore.documents import ProductDoc

_LATIN_WORD = re.compile(r"^[a-z0-9][a-z0-9 \-]*$")


def facet_values(doc: ProductDoc) -> dict[str, set[str]]:
    """Every (facet, value) a filter can ask for; categories match any node, so a parent matches descendants."""
    values: dict[str, set[str]] = {
        "brand": {doc.brand.lower()} if doc.brand else set(),
        "category": {node.lower() for node in doc.category_path},
        "colour": set(doc.colours),
        "size": {size.lower() for size in doc.sizes},
        "language": {doc.language},
    }
    for key, value in doc.attributes.items():
        values.setdefault(f"attr:{key}", set()).add(value)
    return values


def exclusion_text(doc: ProductDoc) -> str:
    return " ".join([doc.title, *doc.attributes.values(), *doc.colours]).lower()


def mentions(text: str, term: str) -> bool:
    """Whole-word match for Latin terms, substring match for Chinese ones."""
    return next(_occurrences(text, term), None) is not None


@lru_cache(maxsize=65_536)  # the same product is checked against the same exclusion again and again
def affirms(text: str, term: str) -> bool:
    """Mentions the term other than to deny it: 'knife set without block', 'no block', 'BPA-free', 'batteries not
    included', '无线' style denials do not count (what a shopper excluding the term is looking for)."""
    return any(not _DENIED_BEFORE.search(text, 0, start) and not _DENIED_AFTER.match(text, end)
               for start, end in _occurrences(text, term))


_DENIED_BEFORE = re.compile(
    r"(?:\b(?:no|without|w/o|non|not|free of|minus)[\s-]+(?:[a-z0-9]+[\s-]+)?|(?:无|不含|没有|免))$")
_DENIED_AFTER = re.compile(r"[\s-]*(?:free\b|not included|sold separately|excluded)")


def _occurrences(text: str, term: str) -> Iterator[tuple[int, int]]:
    term = term.lower().strip()
    if not term:
        return
    pattern = rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])" if _LATIN_WORD.match(term) else re.escape(term)
    for found in re.finditer(pattern, text):
        yield found.span()


class CatalogTable:
    """Rows are append-only slots; deleting a product clears `alive` for its slot."""

    def __init__(self) -> None:
        self.docs: list[ProductDoc | None] = []
        self.row_of: dict[str, int] = {}
        self.price = np.zeros(0, dtype=np.float64)
        self.rating = np.zeros(0, dtype=np.float32)
        self.in_stock = np.zeros(0, dtype=bool)
        self.alive = np.zeros(0, dtype=bool)
        self._postings: dict[tuple[str, str], set[int]] = {}
        self._arrays: dict[tuple[str, str], np.ndarray] = {}
        self.generation = 0  # counts changes to the facet values (upserts and deletes; not price or stock)

    def __len__(self) -> int:
        return len(self.row_of)

    @property
    def size(self) -> int:
        return len(self.docs)

    def upsert_many(self, docs: Iterable[ProductDoc]) -> list[int]:
        rows = []
        new = list(docs)
        self.generation += 1
        grow = sum(1 for doc in new if doc.id not in self.row_of)
        if grow:
            self.price = np.concatenate([self.price, np.zeros(grow)])
            self.rating = np.concatenate([self.rating, np.zeros(grow, dtype=np.float32)])
            self.in_stock = np.concatenate([self.in_stock, np.zeros(grow, dtype=bool)])
            self.alive = np.concatenate([self.alive, np.zeros(grow, dtype=bool)])
        for doc in new:
            row = self.row_of.get(doc.id)
            if row is None:
                row = len(self.docs)
                self.docs.append(None)
                self.row_of[doc.id] = row
            else:
                self._unpost(row)
            self.docs[row] = doc
            self.price[row], self.rating[row], self.in_stock[row] = doc.price, doc.rating, doc.in_stock
            self.alive[row] = True
            for facet, values in facet_values(doc).items():
                for value in values:
                    self._postings.setdefault((facet, value), set()).add(row)
                    self._arrays.pop((facet, value), None)
            rows.append(row)
        return rows

    def _unpost(self, row: int) -> None:
        old = self.docs[row]
        if old is None:
            return
        for facet, values in facet_values(old).items():
            for value in values:
                self._postings.get((facet, value), set()).discard(row)
                self._arrays.pop((facet, value), None)

    def delete(self, product_id: str) -> bool:
        row = self.row_of.pop(product_id, None)
        if row is None:
            return False
        self._unpost(row)
        self.docs[row] = None
        self.alive[row] = False
        self.generation += 1
        return True

    def update_offer(self, product_id: str, price: float | None, in_stock: bool | None) -> ProductDoc:
        row = self.row_of[product_id]
        doc = self.docs[row]
        assert doc is not None
        doc = replace(doc, price=doc.price if price is None else price,
                      in_stock=doc.in_stock if in_stock is None else in_stock)
        self.docs[row] = doc
        self.price[row], self.in_stock[row] = doc.price, doc.in_stock
        return doc

    def doc(self, row: int) -> ProductDoc | None:
        return self.docs[row] if 0 <= row < len(self.docs) else None

    def known_values(self, facet: str) -> set[str]:
        return {value for (name, value), rows in self._postings.items() if name == facet and rows}

    def flag_attributes(self) -> set[str]:
        """Attribute keys some product has as 'yes' (waterproof, vegan, ...)."""
        return {name[5:] for (name, value), rows in self._postings.items()
                if name.startswith("attr:") and value == "yes" and rows}

    def facet_rows(self, facet: str, values: Iterable[str]) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        for value in values:
            key = (facet, value.lower())
            if key not in self._arrays:
                self._arrays[key] = np.fromiter(self._postings.get(key, ()), dtype=np.int64)
            mask[self._arrays[key]] = True
        return mask
