"""A shopper's stated preferences in words, rendered by code from the typed records (EN/ZH): what was noted, what is
kept, what was forgotten, and what the saved ones did to a search."""

from __future__ import annotations

from collections.abc import Sequence

from agent.events import PreferenceNotedEvent
from agent.state import ToolOutcome
from agent.templates import Templates, money
from commerce.preferences import StatedPreference
from tools.preference_filters import AppliedPreference
from tools.preferences import PreferenceList, PreferencesForgotten, PreferencesNoted


def _amount(amount: float | None, value: str, currency: str) -> str:
    return money(amount, currency) if amount is not None else value


def preference_phrase(item: StatedPreference, templates: Templates, currency: str = "USD") -> str:
    """'size 10 for shoes', 'no leather', 'likes blue (your wife)' / '鞋10码', '不要皮革', '喜欢蓝色（妻子）'."""
    word = templates.word
    value = word("preference_words", item.value)
    category = word("preference_words", item.category)
    say = templates.say
    match item.kind:
        case "size":
            phrase = say("preferences", "size_for" if item.category else "size", value=value, category=category)
        case "budget":
            phrase = say("preferences", "budget_for" if item.category else "budget", category=category,
                         amount=_amount(item.amount, item.value, currency))
        case "language":
            phrase = say("preferences", "language", value=value)
        case _:
            phrase = say("preferences", "avoid" if item.avoid else "like", value=value)
    if item.recipient:
        phrase = say("preferences", "for_recipient", item=phrase, recipient=word("preference_words", item.recipient))
    return phrase


def _phrases(items: Sequence[StatedPreference], templates: Templates) -> str:
    return templates.list_separator.join(preference_phrase(item, templates) for item in items)


def preference_lines(output: PreferencesNoted | PreferenceList | PreferencesForgotten,
                     templates: Templates) -> list[str]:
    say = templates.say
    match output:
        case PreferencesNoted():
            return [say("preferences", "noted", items=_phrases(output.noted, templates))]
        case PreferenceList():
            if not output.preferences:
                return [say("preferences", "none")]
            return [say("preferences", "listed", count=len(output.preferences),
                        items=_phrases(output.preferences, templates))]
        case PreferencesForgotten():
            key = "forgotten" if output.remaining else "forgotten_all"
            return [say("preferences", key, items=_phrases(output.forgotten, templates))]


def applied_line(applied: Sequence[AppliedPreference], templates: Templates, currency: str) -> list[str]:
    """'Going by your preferences: size 10 first, leather left out — say "show all" to drop that.'"""
    if not applied:
        return []
    say, word = templates.say, templates.word
    parts = []
    for item in applied:
        value = word("preference_words", item.value)
        if item.effect == "left_out":
            parts.append(say("preferences", "left_out", value=value))
        elif item.kind == "size":
            parts.append(say("preferences", "first_size", value=value))
        elif item.kind == "budget":
            parts.append(say("preferences", "first_budget", amount=_amount(item.amount, item.value, currency)))
        else:
            parts.append(say("preferences", "first", item=value))
    recipient = applied[0].recipient
    if recipient:
        return [say("preferences", "applied_for", recipient=word("preference_words", recipient),
                    items=templates.list_separator.join(parts))]
    return [say("preferences", "applied", items=templates.list_separator.join(parts))]


def preference_event(outcome: ToolOutcome, templates: Templates) -> PreferenceNotedEvent | None:
    if not outcome.ok or not isinstance(outcome.output, PreferencesNoted):
        return None
    [text] = preference_lines(outcome.output, templates)
    items = [preference_phrase(item, templates) for item in outcome.output.noted]
    return PreferenceNotedEvent(preferences=outcome.output.noted, items=items, text=text)
