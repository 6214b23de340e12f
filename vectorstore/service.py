"""The search service tools use: product and passage indexes opened from Chroma (built from the database if empty)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from commerce.db import Database
from commerce.store import iter_products, list_passages
from shopassist.settings import Settings
from vectorstore import chroma
from vectorstore.catalog import CatalogTable
from vectorstore.documents import product_doc
from vectorstore.embeddings import CachedEmbedder, Embedder, EmbeddingCache, MiniLMEmbedder
from vectorstore.fusion import MINILM, USE
from vectorstore.hybrid import ProductIndex
from vectorstore.ltr import LearnedRanker
from vectorstore.multilingual import USEEmbedder
from vectorstore.onnx_embedder import OnnxMiniLMEmbedder
from vectorstore.passages import PassageIndex
from vectorstore.query import Vocabulary
from vectorstore.relevance import RelevanceStage
from vectorstore.spaces import DenseSpace


@dataclass
class SearchService:
    products: ProductIndex
    passages: PassageIndex
    _vocabulary: tuple[int, Vocabulary] | None = field(default=None, repr=False)

    def vocabulary(self) -> Vocabulary:
        """The catalog's brands, categories and flags, gathered again only after products were added or removed."""
        table = self.products.table
        if self._vocabulary is None or self._vocabulary[0] != table.generation:
            self._vocabulary = (table.generation, catalog_vocabulary(table))
        return self._vocabulary[1]


def catalog_vocabulary(table: CatalogTable) -> Vocabulary:
    return Vocabulary(brands=table.known_values("brand"), categories=table.known_values("category"),
                      flags=table.flag_attributes())


EMBEDDERS = ("minilm", "minilm-int8", "minilm-torch", "use")


def default_embedder(settings: Settings, kind: str = "minilm") -> Embedder:
    """MiniLM via onnxruntime (same vectors as sentence-transformers, less CPU), int8 ONNX, plain torch, or the
    multilingual USE."""
    inner: Embedder
    if kind == "minilm-torch":
        inner = MiniLMEmbedder()
    elif kind == "use":
        inner = USEEmbedder()
    else:
        inner = OnnxMiniLMEmbedder(settings.model_cache_dir, int8=kind == "minilm-int8")
    return CachedEmbedder(inner, EmbeddingCache(settings.model_cache_dir / "embeddings.sqlite"))


def open_service(settings: Settings, embedder: Embedder | None = None,
                 multilingual: Embedder | None = None, relevance: RelevanceStage | None = None) -> SearchService:
    """Indexes backed by the configured Chroma; empty until `build_from_database` or loaded from Chroma.

    Products get one collection per embedding space: MiniLM (or `embedder`) and, by default, the multilingual USE
    (or `multilingual`), and the relevance stage shipped in models/relevance.json (or `relevance`). Passing only
    `embedder` gives a single-space index without a relevance stage (tests)."""
    if embedder is None:
        embedder, multilingual = default_embedder(settings), multilingual or default_embedder(settings, "use")
        relevance = relevance or RelevanceStage(cache=EmbeddingCache(settings.model_cache_dir / "embeddings.sqlite"))
    client = chroma.make_client(settings)
    spaces = [DenseSpace(MINILM, embedder, chroma.collection(client, chroma.PRODUCTS, embedder.name))]
    if multilingual is not None:
        spaces.append(DenseSpace(USE, multilingual, chroma.collection(client, chroma.PRODUCTS_USE, multilingual.name)))
    products = ProductIndex(spaces, ranker=LearnedRanker(), relevance=relevance)
    passages = PassageIndex(embedder, chroma.collection(client, chroma.PASSAGES, embedder.name))
    return SearchService(products, passages)


def build_from_database(service: SearchService, db: Database, progress: Callable[[int], None] | None = None,
                        total: Callable[[int], None] | None = None) -> dict[str, int]:
    with db.session() as session:
        docs = [product_doc(product) for product in iter_products(session)]
        passages = list_passages(session)
    if total:
        total(len(docs) + len(passages))
    if not len(service.products) and service.products.col.count():
        service.products.load_from_collection()  # so unchanged products skip embedding and stale ones get removed
    stale = set(service.products.table.row_of) - {doc.id for doc in docs}
    for product_id in stale:
        service.products.delete_product(product_id)
    embedded = service.products.add_docs(docs, progress)
    service.passages.index(passages)
    if progress:
        progress(len(passages))
    return {"products": len(docs), "embedded": embedded, "deleted": len(stale), "passages": len(passages)}


def index_exists(service: SearchService) -> bool:
    return service.products.col.count() > 0 and service.passages.col.count() > 0


def load_or_build(service: SearchService, db: Database) -> SearchService:
    if index_exists(service):
        service.products.load_from_collection()
        service.passages.load_from_collection()
    else:
        build_from_database(service, db)
    return service

