"""Shopper-facing explanations, each taken from the signal that contributed most to an item's score."""

from __future__ import annotations

from ranking.affinity import Affinity
from ranking.schemas import Candidate, Explanation, Profile

SEEN_TEXT = {"view": "because you viewed it recently", "click": "because you looked at it recently",
             "add_to_cart": "you added it to your cart earlier"}
SHARED_SIGNALS = ("relevance", "popularity")
PERSONAL_FLOOR = 0.03
SEED_VERB = {"view": "viewed", "click": "viewed", "add_to_cart": "added", "purchase": "bought"}


def explain(item: Candidate, contributions: dict[str, float], affinity: Affinity, profile: Profile | None,
            collab_seed: str | None) -> Explanation:
    signal = max(contributions, key=lambda name: contributions[name]) if contributions else "relevance"
    personal = {name: value for name, value in contributions.items() if name not in SHARED_SIGNALS}
    if item.reason is None and personal and max(personal.values()) >= PERSONAL_FLOOR:
        # A search hit the profile moved: name what moved it rather than "matches your search".
        signal = max(personal, key=lambda name: personal[name])
    if contributions.get(signal, 0.0) <= 0 and "popularity" in contributions and item.reason is None:
        signal = "popularity"
    if signal == "collab" and profile is not None and collab_seed in profile.products:
        seen = profile.products[collab_seed]
        verb = SEED_VERB.get(seen.kind, "viewed")
        name = "co_purchase" if verb in ("added", "bought") else "co_view"
        return Explanation(signal=name, product_id=collab_seed,  # type: ignore[arg-type]
                           text=f"because you {verb} {seen.title or 'a related product'}")
    if signal == "seen":
        kind = affinity.matched.get("seen", "view")
        return Explanation(signal="carted" if kind == "add_to_cart" else "viewed", product_id=item.product_id,
                           text=SEEN_TEXT.get(kind, SEEN_TEXT["view"]))
    if signal == "category":
        return Explanation(signal="category", text=f"matches your interest in {affinity.matched['category']}")
    if signal == "brand":
        return Explanation(signal="brand", text=f"you often choose {affinity.matched['brand']}")
    if signal == "price":
        return Explanation(signal="price", text=f"matches your usual price range in {affinity.matched['price']}")
    if signal == "attribute":
        return Explanation(signal="attribute", text=f"matches your usual {affinity.matched['attribute']}")
    if signal == "interests":
        return Explanation(signal="interests", text="close to what you have been browsing lately")
    if signal == "popularity":
        where = item.category_path[-1] if item.category_path else "the shop"
        return Explanation(signal="popular", text=f"popular in {where}")
    return item.reason or Explanation(signal="relevance", text="matches your search")
