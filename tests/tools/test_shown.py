"""Questions about shown products answered from their own data: options, attributes, text, and the best by a
figure."""

from __future__ import annotations

from commerce.models import Product, Variant
from commerce.store import product_rows
from tools.shown import CheckProductsInput, PickProductInput, check_products, pick_product

from .conftest import Shop

TENT = Product(id="p_tent", title="Ridge 2 Tent", price=180.0, rating=4.6, review_count=12,
               description="A freestanding tent with a rain fly.",
               attributes={"weight": "2.1kg", "waterproof": "yes"},
               variants=[Variant(id="tent_green", options={"colour": "Forest Green"}, price=180.0, stock=2),
                         Variant(id="tent_navy", options={"colour": "Navy"}, price=185.0, stock=0)])
LIGHT = Product(id="p_light", title="Featherlite 1 Tent", price=320.0, rating=4.1, review_count=3,
                attributes={"weight": "0.9kg", "waterproof": "no"},
                variants=[Variant(id="light_grey", options={"colour": "Grey", "size": "1P"}, price=320.0, stock=1)])


def _add(shop: Shop) -> None:
    with shop.db.session() as session:
        for product in (TENT, LIGHT):
            row, variants = product_rows(product)
            session.add(row)
            session.add_all(variants)


def test_a_colour_is_answered_from_the_variants_and_a_missing_one_lists_those_there_are(shop: Shop) -> None:
    _add(shop)
    checks = check_products(shop.context(), CheckProductsInput(product_ids=["p_tent", "p_light"], asked="navy")).checks
    assert [(c.id, c.answer, c.source) for c in checks] == [("p_tent", "yes", "option"), ("p_light", "no", "option")]
    assert checks[1].choices == ["Grey"]
    chinese = check_products(shop.context(), CheckProductsInput(product_ids=["p_light"], asked="灰色")).checks[0]
    assert (chinese.answer, chinese.value, chinese.sizes) == ("yes", "grey", ["1P"])


def test_a_feature_is_answered_from_the_attributes_then_the_text_and_else_not_listed(shop: Shop) -> None:
    _add(shop)
    context = shop.context()
    waterproof = check_products(context, CheckProductsInput(product_ids=["p_tent", "p_light"], asked="waterproof"))
    assert [(c.answer, c.value) for c in waterproof.checks] == [("yes", "waterproof: yes"), ("no", "waterproof: no")]
    fly = check_products(context, CheckProductsInput(product_ids=["p_tent"], asked="rain fly")).checks[0]
    assert (fly.answer, fly.source) == ("yes", "description")
    assert check_products(context, CheckProductsInput(product_ids=["p_tent"], asked="lumbar support")
                          ).checks[0].answer == "not_listed"


def test_the_best_among_shown_is_picked_by_the_figure_each_lists(shop: Shop) -> None:
    _add(shop)
    context = shop.context()
    lightest = pick_product(context, PickProductInput(product_ids=["p_tent", "p_light"], by="weight_asc"))
    assert lightest.best is not None and (lightest.best.id, lightest.best.figure) == ("p_light", "0.9kg")
    cheapest = pick_product(context, PickProductInput(product_ids=["p_tent", "p_light"], by="price_asc"))
    assert cheapest.best is not None and cheapest.best.id == "p_tent"
    rated = pick_product(context, PickProductInput(product_ids=["p_tent", "p_light"], by="rating"))
    assert rated.best is not None and (rated.best.id, rated.best.figure) == ("p_tent", "4.6/5")
    battery = pick_product(context, PickProductInput(product_ids=["p_tent", "p_light"], by="battery"))
    assert (battery.best, battery.compared) == (None, 0)
