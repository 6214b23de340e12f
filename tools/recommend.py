"""`recommend_products`: for-you, similar, bought-together and complete-the-cart picks, each with its reason."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from commerce.store import cart_from_row
from commerce.tables import CartRow
from ranking.recommend import Intent
from ranking.schemas import Candidate, Explanation
from tools.base import Tool, ToolContext, ToolFailure
from tools.display import ProductCard


class RecommendInput(BaseModel):
    """Recommend products to the signed-in shopper."""

    model_config = ConfigDict(extra="forbid")
    mode: Literal["for_you", "similar", "bought_together", "complete_cart"] = Field(
        "for_you", description="for_you: picks for this shopper; similar / bought_together: around product_id; "
                               "complete_cart: add-ons for the shopper's cart")
    product_id: str | None = Field(None, description="Needed for similar and bought_together, e.g. '9523456873'")
    query: str | None = Field(None, description="What the shopper asked for in this chat, e.g. 'trail running shoes'")
    category: str | None = Field(None, description="A category the shopper named, e.g. 'Trail Running'")
    limit: int = Field(5, ge=1, le=20)


class RecommendedProduct(BaseModel):
    product_id: str
    title: str
    brand: str
    price: float
    category: str
    reason: str = Field(description="Why it is recommended, e.g. 'because you viewed Trail Runner 2'")
    signal: str = Field(description="The signal behind the reason, e.g. 'co_view', 'popular', 'price'")


class RecommendOutput(BaseModel):
    mode: str
    personalized: bool = Field(description="False when the shopper is a guest, new, or opted out")
    items: list[RecommendedProduct]

    def product_cards(self) -> list[ProductCard]:
        return [ProductCard(id=item.product_id, title=item.title, price=item.price, reason=item.reason)
                for item in self.items]


def recommend_products(context: ToolContext, arguments: RecommendInput) -> RecommendOutput:
    ranker = context.deps.ranker
    catalog = ranker.catalog
    ids: list[str] = []
    if arguments.mode in ("similar", "bought_together"):
        if not arguments.product_id:
            raise ToolFailure("missing_product", f"mode {arguments.mode} needs a product_id")
        if arguments.product_id not in catalog.items:
            raise ToolFailure("unknown_product", f"no product with id {arguments.product_id}")
        ids = [arguments.product_id]
    elif arguments.mode == "complete_cart":
        if context.shopper_id is None:
            raise ToolFailure("not_signed_in", "complete_cart needs a signed-in shopper with a cart")
        with context.db.session() as session:
            cart = cart_from_row(context.shopper_id, session.get(CartRow, context.shopper_id))
        ids = [line.product_id for line in cart.lines]
        if not ids:
            raise ToolFailure("empty_cart", "the cart is empty")
    intent = Intent(query=arguments.query, category=arguments.category)
    ranked = ranker.recommend(arguments.mode, context.shopper_id, ids, arguments.limit,
                              intent if (intent.query or intent.category) else None)
    items = [_view(catalog.items[item.product_id], item.explanation) for item in ranked]
    return RecommendOutput(mode=arguments.mode, personalized=ranker.profile(context.shopper_id) is not None,
                           items=items)


def _view(item: Candidate, explanation: Explanation) -> RecommendedProduct:
    return RecommendedProduct(product_id=item.product_id, title=item.title, brand=item.brand, price=item.price,
                              category=" > ".join(item.category_path), reason=explanation.text,
                              signal=explanation.signal)


RECOMMEND_PRODUCTS = Tool(
    name="recommend_products",
    description="Recommend products for the signed-in shopper, for a product, or to complete their cart; "
                "every item comes with the reason it was picked.",
    input_model=RecommendInput,
    function=recommend_products,
    discovery=True,
)
