"""The in-catalog set, generated from the catalog itself: for every product kind (leaf category), plain requests,
questions, budgets, recipients and misspellings in English, and requests with budgets in Chinese numerals in Chinese.
Every one asks for something the shop sells, so any 'we don't carry' is a false absence."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict

import cn2an
from sqlalchemy import select

from commerce.db import Database
from commerce.tables import ProductRow
from commerce.text import CJK_RUN
from evals.understanding.schema import ExpectedTurn, UnderstandingDialogue

NOT_CARRIED = ["don't carry", "do not carry", "couldn't find", "本店没有", "本店似乎没有"]
_RECIPIENTS = ("my wife", "my dad", "a friend")


def _misspelt(word: str) -> str:
    """The word with one inner letter dropped ('blender' → 'blnder'), as a hurried shopper types it."""
    return word[:2] + word[3:] if len(word) >= 6 else word


def _kinds(db: Database) -> dict[str, dict[str, object]]:
    """Per leaf category: its English name (the one-word title noun where the titles share one), its Chinese name
    (the ending its Chinese titles share), and its median price."""
    with db.session() as session:
        rows = session.execute(select(ProductRow.title, ProductRow.category_path, ProductRow.price)).all()
    titles: dict[str, list[str]] = defaultdict(list)
    prices: dict[str, list[float]] = defaultdict(list)
    for title, path, price in rows:
        if path:
            titles[path[-1]].append(title)
            prices[path[-1]].append(price)
    kinds: dict[str, dict[str, object]] = {}
    for leaf, names in titles.items():
        english = [title.lower().split() for title in names if not CJK_RUN.search(title)]
        chinese = [runs[-1] for title in names if (runs := CJK_RUN.findall(title))]
        ending = _shared_ending([words[-2:] for words in english if len(words) >= 2]) or leaf.lower()
        kinds[leaf] = {"en": ending.split()[-1] if len(ending.split()[0]) <= 2 else ending,
                       "zh": _shared_ending([list(run) for run in chinese], joiner="", share=0.8),
                       "price": statistics.median(prices[leaf])}
    return kinds


def _shared_ending(sequences: list[list[str]], joiner: str = " ", share: float = 0.5) -> str:
    """The longest ending at least `share` of the sequences end with ('trail mix', '笔记本电脑')."""
    for size in range(max((len(items) for items in sequences), default=0), 1 if joiner else 1, -1):
        counts = Counter(joiner.join(items[-size:]) for items in sequences if len(items) >= size)
        if counts and (top := counts.most_common(1)[0])[1] >= share * len(sequences):
            return top[0]
    return ""


def _turn(text: str, leaf: str, max_price: float | None = None, currency: str | None = None) -> ExpectedTurn:
    return ExpectedTurn(text=text, act="search", kind=leaf, max_price=max_price, currency=currency,
                        must_not_say=NOT_CARRIED)


def in_catalog_dialogues(db: Database) -> list[UnderstandingDialogue]:
    dialogues = []
    for number, (leaf, kind) in enumerate(sorted(_kinds(db).items())):
        noun, zh, price = str(kind["en"]), str(kind["zh"]), float(kind["price"])  # type: ignore[arg-type]
        budget = float(round(price * 1.2, -1) or 10)
        recipient = _RECIPIENTS[number % len(_RECIPIENTS)]
        english = [_turn(f"show me {noun}", leaf), _turn(f"do you have any {noun}?", leaf),
                   _turn(f"{noun} under ${budget:g}", leaf, budget, "USD"),
                   _turn(f"I'm looking for a {noun} for {recipient}", leaf),
                   _turn(f"{_misspelt(noun)} please", leaf)]
        turns = [(f"en-{number}-{i}", "en", turn) for i, turn in enumerate(english)]
        if zh:
            yuan = float(round(price * 7 * 1.2, -2) or 100)
            chinese = [_turn(f"我想买{zh}", leaf), _turn(f"有没有{zh}？", leaf),
                       _turn(f"{zh}，{cn2an.an2cn(int(yuan))}块以内", leaf, yuan, "CNY"),
                       _turn(f"给{('老婆', '爸爸', '朋友')[number % 3]}买个{zh}", leaf)]
            turns += [(f"zh-{number}-{i}", "zh", turn) for i, turn in enumerate(chinese)]
        dialogues += [UnderstandingDialogue(id=f"cat-{name}", language=language, topic=leaf, turns=[turn])  # type: ignore[arg-type]
                      for name, language, turn in turns]
    return dialogues
