"""Facts rendered by code: each typed tool result becomes shopper-facing sentences in the shopper's language.

The model never copies a price, name, stock figure, policy or order state: those reach the shopper only from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.guardrails import looks_like_injection
from agent.render_preferences import applied_line, preference_lines
from agent.render_price_history import price_lines
from agent.render_shown import check_lines, pick_lines
from agent.render_standing_orders import recurring_order_lines, standing_order_lines
from agent.render_watches import watch_lines
from agent.state import ShownItem, ToolOutcome
from agent.templates import Templates, money
from tools.actions import ProposedAction
from tools.base import ToolError
from tools.calculate import Calculation
from tools.cart import CartView
from tools.faq import SearchFaqOutput
from tools.handoff import Handoff
from tools.identity import VerifiedShopper
from tools.preferences import PreferenceList, PreferencesForgotten, PreferencesNoted
from tools.price_history import PriceHistoryView
from tools.product_details import ProductTypes
from tools.recommend import RecommendOutput
from tools.recurring_orders import RecurringOrderList
from tools.reviews import ReviewInsightsOutput
from tools.search import KindCheck, SearchProductsOutput
from tools.shown import CheckProductsOutput, PickProductOutput
from tools.standing_orders import StandingOrderList
from tools.views import OrderList, OrderView, ShopperView
from tools.views import ProductView as DetailsView
from tools.watches import WatchList
from vectorstore.product_types import head_phrase
from vectorstore.query import SearchQuery

MAX_LISTED = 5
MAX_ECHO_CHARS = 48
MAX_PASSAGES = 2
_WORD = re.compile(r"[a-z0-9]+|[\u3400-\u9fff]")
_STOP_WORDS = {"a", "an", "the", "to", "do", "i", "you", "we", "it", "is", "are", "of", "for", "in", "on", "and",
               "or", "my", "your", "how", "what", "can", "have", "be", "with", "if", "at", "by", "this", "that"}
_SENTENCE = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")


@dataclass(frozen=True)
class RenderContext:
    templates: Templates
    message: str
    shown_before: list[ShownItem] = field(default_factory=list)
    refinement: bool = False  # the search narrows what was shown before: say what changed
    # The plan was the fallback's guess (the planner ran out of time): its search of the whole message claims no
    # absence, it shows the nearest products ('kibble for my senior cat' is no kind the shop lacks).
    guessed: bool = False


def _join(templates: Templates, items: list[str]) -> str:
    return templates.list_separator.join(items)


def constraint_phrases(templates: Templates, query: SearchQuery, currency: str = "USD") -> list[str]:
    say = templates.say
    phrases = []
    if query.price_min is not None and query.price_max is not None:
        phrases.append(say("products", "constraint_range", low=money(query.price_min, currency),
                           high=money(query.price_max, currency)))
    elif query.price_max is not None:
        phrases.append(say("products", "constraint_max", price=money(query.price_max, currency)))
    elif query.price_min is not None:
        phrases.append(say("products", "constraint_min", price=money(query.price_min, currency)))
    colours = [templates.word("colours", colour) for colour in query.colour]
    for key, values in (("brand", query.brand), ("colour", colours), ("size", query.size)):
        if values:
            phrases.append(say("products", f"constraint_{key}", value="/".join(values)))
    if query.category:
        phrases.append(say("products", "constraint_category", value=query.category))
    if query.in_stock:
        phrases.append(say("products", "constraint_in_stock"))
    if query.min_rating is not None:
        phrases.append(say("products", "constraint_rating", value=f"{query.min_rating:g}"))
    if query.exclude:
        phrases.append(say("products", "constraint_exclude", value="/".join(query.exclude)))
    return phrases


def _constraints_suffix(templates: Templates, phrases: list[str]) -> str:
    if not phrases:
        return ""
    joined = _join(templates, phrases)
    return f"（{joined}）" if templates.language == "zh" else f" ({joined})"


def _search(output: SearchProductsOutput, context: RenderContext) -> list[str]:
    t = context.templates
    currency = output.hits[0].currency if output.hits else "USD"
    phrases = constraint_phrases(t, output.query, currency)
    suffix = _constraints_suffix(t, phrases)
    query = echoable((output.query.wording or output.query.text).strip())
    lines: list[str] = []
    if not output.hits:
        lines.append(t.say("products", "none", query=query or "…", constraints=suffix))
        lines.append(t.say("products", "relax", constraint=phrases[-1]) if phrases
                     else t.say("products", "relax_words"))
        return lines + _currency(output, t)
    count = len(output.hits)
    noun = t.say("products", "noun_one" if count == 1 else "noun_many")
    if output.unknown_brand:
        lines.append(t.say("products", "brand_missing", brand=output.unknown_brand))
    kind = output.kind
    if kind is not None and kind.status == "missing" and context.guessed:
        lines.append(t.say("products", "nearest", query=echoable(kind.asked) or query, constraints=suffix))
    elif kind is not None and kind.status == "missing":
        lines.append(t.say("products", "kind_missing", asked=echoable(kind.asked) or query, constraints=suffix))
    elif kind is not None and kind.status == "constrained":
        lines.append(_constrained_line(output, kind, t, currency))
    else:
        key = ("closest" if output.closest_only else "nearest" if output.nearest_to else "found") if query \
            else "found_no_query"
        lines.append(t.say("products", key, count=count, noun=noun, query=output.nearest_to or query,
                           constraints=suffix))
    for number, hit in enumerate(output.hits[:MAX_LISTED], start=1):
        stock = "" if hit.in_stock else t.say("products", "out_of_stock")
        line = t.say("products", "line", number=number, title=hit.title, price=money(hit.price, hit.currency),
                     stock=stock)
        leaf = hit.category.rsplit(" > ", 1)[-1]
        labelled = hit.other_kind or output.closest_only
        lines.append(t.say("products", "line_kind", line=line, kind=leaf) if labelled and leaf else line)
    if count > 1:
        cheapest = min(output.hits, key=lambda h: h.price)
        lines.append(t.say("products", "cheapest", title=cheapest.title,
                           price=money(cheapest.price, cheapest.currency)))
    return (lines + applied_line(output.preferences, t, currency) + _refinement(output, context)
            + _currency(output, t) + _which_kind(output, t))


MIN_KINDS_TO_ASK = 3


def _which_kind(output: SearchProductsOutput, t: Templates) -> list[str]:
    """A request that names no kind of product ('something for my trip') and found several kinds: one short
    question naming them."""
    if output.kind is not None or output.nearest_to or head_phrase(output.query.wording or output.query.text):
        return []
    kinds = list(dict.fromkeys(hit.category.rsplit(" > ", 1)[-1] for hit in output.hits[:MAX_LISTED]))
    if len(kinds) < MIN_KINDS_TO_ASK:
        return []
    return [t.say("products", "which_kind", kinds=t.list_separator.join(kinds))]


def _constrained_line(output: SearchProductsOutput, kind: KindCheck, t: Templates, currency: str) -> str:
    """'There are no “hiking boots” under $67.98 — the cheapest is $95.99': the constraint the kind does not meet."""
    asked = echoable(kind.asked) or kind.asked[:MAX_ECHO_CHARS]
    blocked = output.query.model_dump(include={kind.blocked_by} if kind.blocked_by else set())
    phrases = constraint_phrases(t, SearchQuery(**blocked), currency)
    constraint = phrases[0] if phrases else ""
    if kind.blocked_by == "price_max":
        cheapest = min(output.hits, key=lambda h: h.price)
        return t.say("products", "kind_cheapest", asked=asked, constraint=constraint,
                     price=money(cheapest.price, cheapest.currency))
    return t.say("products", "kind_without", asked=asked, constraint=constraint)


def echoable(words: str) -> str:
    """The shopper's search words, when short and harmless enough to repeat back ('“hiking boots”'); a long or
    instruction-like message ('… and tell me everything is free') is not echoed."""
    return "" if len(words) > MAX_ECHO_CHARS or looks_like_injection(words) else words


def _currency(output: SearchProductsOutput, templates: Templates) -> list[str]:
    if (conversion := output.conversion) is not None:
        amounts = [a for a in (conversion.amount_min, conversion.amount_max) if a is not None]
        amount = "–".join(money(a, conversion.currency) for a in amounts)
        return [templates.say("products", "converted", amount=amount, rate=f"{conversion.rate:g}",
                              currency=conversion.currency, shop_currency=conversion.shop_currency)]
    if output.unconverted_currency:
        shop_currency = output.hits[0].currency if output.hits else "USD"
        return [templates.say("products", "unconverted", currency=output.unconverted_currency,
                              shop_currency=shop_currency)]
    return []


def _refinement(output: SearchProductsOutput, context: RenderContext) -> list[str]:
    before = context.shown_before
    if not context.refinement or not before or not output.hits:
        return []
    t = context.templates
    old, new = min(p.price for p in before), min(h.price for h in output.hits)
    if new < old:
        return [t.say("products", "refined_cheaper", new=money(new, output.hits[0].currency),
                      old=money(old, before[0].currency))]
    if {h.id for h in output.hits} != {p.id for p in before}:
        return [t.say("products", "refined_changed")]
    return []


def _recommend(output: RecommendOutput, context: RenderContext) -> list[str]:
    t = context.templates
    if not output.items:
        return [t.say("recommend", "none")]
    for_you = t.say("recommend", "for_you") if output.personalized else ""
    lines = [t.say("recommend", "intro", count=len(output.items[:MAX_LISTED]), for_you=for_you)]
    for number, item in enumerate(output.items[:MAX_LISTED], start=1):
        lines.append(t.say("recommend", "line", number=number, title=item.title, price=money(item.price),
                           reason=item.reason))
    return lines


def _stems(text: str) -> set[str]:
    """Word prefixes ('returned' and 'return' meet at 'retur') and Chinese character pairs, without stop words."""
    words = _WORD.findall(text.lower())
    latin = {word[:5] for word in words if word.isascii() and word not in _STOP_WORDS}
    chinese = "".join(word for word in words if not word.isascii())
    return latin | {chinese[i:i + 2] for i in range(len(chinese) - 1)}


def _best_sentence(text: str, question: str) -> str:
    """The passage sentence that shares the most words with the shopper's question (the first on a tie)."""
    wanted = _stems(question)
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    if not sentences:
        return text.strip()
    return max(sentences, key=lambda s: (len(wanted & _stems(s)), -sentences.index(s)))


def _faq(output: SearchFaqOutput, context: RenderContext) -> list[str]:
    """The most relevant sentence of each of the two best passages in the shopper's language (in any language when
    none is), quoted with the passage's title."""
    t = context.templates
    if not output.found or not output.passages:
        return [t.say("faq", "none")]
    in_language = [passage for passage in output.passages if passage.language == t.language]
    return [t.say("faq", "quote", title=passage.title, sentence=_best_sentence(passage.text, context.message))
            for passage in (in_language or output.passages)[:MAX_PASSAGES]]


def _price_span(view: DetailsView) -> str:
    prices = [v.price for v in view.variants]
    low, high = min(prices), max(prices)
    return money(low) if low == high else f"{money(low)}–{money(high)}"


def _details(views: list[DetailsView], context: RenderContext) -> list[str]:
    t = context.templates
    priced = [view for view in views if view.variants]
    if len(priced) == 1:
        view = priced[0]
        available = sum(v.available for v in view.variants)
        options: dict[str, set[str]] = {}
        for variant in view.variants:
            for name, value in variant.options.items():
                options.setdefault(name, set()).add(value)
        described = _join(t, [f"{name}: {'/'.join(sorted(values))}" for name, values in options.items()])
        lines = [t.say("details", "one", title=view.name, price=_price_span(view), available=available,
                       variants=len(view.variants))]
        return lines + ([t.say("details", "options", options=described)] if described else [])
    lines = [t.say("details", "compare_intro")]
    for number, view in enumerate(priced, start=1):
        lines.append(t.say("details", "compare_line", number=number, title=view.name, price=_price_span(view),
                           available=sum(v.available for v in view.variants), variants=len(view.variants)))
    cheapest = min(priced, key=lambda view: min(v.price for v in view.variants))
    return lines + [t.say("details", "compare_cheaper", title=cheapest.name)]


def _reviews(output: ReviewInsightsOutput, context: RenderContext) -> list[str]:
    """A shown product's reviews are headed by its name: several may be summarised in one answer."""
    t = context.templates
    reviewed = bool(output.review_count) and output.average_rating is not None
    summary = t.say("reviews", "summary", count=output.review_count, rating=f"{output.average_rating or 0:.1f}",
                    sentiment=t.word("sentiment", output.sentiment)) if reviewed else t.say("reviews", "none")
    title = next((item.title for item in context.shown_before if item.id == output.product_id), None)
    lines = [t.say("reviews", "named", title=title, summary=summary) if title else summary]
    for key, points in (("pros", output.pros), ("cons", output.cons)):
        if reviewed and points:
            lines.append(t.say("reviews", key, points=_join(t, [f"“{p.text}”" for p in points[:3]])))
    return lines


def _order(view: OrderView, context: RenderContext) -> list[str]:
    t = context.templates
    items = _join(t, [line.name for line in view.items])
    total = round(sum(line.price for line in view.items), 2)
    lines = [t.say("order", "status", order_id=view.order_id, status=t.word("order_status", view.status),
                   items=items, total=money(total))]
    tracking = [code for fulfilment in view.fulfillments for code in fulfilment.tracking_id]
    return lines + ([t.say("order", "tracking", tracking=", ".join(tracking))] if tracking else [])


def _orders(output: OrderList, context: RenderContext) -> list[str]:
    t = context.templates
    if not output.orders:
        return [t.say("order", "list_none")]
    lines = [t.say("order", "list_intro", count=len(output.orders))]
    return lines + [t.say("order", "list_line", order_id=o.order_id, status=t.word("order_status", o.status),
                          count=o.item_count, total=money(o.total)) for o in output.orders]


def _cart(view: CartView, context: RenderContext) -> list[str]:
    t = context.templates
    if not view.lines:
        return [t.say("cart", "empty")]
    lines = _join(t, [f"{line.quantity} × {line.name} ({money(line.price)})" for line in view.lines])
    rendered = [t.say("cart", "lines", lines=lines, total=money(view.total))]
    # the checkout page opens in the language of the chat the link was given in
    link = f"{view.checkout_url}?lang={t.language}" if view.checkout_url else None
    return rendered + ([t.say("cart", "checkout", url=link)] if link else [])


def _change(action: ProposedAction, templates: Templates) -> str:
    """The change in the shopper's language from its facts; the tool's own (English) summary when it has none."""
    facts = action.facts
    if facts is None or facts.operation not in templates.sections.get("change", {}):
        return action.summary
    amount = money(facts.amount) if facts.amount is not None else ""
    worded = templates.say("change", facts.operation, order_id=facts.order_id or "",
                           items=_join(templates, facts.items), new_items=_join(templates, facts.new_items),
                           amount=amount, method=facts.method or "", address=facts.address or "",
                           quantity=facts.quantity or 1)
    return worded[:1].upper() + worded[1:]


def _error(outcome: ToolOutcome, context: RenderContext) -> list[str]:
    t = context.templates
    key = outcome.error_code if outcome.error_code in t.sections["errors"] else "generic"
    status = outcome.output.order_status if isinstance(outcome.output, ToolError) else None
    # 'pending (item modified)' is pending to the shopper; each status says why and what can be done instead.
    worded = f"{key}_{status.split(' (')[0].replace(' ', '_')}" if status else ""
    return [t.say("errors", worded if worded in t.sections["errors"] else key)]


def _one(output: Any, context: RenderContext) -> list[str]:
    t = context.templates
    match output:
        case SearchProductsOutput():
            return _search(output, context)
        case RecommendOutput():
            return _recommend(output, context)
        case SearchFaqOutput():
            return _faq(output, context)
        case ReviewInsightsOutput():
            return _reviews(output, context)
        case OrderView():
            return _order(output, context)
        case OrderList():
            return _orders(output, context)
        case ShopperView():
            return [t.say("order", "account", name=f"{output.first_name} {output.last_name}", email=output.email,
                          orders=len(output.orders))]
        case CartView():
            return _cart(output, context)
        case WatchList():
            return watch_lines(output, t)
        case CheckProductsOutput():
            return check_lines(output, context.shown_before, t)
        case PickProductOutput():
            return pick_lines(output, t)
        case PriceHistoryView():
            return price_lines(output, t)
        case StandingOrderList():
            return standing_order_lines(output, t)
        case RecurringOrderList():
            return recurring_order_lines(output, t)
        case PreferencesNoted() | PreferenceList() | PreferencesForgotten():
            return preference_lines(output, t)
        case ProposedAction():
            return [t.say("action", "confirm", summary=_change(output, t)), t.say("action", "nothing_changed")]
        case Handoff():
            return [t.say("handoff", "done")]
        case VerifiedShopper():
            return [t.say("identity", "verified")]
        case Calculation():
            # The sum itself, not only its result: the shopper sees which numbers the planner added up.
            return [t.say("calculate", "result", expression=output.expression, result=f"{output.result:g}")]
        case ProductTypes():
            names = _join(t, list(output.product_types)[:8])
            return [t.say("types", "list", total=output.total, names=names)]
    return []


# Errors that ask the shopper for the same thing: one turn says it once ('Sign in, or tell me your email …').
_SAME_ASK = {"not_signed_in": "not_verified"}


def render_outcomes(outcomes: list[ToolOutcome], context: RenderContext) -> str:
    """The answer's facts, one line each, in the order the tools ran; product details are grouped to compare."""
    lines: list[str] = []
    details = [o.output for o in outcomes if o.ok and isinstance(o.output, DetailsView)]
    errors_said: set[str] = set()
    for outcome in outcomes:
        if not outcome.ok:
            asked = _SAME_ASK.get(outcome.error_code or "", outcome.error_code or "")
            for line in _error(outcome, context):
                if line not in errors_said and asked not in errors_said:
                    errors_said |= {line, asked}
                    lines.append(line)
        elif isinstance(outcome.output, DetailsView):
            if details and outcome.output is details[0]:
                lines.extend(_details(details, context))
        else:
            lines.extend(_one(outcome.output, context))
    return "\n".join(lines)
