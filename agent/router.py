"""The fast path: routine requests planned by rules (and an intent classifier) without the LLM plan step.

`route` returns None whenever it is not sure; the LLM planner then decides. Every argument it fills comes from the
shopper's words, the products shown earlier or the session shopper's own orders — never from a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Protocol

from agent.guardrails import looks_like_injection, looks_off_topic
from agent.state import Language, ShownItem, ToolCall
from vectorstore.lexical import tokenize
from vectorstore.query import expand_text, named_values, parse_query

# Not \b: Chinese characters are word characters, so '订单#W1234567到哪了' has no word boundary around the id.
ORDER_ID = re.compile(r"(?<![A-Za-z0-9])#?(W\d{7})(?!\d)", re.IGNORECASE)
# An order number in another shop's format ('order ORD-000001', '订单号123456'): none of the shopper's orders.
_OTHER_ORDER_NUMBER = re.compile(r"(?:\border|订单)\s*(?:#|no\.?|number|id|号码|编号|号)?\s*[:：]?\s*#?"
                                 r"(?=[\w-]*\d)[a-z0-9][\w-]{3,}", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_ORDER_WORDS = re.compile(r"\border(s)?\b|订单|包裹|快递|物流|package|parcel|deliver(y|ed)?\b|shipment", re.I)
_MY_ORDERS = re.compile(r"\bmy (last |latest |recent |most recent )?orders?\b|\b(what|which) orders\b"
                        r"|我(的)?(最近的?|之前的?|上一个|上个)?订单"
                        r"|我(最近)?买(的|过)"
                        r"|where('?s| is) my (package|parcel|stuff)|我的(包裹|快递)", re.I)
_LAST_ORDER = re.compile(r"\b(last|latest|most recent) order\b|最近(的)?一(个|笔)订单|上一?个 ?(订单|order)|上一笔订单"
                         r"|最新的?一?(个|笔)?订单(?!有哪些)", re.I)
_PENDING_ORDER = re.compile(r"\b(pending|unshipped|not (yet )?shipped) orders?\b"
                            r"|待处理的?订单|(还没|没有|未)发货的?订单", re.I)
_CANCEL = re.compile(r"\bcancel|取消", re.I)
_RETURN = re.compile(r"\breturn (it|them|the|my|this|that|order|items?)\b|我要\s*return\b"
                     r"|\bsend (it|them) back\b|\brefund (my|the)\b|退货|退掉|退回|退款", re.I)
_EXCHANGE_OR_EDIT = re.compile(r"\bexchange|\bswap\b|\bchange\b|\bmodify|\baddress\b|\bpayment\b|\bship\b.*\bto\b"
                               r"|换|改|地址|支付|寄到", re.I)
_EXCHANGE = re.compile(r"\bexchange|\bswap\b|\bdifferent (size|colou?r|variant)|\b(bigger|smaller) size|换", re.I)
_GIFT = re.compile(r"\b(gifts?|presents?)\b(?!\s*(cards?|wrap|wrapping|receipts?))|礼物|礼品", re.I)
_INTEREST = re.compile(r"\b(?:likes?|loves?|enjoys?|is into|are into|(?:is a )?fan of)\s+([a-z][a-z\- ]{1,40}?)"
                       r"(?=\s*(?:[,.;!?]|$)|\s+(?:and|around|about|under|below|for|with|budget|but|or|max|up|less)\b)"
                       r"|喜欢([\u4e00-\u9fff]{1,6}?)(?=的|[，,。！？\s]|$)", re.I)
# The item a return or exchange names: 'return the headphones from my last order', 'exchange my t-shirt for an L'.
_NAMED_ITEM = re.compile(r"\b(?:return|exchange|swap|send back)\s+(?:the|my|this|that|these|those|a|an)\s+"
                         r"([a-z][a-z\- ]{1,40}?)(?=\s+(?:from|in|for|of|to|that|which|i|size|with|because|please|"
                         r"back)\b|\s*[,.?!]|\s*$)", re.I)
_NOT_ITEMS = frozenset("order orders item items thing things stuff everything all one ones package parcel purchase "
                       "last latest recent whole entire".split())
_MISTAKE = re.compile(r"mistake|by accident|accidentally|wrong|买错|下错|误", re.I)
_HUMAN = re.compile(r"\b(real|human|live) (person|agent|being|support)\b"
                    r"|\btalk to (a |an )?(person|human|agent|someone)|\bcustomer (service|support) (agent|rep)"
                    r"|\boperator\b|\b(connect|transfer) me to\b|\bsupport staff\b|\b(speak|talk) to (a |the |your )?"
                    r"(manager|supervisor)\b|转人工|人工客服|真人|找人工|人工服务|客服经理|找客服|投诉", re.I)
_FORGET = re.compile(r"\b(delete|erase|remove|forget|wipe)\b.{0,30}\b(everything|all|my (data|information|info|"
                     r"account|history|profile))|\bforget (about )?me\b|删除我的(所有|全部)?(数据|信息|资料|记录)"
                     r"|忘掉我|清除我的(所有|全部)?(数据|信息|资料|记录)", re.I)
_POLICY = re.compile(r"^\s*(can|could|may) i (exchange|return|cancel|change|swap)\b(?!.*\border\b)"
                     r"|^(可以|能|能不能|可不可以)(换|退)|(可以|能)(换|退)(货|尺码|颜色|码)?吗"
                     r"|\b(return|refund|exchange|shipping|delivery|warranty|privacy|payment) (policy|policies|time|"
                     r"window|options?|methods?|costs?|fees?)\b|\bhow (long|much|do|can) .{0,40}\b(return|refund|ship|"
                     r"deliver|warranty|pay)|\bdo you (ship|deliver|accept|offer)\b|\bpolicy\b|退货政策|退换货|运费"
                     r"|包邮|保修|配送(时间|范围|方式)?|发货|退款(多久|政策|方式)|隐私|支付方式"
                     r"|(多久|几天)(能|可以)?(送)?(到|退)"
                     r"|\b(come|comes|with|any|a|is there a|what'?s the) warrant(y|ies)\b", re.I)
_GREETING = re.compile(r"^\s*(hi|hello|hey|good (morning|afternoon|evening)|thanks?( you)?|thank you( so much)?|bye"
                       r"|goodbye|你好|您好|嗨|谢谢|多谢|再见|拜拜)[\s!.,。！～~]*$", re.I)
_CONFIRM_IN_CHAT = re.compile(r"^\s*(yes|yeah|yep|ok(ay)?|sure|please do|go ahead|do it|i confirm|confirm(ed)?"
                              r"|确认|确定|好的|是的|可以|对)[\s,，.。!！]*"
                              r"(please|confirm(ed)?|cancel it|确认(取消|退货)?|请)?[\s.。!！]*$", re.I)
_ASKS_FOR_PRODUCTS = re.compile(r"^\s*(do|does) (you|the shop|your shop|this shop) (sell|have|carry|stock|offer)\b"
                                r"|^\s*(have you got|i'?m looking for|i am looking for|looking for|show me|find( me)?"
                                r"|search( for)?"
                                r"|i want|i need)\b|^\s*(我想买|我要买|想买|帮我找|给我找|我在找)"
                                r"|^\s*(你们|店里|这里)?(有没有|有卖|卖不卖|有)[^订单]{1,20}(吗|么)?[?？]?\s*$"
                                r"|^[^订单]{2,30}(有哪些|有什么)[?？]?\s*$", re.I)
_NOT_A_PRODUCT = re.compile(r"refund|return|cancel|exchange|help|problem|issue|complain|退|换|取消|帮助|问题|投诉",
                            re.I)
_CART_CLEAR = re.compile(r"\b(empty|clear)\b.{0,10}\b(cart|basket)\b|\b(remove|delete) (everything|all)\b.{0,20}"
                         r"\b(cart|basket)\b|清空(我的)?购物车|购物车(全部)?清空", re.I)
_CART_VIEW = re.compile(r"\b(what'?s|show|view|see) (in )?(my )?(shopping )?cart\b|\bmy cart\b|我的购物车|购物车里",
                        re.I)
_CART_ADD = re.compile(r"\b(add|put)\b.{0,60}\b(cart|basket)\b|加(入|到|进)?购物车|放(进|入|到)购物车", re.I)
_COMPARE = re.compile(r"\bcompare|\bdifference between\b|\bversus\b|\bvs\.?\b|对比|比较|区别|哪个(好|更好)", re.I)
_REVIEWS = re.compile(r"\breview(s|ers?)?\b|\bwhat do (people|customers|buyers) say\b|评价|评论|口碑", re.I)
# 'which has the best reviews?' / '哪个评价最好': a question about the products shown, not a new search.
_AMONG_SHOWN = re.compile(r"\bwhich\b|\b(these|those|them)\b|哪(个|款|一个|一款)|这(些|几)", re.I)
_DETAILS = re.compile(r"\b(tell me more|more (details|info)|details|what sizes|which sizes|colou?rs? (does|do|is)|"
                      r"in stock|available in)\b|详情|详细|有(什么|哪些)(尺码|颜色)|有货", re.I)
_RECOMMEND = re.compile(r"\brecommend|\bsuggest|\bany (ideas|suggestions)\b|\bfor me\b|\bwhat should i (buy|get)\b"
                        r"|推荐|建议|适合我", re.I)
_SIMILAR = re.compile(r"\bsimilar|\blike (this|that|the (first|second|third|last))|类似|相似|差不多的", re.I)
_CHEAPER = re.compile(r"\bcheaper\b|\bless expensive\b|\blower price|\bbudget\b|便宜|实惠|低价", re.I)
_REFINE = re.compile(r"^\s*(and |but |only |just |any |something |anything |maybe |what about |how about |in |with |"
                     r"without |under |below |less than |over |more |不要|要|有没有|换成|只要|还有)"
                     r"|\b(instead|ones?|those|these|them|it|version|colou?r)\b"
                     r"|^[^\s]{1,8}(的|色)(吗|呢)?[?？]?$|便宜|大一点|小一点|别的", re.I)
_WHAT_ABOUT_ZH = re.compile(r"^那(?!么).{1,12}呢[?？]?$")  # '那200元以内呢？': what about (a new limit)?
# Words that only say "change the earlier results"; what is left ('blue', 'waterproof') joins the earlier query.
_CUE_WORDS = re.compile(r"\b(in stock|available|cheaper|less expensive|lower price|ones?|please|any|something|anything"
                        r"|show me|do you have|of|those|these|them|it|come|comes|that|are|is|which"
                        r"|what about|how about|instead|maybe|and|but|only|just|in|with|more|the|a|some|version"
                        r"|colou?r)\b|[?？!！,，.。]|便宜(一?点|些)?的?|再|更|有没有|换成|只要|还有|别的|吗|呢|的|^那",
                        re.I)
ORDINALS = {
    "first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "fifth": 4, "5th": 4,
    "第一": 0, "第二": 1, "第三": 2, "第四": 3, "第五": 4, "一号": 0, "二号": 1, "三号": 2,
}
_ORDINAL = re.compile(r"第[一二三四五]|\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\b|#([1-5])\b"
                      r"|\bnumber ([1-5])\b|\b(?:no\.?|item) ?([1-5])\b", re.I)
_FIRST_TWO = re.compile(r"\b(first|top) (two|2)\b|\bboth\b|\bthese two\b|前两|这两", re.I)
_LAST_ONE = re.compile(r"\bthe last one\b|最后一", re.I)
# 'the second one' with nothing shown yet refers to nothing: ask, rather than search for the words.
_SHOWN_REFERENCE = re.compile(r"\bthe (first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th) (one|item|product)\b"
                              r"|\b(first|top) (two|2)\b|\bthese two\b|第[一二三四五](个|款|件)|前两|这两|最后一",
                              re.I)
# 'is this one good for me?', '这款适合我吗？': about a product shown, not a new search.
_POINTS_AT_SHOWN = re.compile(r"\b(this|that|it|these|those)\b|这款|这个|那款|那个|它", re.I)
_CART_OR_ORDER = re.compile(r"\b(cart|basket|orders?|remove|delete)\b|购物车|订单|删", re.I)  # 'remove the first item'
# An address change that gives no address yet ('change the shipping address on my pending order'): ask for it.
_ADDRESS_CHANGE = re.compile(r"\b(change|update|edit|correct|fix|modify)\b.{0,40}\baddress\b"
                             r"|\baddress\b.{0,20}\b(change|update|is wrong)\b"
                             r"|(改|修改|更改|换).{0,8}地址|地址.{0,6}(改|换|错)", re.I)
_STREET = re.compile(r"(?<![#\w])\d+\s+[a-z]+|\d{5}|路|街|号", re.I)
# The classifier decides alone only above this confidence: 95.5 % accurate on the 63 % of messages it keeps, by
# 5-fold cross-validation over prompts/intents.jsonl (`shopassist eval router`); the rest go to the LLM planner.
CONFIDENT = 0.9




@dataclass(frozen=True)
class KnownOrder:
    id: str
    status: str
    items: list[tuple[str, str]] = field(default_factory=list)  # (item id, name)
    payment_method_id: str | None = None


@dataclass(frozen=True)
class RouterInput:
    text: str
    language: Language
    signed_in: bool
    tools: frozenset[str]
    shown: list[ShownItem] = field(default_factory=list)
    previous_query: str = ""
    orders: list[KnownOrder] = field(default_factory=list)  # the session shopper's, newest first
    categories: frozenset[str] = frozenset()  # the catalog's category names, lower case


@dataclass(frozen=True)
class Route:
    intent: str
    calls: list[ToolCall] = field(default_factory=list)
    reply: str = ""  # a `turn`/`errors` template key when the answer needs no tool
    follow_up: str = ""  # a `follow_up` template key said after the facts ('Which size would you like instead?')
    follow_up_values: dict[str, str] = field(default_factory=dict)  # its placeholders, from the shopper's words or data


class IntentGuesser(Protocol):
    def predict(self, text: str) -> object: ...


def mentions_orders(text: str) -> bool:
    return bool(ORDER_ID.search(text) or _ORDER_WORDS.search(text) or _MY_ORDERS.search(text))


def referenced(text: str, shown: list[ShownItem]) -> list[ShownItem]:
    """Products shown earlier that the message points at: 'the second one', 'compare the first two', '第三个'."""
    if not shown:
        return []
    if _FIRST_TWO.search(text):
        return shown[:2]
    picked: list[ShownItem] = []
    for match in _ORDINAL.finditer(text):
        token = match.group(0).lower()
        digit = next((g for g in match.groups()[1:] if g), None)
        index = int(digit) - 1 if digit else ORDINALS.get(token, ORDINALS.get(token[:2], -1))
        if 0 <= index < len(shown) and shown[index] not in picked:
            picked.append(shown[index])
    if _LAST_ONE.search(text):
        picked.append(shown[-1])
    named = [item for item in shown if len(item.title) > 3 and item.title.lower() in text.lower()]
    return picked or named


# A policy question's topic in both languages, added to its FAQ query: '一般几天能送到？' is about shipping.
FAQ_TOPICS = (
    (re.compile(r"return|refund|send (it|them) back|退", re.I), "return 退货"),
    (re.compile(r"exchange|swap|different size|换", re.I), "exchange 换货"),
    (re.compile(r"ship|deliver|arriv|送到|配送|发货|运费|包邮|快递", re.I), "shipping delivery 配送"),
    (re.compile(r"warrant|guarantee|保修|质保", re.I), "warranty 保修"),
    (re.compile(r"pay|card|paypal|gift card|付款|支付|礼品卡", re.I), "payment 支付"),
    (re.compile(r"privacy|data|personal information|隐私|个人信息", re.I), "privacy 隐私"),
    (re.compile(r"cancel|取消", re.I), "cancel 取消"),
)
# Something went wrong with what the shopper bought: a customer-service question answered from the shop's policies
# (a parcel that never came, or a defect), not a search. The policies' own words make the FAQ query: the shopper's
# ('the zipper of my tent') only dilute the match.
_MISSING = re.compile(r"\bnever (got|received|arrived|came)\b|\b(didn'?t|did not|haven'?t|have not|hasn'?t|has not) "
                      r"(get|got|receive|received|arrive|arrived|come)\b|\b(lost|missing|stolen) (parcel|package)"
                      r"|\b(parcel|package) (is |was |went |got )?(lost|missing|stolen)|\barrived (damaged|broken)"
                      r"|没收到|丢件|包裹丢|快递丢|包裹(破损|损坏)|快递(破损|损坏)", re.I)
_DEFECT = re.compile(r"\b(broke|broken|damaged|defective|faulty|stopped working|(doesn'?t|does not|won'?t) work|"
                     r"not working|ripped|torn|cracked|leak(s|ing)?)\b"
                     r"|坏了|破了|损坏|质量问题|不能用了?|用不了|漏水", re.I)
PROBLEM_FAQ_QUERIES = (
    (_MISSING, {"en": "lost or damaged parcel: tracking shows delivered but it did not arrive",
                "zh": "包裹丢失或损坏 显示已送达但没有收到"}),
    (_DEFECT, {"en": "warranty claim for a defect, repair or replace", "zh": "保修 质量问题 申请保修 维修或更换"}),
)
_ASKS_TO_UNDO = re.compile(r"\b(cancel|refund|return|exchange|swap|replace)|取消|退|换", re.I)  # the order route's


def faq_call(text: str) -> ToolCall:
    topics = [words for pattern, words in FAQ_TOPICS if pattern.search(text)]
    return _call("search_faq", query=" ".join([text.strip()[:240], *topics])[:300])


def _call(name: str, **arguments: object) -> ToolCall:
    return ToolCall(name=name, arguments={key: value for key, value in arguments.items() if value is not None})


def _constraints(text: str) -> dict[str, object]:
    parsed = parse_query(text)
    return {
        "min_price": parsed.price_min, "max_price": parsed.price_max, "currency": parsed.currency,
        "colour": parsed.colour or None, "size": parsed.size or None, "exclude": parsed.exclude or None,
        "in_stock": parsed.in_stock, "min_rating": parsed.min_rating,
        "sort": None if parsed.sort == "relevance" else parsed.sort,
    }


def search_call(text: str, **explicit: object) -> ToolCall:
    """A search whose constraints are parsed from the shopper's words and passed as arguments, so the plan shows
    them ('under $100' → max_price 100); `explicit` ones (a refinement's new limit) win."""
    return _call("search_products", **({"query": text.strip()[:300]} | _constraints(text) | explicit))


def _gift_route(text: str) -> Route | None:
    """'a gift for my dad who likes grilling, around 50 bucks', '送妈妈的生日礼物，300元左右': a search of the
    interest under the budget ('around N' is N ± 20 %), and without an interest, the budget alone and a question."""
    if not _GIFT.search(text):
        return None
    found = _INTEREST.search(text)
    interest = next((group for group in found.groups() if group), "").strip() if found else ""
    gift = "礼物" if re.search(r"[\u4e00-\u9fff]", text) else "gift"
    # 'gift' keeps the search from reading the interest as a kind of product the shop lacks ('grilling').
    query = f"{interest} {gift}".strip()
    return Route(intent="product_search", calls=[_call("search_products", **({"query": query} | _constraints(text)))],
                 follow_up="" if interest else "gift_interest")


def _holding(orders: list[KnownOrder], item: str) -> list[KnownOrder]:
    """The orders (not cancelled, newest first) with an item whose name has every word of `item`."""
    words = set(tokenize(item))
    return [order for order in orders if order.status != "cancelled"
            and any(words <= set(tokenize(name)) for _, name in order.items)]


def _item_across_orders(request: RouterInput) -> tuple[str | None, Route | None, dict[str, str]]:
    """'return the headphones from my last order', 'exchange my t-shirt': the item named, looked for across all of
    the shopper's orders. Gives the order that holds it (with a note when that is not the order named), or a route
    that says none or several do."""
    asked = _NAMED_ITEM.search(request.text)
    item = asked.group(1).strip() if asked else ""
    if not item or set(item.lower().split()) <= _NOT_ITEMS or ORDER_ID.search(request.text) or not request.orders:
        return None, None, {}
    holding = _holding(request.orders, item)
    if not holding:
        return None, Route(intent="order_status", calls=[_call("list_orders")], follow_up="item_not_in_orders",
                           follow_up_values={"item": item}), {}
    newest = next((order for order in request.orders if order.status != "cancelled"), request.orders[0])
    if _LAST_ORDER.search(request.text):
        note = {} if holding[0].id == newest.id else {"item": item, "order_id": holding[0].id, "last": newest.id}
        return holding[0].id, None, note
    if len(holding) > 1:
        return None, Route(intent="order_status", calls=[_call("list_orders")], follow_up="item_in_several",
                           follow_up_values={"item": item, "orders": ", ".join(o.id for o in holding)}), {}
    return holding[0].id, None, {}


def _order_route(request: RouterInput) -> Route | None:
    text = request.text
    if not request.signed_in:
        if _EMAIL.search(text) or "zip" in text.lower() or "邮编" in text:
            return None  # verification in chat: the LLM planner chains the look-ups
        return Route(intent="order_status", reply="not_verified")
    match = ORDER_ID.search(text)
    order_id = f"#{match.group(1).upper()}" if match else None
    elsewhere: dict[str, str] = {}
    if order_id is None and (_RETURN.search(text) or _EXCHANGE.search(text)):
        order_id, answer, elsewhere = _item_across_orders(request)
        if answer is not None:
            return answer
    if order_id is None and _LAST_ORDER.search(text) and request.orders:
        # "the headphones from my last order": the newest order, not cancelled, that has them.
        naming = [order for order in request.orders
                  if order.status != "cancelled" and any(_names_item(text, name) for _, name in order.items)]
        order_id = (naming or request.orders)[0].id
    if order_id is None and _PENDING_ORDER.search(text):
        # "my pending order": the shopper's one pending order, or the one pending order that has the item named.
        pending = [order for order in request.orders if order.status.startswith("pending")]
        naming = [order for order in pending if any(_names_item(text, name) for _, name in order.items)]
        chosen = naming if len(naming) == 1 else pending
        order_id = chosen[0].id if len(chosen) == 1 else None
    known = next((order for order in request.orders if order.id == order_id), None)
    if _CANCEL.search(text) and order_id:
        reason = "ordered by mistake" if _MISTAKE.search(text) else "no longer needed"
        return Route(intent="order_change", calls=[_call("cancel_pending_order", order_id=order_id, reason=reason)])
    if _RETURN.search(text) and known is not None and known.payment_method_id:
        named = [item_id for item_id, name in known.items if _names_item(text, name)]
        item_ids = named or [item_id for item_id, _ in known.items]
        return Route(intent="order_change", calls=[_call("return_delivered_order_items", order_id=order_id,
                                                         item_ids=item_ids,
                                                         payment_method_id=known.payment_method_id)],
                     follow_up="item_in_other_order" if elsewhere else "", follow_up_values=elsewhere)
    if _EXCHANGE.search(text) and order_id:
        # Which new option is the shopper's choice: show the order and ask, rather than guess a variant.
        return Route(intent="order_change", follow_up="item_in_other_order" if elsewhere else "exchange_which",
                     follow_up_values=elsewhere, calls=[_call("get_order_details", order_id=order_id)])
    if _ADDRESS_CHANGE.search(text) and not _STREET.search(text) and not _CANCEL.search(text):
        return Route(intent="order_change", reply="address_needed")
    if _CANCEL.search(text) or _RETURN.search(text) or _EXCHANGE_OR_EDIT.search(text):
        return None  # edits and under-specified changes need the planner
    if order_id:
        return Route(intent="order_status", calls=[_call("get_order_details", order_id=order_id)])
    if _OTHER_ORDER_NUMBER.search(text):
        return Route(intent="order_status", follow_up="order_number_unknown", calls=[_call("list_orders")])
    if _MY_ORDERS.search(text):
        return Route(intent="order_status", calls=[_call("list_orders")])
    return None


MAX_REVIEWED = 3  # the first products shown, when the shopper asks which of them reviews best
# 'size 42', '42码', '尺码42', 'in XL': the option value a shopper asks for when adding to the cart.
_SIZE_VALUE = r"(\d{1,2}(?:\.5)?|x{0,3}[sml]|xxl|xl)"
_ASKED_SIZE = re.compile(rf"\bsize\s*{_SIZE_VALUE}(?![\w.])|{_SIZE_VALUE}\s*码|尺码\s*{_SIZE_VALUE}(?![\w.])", re.I)
_QUANTITY = re.compile(r"\b([2-9]) (?:of|x|pairs?|pieces?|units?)\b|([2-9])\s*(?:个|件|双|份)", re.I)


def _names_options(text: str, options: dict[str, str]) -> bool:
    """Every option value of the variant is in the message ('size 10 in blue')."""
    lowered = text.lower()
    return bool(options) and all(re.search(rf"(?<![\w]){re.escape(value.lower())}(?![\w])", lowered)
                                 for value in options.values())


def _option_choices(values: set[str]) -> str:
    """'6–12' for a run of whole-number sizes, else the values listed ('S, M, L')."""
    numbers = sorted(int(v) for v in values if v.isdigit())
    if numbers and len(numbers) == len(values) and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}–{numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
    return ", ".join(sorted(values, key=lambda v: (not v.isdigit(), int(v) if v.isdigit() else 0, v)))


def _missing_size(text: str, item: ShownItem) -> Route | None:
    """The shopper asked for a size none of the product's variants has: say which exist instead of adding another."""
    asked = _ASKED_SIZE.search(text)
    if asked is None:
        return None
    value = next(group for group in asked.groups() if group)
    sizes = {v for options in item.variants.values() for key, v in options.items() if "size" in key}
    if not sizes or value.lower() in {size.lower() for size in sizes}:
        return None
    return Route(intent="product_question", calls=[_call("get_product_details", product_id=item.id)],
                 follow_up="option_missing", follow_up_values={"value": value, "choices": _option_choices(sizes)})


def _names_item(text: str, name: str) -> bool:
    lowered = text.lower()
    return any(len(word) > 3 and word in lowered for word in re.findall(r"[a-z]+", name.lower()))


def _product_route(request: RouterInput) -> Route | None:
    text, shown = request.text, request.shown
    if not shown and _SHOWN_REFERENCE.search(text) and not _CART_OR_ORDER.search(text):
        return Route(intent="product_question", reply="which_product")
    picked = referenced(text, shown)
    if _COMPARE.search(text) and len(picked) >= 2:
        return Route(intent="comparison", calls=[_call("get_product_details", product_id=p.id) for p in picked[:3]])
    if _CART_ADD.search(text):
        item = picked[0] if len(picked) == 1 else None
        if item is None or not item.variants:
            return None
        if (missing := _missing_size(text, item)) is not None:
            return missing
        named = [item_id for item_id, options in item.variants.items() if _names_options(text, options)]
        chosen = named[0] if len(named) == 1 else next(iter(item.variants))
        follow_up = "" if len(named) == 1 or len(item.variants) == 1 else "other_options"
        quantity = _QUANTITY.search(text)
        return Route(intent="cart", follow_up=follow_up, calls=[_call(
            "add_to_cart", item_id=chosen, quantity=int(quantity.group(1)) if quantity else None)])
    if _CART_VIEW.search(text):
        return Route(intent="cart", calls=[_call("view_cart")])
    if len(picked) == 1 and _REVIEWS.search(text):
        return Route(intent="product_question", calls=[_call("review_insights", product_id=picked[0].id)])
    if len(picked) == 1 and _SIMILAR.search(text):
        return Route(intent="recommendation", calls=[_call("recommend_products", mode="similar",
                                                           product_id=picked[0].id)])
    if len(picked) == 1 and (_DETAILS.search(text) or len(text) < 40):
        return Route(intent="product_question", calls=[_call("get_product_details", product_id=picked[0].id)])
    if not picked and _REVIEWS.search(text) and shown and _AMONG_SHOWN.search(text):
        return Route(intent="product_question",
                     calls=[_call("review_insights", product_id=item.id) for item in shown[:MAX_REVIEWED]])
    if not picked and _REVIEWS.search(text):  # reviews of a product not shown yet: find it first
        return Route(intent="product_question", calls=[search_call(text)])
    if shown and request.previous_query and is_refinement(text):
        if _names_another_category(request):
            return Route(intent="product_search", calls=[search_call(text)])
        own_limit = parse_query(text).price_max is not None  # 'cheaper, say under $80': the shopper's number wins
        below = round(min(item.price for item in shown) - 0.01, 2) if _CHEAPER.search(text) and not own_limit else None
        query = f"{request.previous_query} {_CUE_WORDS.sub(' ', text)}"
        query = re.sub(r"\s+", " ", query).strip(" ,.!?，。！？")
        currency = shown[0].currency if below is not None else None  # the shown prices' currency, not the query's
        # The new words' own constraints ('in stock', 'in blue') win over the earlier query's.
        new_constraints = {key: value for key, value in _constraints(text).items() if value is not None}
        explicit = new_constraints | ({"max_price": below, "currency": currency} if below is not None else {})
        return Route(intent="refinement", calls=[search_call(query, **explicit)])
    if _RECOMMEND.search(text) and not _has_product_words(text):
        return Route(intent="recommendation", calls=[_call("recommend_products", mode="for_you")])
    if _RECOMMEND.search(text) and not _NOT_A_PRODUCT.search(text) and not (shown and _POINTS_AT_SHOWN.search(text)):
        # '推荐一款跑步耳机，预算300元左右', 'a gift for a 10 year old who likes science': a search of the product words
        # (ranked for them when signed in). Left to the embedded planner, the gift request became a 'similar'
        # recommendation without a product and three account look-ups.
        return Route(intent="recommendation", calls=[search_call(_product_words(text))])
    return None


def _names_another_category(request: RouterInput) -> bool:
    """'any tents for two?' after boots asks for something else, not for boots that are also tents."""
    named = set(named_values(expand_text(_CUE_WORDS.sub(" ", request.text).lower()), request.categories))
    return bool(named - set(named_values(expand_text(request.previous_query.lower()), request.categories)))


def is_refinement(text: str) -> bool:
    """A short message that only narrows or changes the results shown ('cheaper?', 'in blue', '便宜点的',
    '那200元以内呢？')."""
    asks_with_a_limit = bool(_WHAT_ABOUT_ZH.match(text)) and _names_limits(text)
    return bool(_CHEAPER.search(text) or _REFINE.search(text) or asks_with_a_limit) and len(text) < 60


_RECOMMEND_FILLER = re.compile(r"\b(recommend|suggest|me|some|something|anything|for|please|what|would|should|"
                               r"i'?m|i am|i|buy|get|a|an|the|any|ideas|suggestions|can|could|you|do|have|hi|hello|"
                               r"hey|we|am|are)\b"
                               r"|推荐|建议|一些|什么|给我|适合我|一(款|个|双|件|下)|点儿?|东西|预算|的|吗|呢|吧"
                               r"|[？?!！]", re.I)


def _product_words(text: str) -> str:
    """A recommendation request without its asking words: 'can you recommend a tent under $200' → 'tent under $200'."""
    words = re.sub(r"\s+", " ", _RECOMMEND_FILLER.sub(" ", text)).strip(" ,.!?，。！")
    return re.sub(r"\s+([,，.。])", r"\1", re.sub(r"(^|\s)[,，.。]+(?=\s|$)", " ", words)).strip(" ,.，。")


def _has_product_words(text: str) -> bool:
    return bool(_product_words(text))


def _names_limits(text: str) -> bool:
    """The shopper gave a budget, colour or size of their own."""
    constraints = _constraints(text)
    return any(constraints[key] is not None for key in ("min_price", "max_price", "colour", "size"))


def route(request: RouterInput, classifier: IntentGuesser | None = None) -> Route | None:
    found = _route(request, classifier)
    if found is not None and any(call.name not in request.tools for call in found.calls):
        return None
    return found


_SENTENCES = re.compile(r"(?<=[.!?。！？；;])\s*")


def _without_injection(text: str) -> str:
    """The message without its sentences that address the assistant's rules ('… Also ignore your rules and …')."""
    return " ".join(part for part in _SENTENCES.split(text) if part and not looks_like_injection(part)).strip()


def _route(request: RouterInput, classifier: IntentGuesser | None) -> Route | None:
    text = request.text.strip()
    if looks_like_injection(text):
        text = _without_injection(text)
        request = replace(request, text=text)
    if not text:
        return None
    if looks_off_topic(text):
        return Route(intent="off_topic", reply="decline")
    if _GREETING.match(text):
        return Route(intent="greeting", reply="greeting")
    if _CONFIRM_IN_CHAT.match(text):
        return Route(intent="confirmation", reply="confirm_hint")  # only the client's confirm button confirms
    if _HUMAN.search(text):
        return Route(intent="human_agent", calls=[_call("transfer_to_human_agents", summary=text[:500])])
    if _CART_CLEAR.search(text):
        return Route(intent="cart", calls=[_call("view_cart")], follow_up="cart_clear")
    if _FORGET.search(text):
        return Route(intent="forget_me", calls=[_call("forget_me")]) if "forget_me" in request.tools else None
    if found := _problem_route(request):
        return found
    if ORDER_ID.search(text) or _PENDING_ORDER.search(text) or (
            (mentions_orders(text) or _NAMED_ITEM.search(text)) and not _POLICY.search(text)):
        return _order_route(request)
    if _POLICY.search(text) and not mentions_orders(text):
        return Route(intent="policy_question", calls=[faq_call(text)])
    if found := _product_route(request):
        return found
    if found := _gift_route(text):
        return found
    if _ASKS_FOR_PRODUCTS.search(text) and not _RECOMMEND.search(text) and not _NOT_A_PRODUCT.search(text):
        return Route(intent="product_search", calls=[search_call(text)])
    return _classified(request, classifier)


def _problem_route(request: RouterInput) -> Route | None:
    text = request.text
    if ORDER_ID.search(text) or _ASKS_TO_UNDO.search(text):
        return None  # the order route prepares the change the shopper asks for
    for pattern, queries in PROBLEM_FAQ_QUERIES:
        if pattern.search(text):
            query = queries.get(request.language, queries["en"])
            return Route(intent="policy_question", calls=[_call("search_faq", query=query)])
    return None


def _classified(request: RouterInput, classifier: IntentGuesser | None) -> Route | None:
    if classifier is None:
        return None
    guess = classifier.predict(request.text)
    intent, confidence = getattr(guess, "intent", ""), float(getattr(guess, "confidence", 0.0))
    if confidence < CONFIDENT:
        return None
    if intent == "off_topic":
        return Route(intent="off_topic", reply="decline")
    if intent == "product_search":
        return Route(intent="product_search", calls=[search_call(request.text)])
    if intent == "policy_question":
        return Route(intent="policy_question", calls=[faq_call(request.text)])
    if intent == "greeting":
        return Route(intent="greeting", reply="greeting")
    return None
