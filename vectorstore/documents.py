"""What gets indexed for a product or passage: the embedded text, the lexical text and flat filter metadata."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from commerce.models import Passage, Product
from vectorstore.vocab import COLOURS

COLOUR_KEYS = ("colour", "color")
SIZE_KEYS = ("size", "shoe size")


# A million products share a few thousand category paths and colour or size sets: each doc keeps the one shared copy.
_SHARED: dict[object, object] = {}
SHARED_FIELDS = ("category_path", "colours", "sizes")


@dataclass(frozen=True, slots=True)
class ProductDoc:
    """One product as the indexes see it. `embed_text` is kept short on purpose: it is the indexing cost."""

    id: str
    embed_text: str
    lexical_text: str
    title: str
    brand: str
    category_path: tuple[str, ...]
    price: float
    currency: str
    in_stock: bool
    rating: float
    language: str
    colours: frozenset[str]
    sizes: frozenset[str]
    attributes: dict[str, str]

    def __post_init__(self) -> None:
        for name in SHARED_FIELDS:
            value = getattr(self, name)
            object.__setattr__(self, name, _SHARED.setdefault(value, value))

    @property
    def content_hash(self) -> str:
        """Changes only when the embedded text changes, so price and stock updates skip re-embedding."""
        return hashlib.sha256(self.embed_text.encode()).hexdigest()[:16]

    def chroma_metadata(self) -> dict[str, str | int | float | bool]:
        return {
            "title": self.title,
            "brand": self.brand,
            "category": " > ".join(self.category_path),
            "price": self.price,
            "currency": self.currency,
            "in_stock": self.in_stock,
            "rating": self.rating,
            "language": self.language,
            "colours": "|".join(sorted(self.colours)),
            "sizes": "|".join(sorted(self.sizes)),
            "attributes": json.dumps(self.attributes, ensure_ascii=False, sort_keys=True),
            "content_hash": self.content_hash,
            "lexical_text": self.lexical_text,
        }

    @classmethod
    def from_chroma(cls, doc_id: str, document: str, meta: dict) -> ProductDoc:
        category = str(meta.get("category") or "")
        return cls(
            id=doc_id,
            embed_text=document,
            lexical_text=str(meta.get("lexical_text") or document),
            title=str(meta.get("title") or ""),
            brand=str(meta.get("brand") or ""),
            category_path=tuple(category.split(" > ")) if category else (),
            price=float(meta.get("price") or 0.0),
            currency=str(meta.get("currency") or "USD"),
            in_stock=bool(meta.get("in_stock")),
            rating=float(meta.get("rating") or 0.0),
            language=str(meta.get("language") or "en"),
            colours=frozenset(filter(None, str(meta.get("colours") or "").split("|"))),
            sizes=frozenset(filter(None, str(meta.get("sizes") or "").split("|"))),
            attributes=json.loads(str(meta.get("attributes") or "{}")),
        )


def _option_values(product: Product, keys: tuple[str, ...]) -> frozenset[str]:
    values = {value.lower() for key in keys if (value := product.attributes.get(key))}
    for variant in product.variants:
        values.update(value.lower() for key, value in variant.options.items() if key in keys)
    return frozenset(values)


def colour_names(values: frozenset[str]) -> frozenset[str]:
    """Each raw colour value, plus the colours it names in the parser's words: 'matte black' is also black,
    'gray/white' grey and white, '深蓝色' blue; so a shopper's 'grey' finds a product listed as 'Gray'."""
    named = {colour for value in values for word, colour in COLOURS.items()
             if (word in value if not word.isascii() else re.search(rf"(?<![a-z]){word}(?![a-z])", value))}
    return frozenset(values | named)


def product_doc(product: Product) -> ProductDoc:
    """BM25 sees the embedded fields plus attributes: on ESCI, adding bullets/description lowered BM25 and hybrid."""
    category = " > ".join(product.category_path)
    embed_text = " | ".join(part for part in (product.title, product.brand, category) if part)
    attributes = " ".join(f"{key} {value}" for key, value in product.attributes.items())
    lexical = " ".join(part for part in (product.title, product.brand, category, attributes) if part)
    in_stock = product.in_stock if product.variants else False
    return ProductDoc(
        id=product.id,
        embed_text=embed_text,
        lexical_text=lexical,
        title=product.title,
        brand=product.brand,
        category_path=tuple(product.category_path),
        price=product.price,
        currency=product.currency,
        in_stock=in_stock,
        rating=product.rating,
        language=product.language,
        colours=colour_names(_option_values(product, COLOUR_KEYS)),
        sizes=_option_values(product, SIZE_KEYS),
        attributes={key.lower(): value.lower() for key, value in product.attributes.items()},
    )


def passage_text(passage: Passage) -> str:
    return f"{passage.title}. {passage.section}. {passage.text}"
