"""Gold-set template helpers and the shopping families: search, refinement, comparison, recommendation."""

from __future__ import annotations

from collections.abc import Iterator

from evals.gold.schema import (
    ArgCheck,
    Expectation,
    ExpectedCall,
    GoldDialogue,
    HistoryTurn,
    ProductConstraint,
    Setup,
)

# (English name, Chinese name, words a matching product's title/category holds, a "cheaper" limit); they follow the
# demo shop's categories (commerce/demo/vocab.py) and stay loose enough for other catalogs.
KINDS = [
    ("running shoes", "跑鞋", ["running shoe", "sneaker", "跑鞋", "运动鞋"], 80),
    ("jacket", "夹克", ["jacket", "coat", "夹克", "外套"], 90),
    ("backpack", "背包", ["backpack", "背包", "双肩包"], 60),
    ("headphones", "耳机", ["headphone", "earbud", "耳机"], 60),
    ("bluetooth speaker", "蓝牙音箱", ["speaker", "音箱"], 50),
    ("tent", "帐篷", ["tent", "帐篷"], 120),
    ("t-shirt", "T恤", ["t-shirt", "tee", "t恤"], 20),
    ("blender", "搅拌机", ["blender", "搅拌机"], 60),
    ("power bank", "充电宝", ["power bank", "充电宝"], 25),
    ("hiking boots", "徒步靴", ["hiking boot", "徒步靴"], 120),
]
PRICES = [100, 120, 80, 100, 60, 200, 30, 150, 40, 150]
SEARCH = ["search_products"]
DETAILS = ["get_product_details", "compare_products"]
ORDER_READ = ["get_order_details", "list_orders"]
WRITES = ["cancel_pending_order", "return_delivered_order_items", "exchange_delivered_order_items",
          "modify_pending_order_items", "modify_pending_order_address", "modify_pending_order_payment",
          "modify_user_address", "add_to_cart", "update_cart_item", "remove_from_cart"]


def query_about(words: list[str]) -> ArgCheck:
    return ArgCheck(names=["query", "category", "keywords"], contains_any=list(dict.fromkeys(words)))


def at_most(price: float) -> ArgCheck:
    return ArgCheck(names=["max_price", "price_max", "price_lte"], approx=price)


def shown(words: list[str], count: int = 3) -> HistoryTurn:
    return HistoryTurn(user="", assistant="", shown=ProductConstraint(text_any=words, in_stock=True), shown_count=count)


def dialogue(n: int, intent: str, zh: bool, user_text: str, expect: Expectation, **extra: object) -> GoldDialogue:
    return GoldDialogue(id=f"{intent}-{n:02d}", intent=intent, language="zh" if zh else "en",  # type: ignore[arg-type]
                        user_text=user_text, expect=expect, **extra)  # type: ignore[arg-type]


def search() -> Iterator[GoldDialogue]:
    for n, ((en, zh, words, _), price) in enumerate(zip(KINDS, PRICES, strict=True)):
        is_zh = n % 3 == 2
        text = f"{price}元以内的{zh}有哪些？" if is_zh else f"Find me {en} under ${price}"
        expect = Expectation(calls=[ExpectedCall(tools=SEARCH, arguments=[query_about([en.split()[-1], zh,
                                                                                       *words]), at_most(price)])],
                             products=ProductConstraint(text_any=words, max_price=price), forbidden_tools=WRITES)
        yield dialogue(n, "search", is_zh, text, expect)
    yield dialogue(10, "search", False, "waterproof jackets between $60 and $120 that are in stock",
                   Expectation(calls=[ExpectedCall(tools=SEARCH, arguments=[
                       query_about(["jacket"]), at_most(120), ArgCheck(names=["min_price", "price_min"], approx=60)])],
                       products=ProductConstraint(text_any=KINDS[1][2], min_price=60, max_price=120, in_stock=True)))
    yield dialogue(11, "search", True, "我想要一个不是皮革的双肩包",
                   Expectation(calls=[ExpectedCall(tools=SEARCH, arguments=[query_about(["包", "backpack"])])],
                               products=ProductConstraint(text_any=KINDS[2][2], text_none=["leather", "皮"])))


def refinement() -> Iterator[GoldDialogue]:
    for n, (en, zh, words, cheaper) in enumerate(KINDS):
        is_zh = n % 3 == 1
        first = HistoryTurn(user=f"给我看看{zh}" if is_zh else f"show me some {en}",
                            assistant="这些可能适合你：" if is_zh else "Here are a few options:",
                            shown=ProductConstraint(text_any=words), shown_count=3)
        if n % 2 == 0:
            text = f"有没有更便宜的，{cheaper}元以内？" if is_zh else f"anything cheaper, say under ${cheaper}?"
            checks = [at_most(cheaper)]
            products = ProductConstraint(text_any=words, max_price=cheaper)
        else:
            text = "有蓝色的吗？" if is_zh else "do you have any of those in blue?"
            checks = [ArgCheck(names=["color", "colour", "query"], contains_any=["blue", "蓝"])]
            products = ProductConstraint(text_any=words)
        expect = Expectation(calls=[ExpectedCall(tools=SEARCH, arguments=checks)], products=products,
                             forbidden_tools=WRITES)
        yield dialogue(n, "refinement", is_zh, text, expect, history=[first])
    yield dialogue(10, "refinement", False, "only the ones that are in stock please",
                   Expectation(calls=[ExpectedCall(tools=SEARCH, arguments=[
                       ArgCheck(names=["in_stock", "available"], equals=True)])],
                       products=ProductConstraint(text_any=KINDS[0][2], in_stock=True)),
                   history=[HistoryTurn(user="running shoes for trail running", assistant="Here are some options:",
                                        shown=ProductConstraint(text_any=KINDS[0][2]), shown_count=3)])
    yield dialogue(11, "refinement", True, "换成黑色的",
                   Expectation(calls=[ExpectedCall(tools=SEARCH, arguments=[
                       ArgCheck(names=["color", "colour", "query"], contains_any=["black", "黑"])])]),
                   history=[HistoryTurn(user="推荐几款耳机", assistant="这些耳机评价不错：",
                                        shown=ProductConstraint(text_any=KINDS[3][2]), shown_count=3)])


def comparison() -> Iterator[GoldDialogue]:
    phrasings = [("compare the first two", "比较一下前两个"), ("which is better, the first or the second?",
                 "第一个和第二个哪个更好？"), ("what's the difference between #1 and #2?", "一号和二号有什么区别？")]
    for n, (en, zh, words, _) in enumerate(KINDS):
        is_zh = n % 3 == 0
        phrase = phrasings[n % 3][1 if is_zh else 0]
        history = HistoryTurn(user=f"{zh}推荐" if is_zh else f"{en} please",
                              assistant="这几款不错：" if is_zh else "Here you go:",
                              shown=ProductConstraint(text_any=words, in_stock=True), shown_count=3)
        ids = ArgCheck(names=["product_ids", "ids", "product_id"], shown_positions=[0, 1])
        expect = Expectation(calls=[ExpectedCall(tools=DETAILS, arguments=[ids])], forbidden_tools=WRITES)
        yield dialogue(n, "comparison", is_zh, phrase, expect, history=[history])


def recommendation() -> Iterator[GoldDialogue]:
    asks = [("Can you recommend something for a weekend hike?", "周末去徒步，推荐点装备？"),
            ("What would you suggest as a gift for a runner?", "给跑步的朋友送礼物，有什么推荐？"),
            ("Recommend something for me", "给我推荐点东西吧"),
            ("I need gear for a rainy commute, any ideas?", "下雨天通勤需要什么，有推荐吗？")]
    for n, (en, zh) in enumerate(asks):
        for is_zh in (False, True):
            tools = ["recommend_products", *SEARCH]
            yield dialogue(n * 2 + int(is_zh), "recommendation", is_zh, zh if is_zh else en,
                           Expectation(calls=[ExpectedCall(tools=tools)], forbidden_tools=WRITES),
                           setup=Setup(shopper="any"))
    for n, (_, _, words, _) in enumerate(KINDS[:4], start=8):
        is_zh = n % 2 == 1
        text = "有和第一个类似的吗？" if is_zh else "show me something similar to the first one"
        history = shown(words)
        yield dialogue(n, "recommendation", is_zh, text,
                       Expectation(calls=[ExpectedCall(tools=["recommend_products", *SEARCH])],
                                   forbidden_tools=WRITES), history=[history])
