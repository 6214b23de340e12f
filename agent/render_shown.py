"""Answers about the products just shown, rendered by code from their own data (EN/ZH): 'Yes — number 1, Trail
Runner X, comes in navy (sizes 8–11).', 'Of these, the lightest is … — 0.9kg ($129.00).'"""

from __future__ import annotations

from agent.state import ShownItem
from agent.templates import Templates, money
from tools.shown import CheckProductsOutput, PickProductOutput, ProductCheck


def _which(product_id: str, shown: list[ShownItem], templates: Templates) -> str:
    position = next((number for number, item in enumerate(shown, start=1) if item.id == product_id), None)
    if position is None or len(shown) == 1:
        return templates.say("shown", "which_one")
    return templates.say("shown", "which_numbered", number=position)


def _check_line(check: ProductCheck, asked: str, which: str, templates: Templates) -> str:
    say = templates.say
    words = {"which": which, "title": check.title}
    if check.answer == "not_listed":
        return say("shown", "not_listed", asked=asked, **words)
    if check.source == "option":
        if check.answer == "no":
            return say("shown", "no_option", value=templates.word("colours", check.value),
                       choices=templates.list_separator.join(check.choices), **words)
        sizes = say("shown", "sizes", sizes=templates.list_separator.join(check.sizes)) if check.sizes else ""
        return say("shown", "yes_option", value=templates.word("colours", check.value), sizes=sizes, **words)
    if check.source == "attribute":
        return say("shown", f"{check.answer}_attribute", value=check.value, **words)
    return say("shown", "yes_text", value=check.value, source=say("shown", f"source_{check.source}"), **words)


def check_lines(output: CheckProductsOutput, shown: list[ShownItem], templates: Templates) -> list[str]:
    return [_check_line(check, output.asked, _which(check.id, shown, templates), templates) for check in output.checks]


def pick_lines(output: PickProductOutput, templates: Templates) -> list[str]:
    say = templates.say
    ranking = say("shown", f"rank_{output.by}")
    if output.best is None:
        return [say("shown", "none_listed", measure=say("shown", f"measure_{output.by}"), ranking=ranking)]
    best = output.best
    price = money(best.price, best.currency)
    if not best.figure:
        return [say("shown", "best_price", ranking=ranking, title=best.title, price=price)]
    return [say("shown", "best", ranking=ranking, title=best.title, figure=best.figure, price=price)]
