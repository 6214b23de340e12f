"""A signed-in shopper's stated preferences applied to a search as soft filters: what they avoid is left out, what
they wear, like or usually spend comes first. Soft: a filter that would leave nothing is not applied, and a
constraint the shopper gives in the search itself ('leather boots', 'in size 9', 'under $200') wins over the
stored one. Each filter that touched the results is returned, so the answer can say what it did."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from commerce.preferences import Preference
from commerce.sizes import us_shoe_size
from tools.preference_words import book
from vectorstore.documents import ProductDoc
from vectorstore.lexical import tokenize
from vectorstore.query import SearchQuery

Effect = Literal["first", "left_out"]


class AppliedPreference(BaseModel):
    """One stored preference and what it did to these results."""

    kind: Literal["size", "colour", "material", "brand", "budget"]
    value: str = Field(description="e.g. '10', 'leather', 'blue'")
    category: str = Field("", description="The category it is for, e.g. 'shoes'; '' for any")
    amount: float | None = None
    effect: Effect = Field(description="first: products that meet it come first; left_out: products with it are "
                           "not shown")
    recipient: str = Field("", description="Whose preference it is: '' the shopper's, e.g. 'wife'")
    products: int = Field(description="How many of the candidates it moved ahead or left out")


def _spellings(vocabulary: str, key: str) -> set[str]:
    # A one-character Chinese word ('皮') is too ambiguous to find inside product text ('皮肤').
    return {word for word in book().spellings(vocabulary, key) if word.isascii() or len(word) > 1}


def _mentions(text: str, tokens: set[str], words: set[str]) -> bool:
    return any(word in tokens if word.isascii() else word in text for word in words)


def _text(doc: ProductDoc) -> tuple[str, set[str]]:
    text = " ".join([doc.title, *doc.category_path, *doc.attributes.values(), doc.lexical_text]).lower()
    return text, set(tokenize(text))


def _in_category(doc: ProductDoc, category: str) -> bool:
    if not category:
        return True
    text = " ".join([doc.title, *doc.category_path]).lower()
    return _mentions(text, set(tokenize(text)), _spellings("categories", category))


def _avoided(preference: Preference, doc: ProductDoc) -> bool:
    if preference.kind == "brand":
        return doc.brand.lower() == preference.value.lower()
    if preference.kind == "colour":
        avoided = _spellings("colours", preference.value)
        return bool(doc.colours) and all(colour.lower() in avoided for colour in doc.colours)
    text, tokens = _text(doc)
    return _mentions(text, tokens, _spellings("materials", preference.value))


def _meets(preference: Preference, doc: ProductDoc) -> bool | None:
    """Whether a product meets a preference that orders results; None when the preference is not about it."""
    if not _in_category(doc, preference.category):
        return None
    if preference.kind == "size":
        if not doc.sizes:
            return None
        sizes = {size.lower() for size in doc.sizes}
        # 'I wear 42' kept as said: in a shop sized in US it is that EU size's US size ('9').
        return preference.value.lower() in sizes or us_shoe_size(preference.value) in sizes
    if preference.kind == "budget":
        return preference.amount is not None and doc.price <= preference.amount
    if preference.kind == "brand":
        return doc.brand.lower() == preference.value.lower()
    if preference.kind == "colour":
        return bool(_spellings("colours", preference.value) & {colour.lower() for colour in doc.colours})
    text, tokens = _text(doc)
    return _mentions(text, tokens, _spellings("materials", preference.value))


def _overridden(preference: Preference, query: SearchQuery) -> bool:
    """The search itself says otherwise: a size, colour or price cap of its own, or names what is avoided."""
    if preference.kind == "size":
        return bool(query.size)
    if preference.kind == "budget":
        return query.price_max is not None
    if preference.kind == "colour" and query.colour or preference.kind == "brand" and query.brand:
        return True
    said = query.text.lower()
    if preference.kind == "brand":
        return preference.value.lower() in set(tokenize(said))
    return _mentions(said, set(tokenize(said)), _spellings("materials" if preference.kind == "material" else
                                                           "colours", preference.value))


def applicable(preferences: Sequence[Preference], query: SearchQuery, recipient: str = "") -> list[Preference]:
    """The preferences of whom the search is for (the shopper, or 'wife' for a gift for her) that this search does
    not override."""
    return [p for p in preferences if p.recipient == recipient and p.kind != "language" and not _overridden(p, query)]


def apply_preferences(preferences: Sequence[Preference], docs: list[ProductDoc], groups: list[int]
                      ) -> tuple[list[int], list[AppliedPreference]]:
    """The positions of the docs to show, in order: without what the shopper avoids, and within each group (the
    kind asked for, then the others) those meeting more preferences first, the order kept otherwise; and what each
    preference did."""
    applied: list[AppliedPreference] = []
    kept = list(range(len(docs)))
    for preference in (p for p in preferences if p.avoid):
        remaining = [index for index in kept if not _avoided(preference, docs[index])]
        if remaining and len(remaining) < len(kept):
            applied.append(_applied(preference, "left_out", len(kept) - len(remaining)))
            kept = remaining
    wanted = [p for p in preferences if not p.avoid]
    verdicts = {id(p): [_meets(p, docs[index]) for index in kept] for p in wanted}
    for preference in wanted:
        found = verdicts[id(preference)]
        if any(found):  # at least one product meets it: saying so tells the shopper it was used
            applied.append(_applied(preference, "first", sum(verdict is True for verdict in found)))
    scores = [sum(verdicts[id(p)][position] is True for p in wanted) for position in range(len(kept))]
    order = sorted(range(len(kept)), key=lambda position: (groups[kept[position]], -scores[position]))
    return [kept[position] for position in order], applied


def _applied(preference: Preference, effect: Effect, products: int) -> AppliedPreference:
    return AppliedPreference(kind=preference.kind, value=preference.value,  # type: ignore[arg-type]
                             category=preference.category, amount=preference.amount, effect=effect,
                             recipient=preference.recipient, products=products)

