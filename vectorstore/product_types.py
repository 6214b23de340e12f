"""What kind of product a query asks for, judged against the catalog's own product types, in both languages.

A product type is a leaf category. Each is known by its name, by the most common ending of its English titles and by
the most common last word of its Chinese titles, all embedded in the multilingual space; the query's head phrase
("hiking boots" in "waterproof hiking boots under $120", "登山鞋" in "我想买一双防水的登山鞋") is embedded beside them.
A close type is what was asked for; no type near at all means the shop does not carry it; in between, nothing is
claimed. A catalog without categories falls back to the head's words in the title and never claims absence.
"""

from __future__ import annotations

import difflib
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from vectorstore.documents import ProductDoc
from vectorstore.embeddings import Embedder
from vectorstore.lexical import tokenize
from vectorstore.query import expand_text, expansions, normalise
from vectorstore.vocab import COLOURS, SYNONYMS

# Cosine of the head phrase to its nearest type text in the USE space, per query language. Chosen on the demo shop's
# judged queries and its not-carried set (evals/datasets/demo_absent.jsonl); ESCI stayed held out.
MATCH = {"en": 0.6, "zh": 0.66}
STRONG = 0.75  # phrases this close name the same kind whatever their words
NOUN_MATCH = 0.7  # head nouns this close name the same thing ('coats' ~ 'jackets'); else only STRONG agrees
MARGIN = 0.04  # types this close to the best one count as asked for too ('Trail Running Shoes' beside 'Running Shoes')
CATEGORISED_SHARE = 0.9  # types are read from the categories only when nearly every product has one
SUFFIX_SHARE = 0.8  # a Chinese title ending names the type when this share of the type's Chinese titles end with it
TAIL_SHARE = 0.3  # a title ending names the type when at least this share of the type's English titles end with it
RESPELL_CUTOFF = 0.8  # difflib ratio for a misspelt type word ('blendr' ~ 'blender', 'sleping' ~ 'sleeping')

_EN_WORD = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*|[^\sa-z0-9]")
_EN_BREAK = frozenset(
    "for with that which who whose under below over above in from by without but or than around about to on at "
    "of not no less like if so please between within made size sized except excluding , . ? ! ; : ( ) $ ¥".split()
)
_PURPOSE = frozenset("for with to like".split())
_EN_LEAD = frozenset(
    "i i'm im want wanna need looking look show find get buy any some a an the do does you have got sell carry is "
    "there are can could would like to search me my your our some cheap cheaper cheapest best good nice new great "
    "what which one pair set something anything item items product products stuff thing things recommend "
    "suggest please hi hello hey also more other another".split()
)
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_NEUTRAL_WORDS = frozenset(tokenize(" ".join([*_EN_LEAD, *COLOURS, "order purchase new another kid kids women men "
                                              "womens mens girl boy baby adult size sized pair set"])))
# A head that names no kind of product: the request is for an occasion or a recipient, not a type.
GENERIC_HEADS = frozenset(
    "gift gifts present presents idea ideas something anything stuff thing things item items product products "
    "one ones 礼物 礼品 东西 产品 商品 什么".split()
)
_ZH_GENERIC = tuple(word for word in GENERIC_HEADS if _CJK_CHAR.match(word))
_ZH_CLAUSE = re.compile(r"[，,。！!？?；;：:]+")
_ZH_LEAD = re.compile(r"^(我|想|要|需要|请|帮我|给我|找|买|看看|看|推荐|有没有|有|没有|一下|一双|一件|一个|一款|一台"
                      r"|一套|一把|一条|一顶|几|双|件|个|款|台|套|把|条|顶|些|点|什么|哪些|哪种|便宜|最便宜|好的|好)+")
_ZH_TAIL = re.compile(r"(吗|呢|吧|啊|呀|嘛|了|的|卖|吗\?)+$")
_CJK = re.compile(r"[\u4e00-\u9fff]+")


def head_phrase(text: str) -> str | None:
    """The words naming the kind of product asked for, or None when the text names none (or only 'a gift')."""
    head = _chinese_head(text) if _CJK.search(text) else _english_head(text)
    if not head or head.split()[-1] in GENERIC_HEADS or any(head.endswith(word) for word in _ZH_GENERIC):
        return None
    return head


def _english_head(text: str) -> str | None:
    phrase: list[str] = []
    for word in _EN_WORD.findall(text.lower()):
        if word in _EN_BREAK or not (word[0].isalnum()):
            if phrase:
                break
            if word in _PURPOSE:
                return None  # 'something for my trip': what follows is what it is for, not a kind of product
            continue
        if not phrase and (word in _EN_LEAD or word.isdigit() or word in COLOURS):
            continue
        phrase.append(word)
    nouns = [word for word in phrase if not word.isdigit()]
    return " ".join(nouns[-2:]) or None


def _chinese_head(text: str) -> str | None:
    clauses = [clause for clause in _ZH_CLAUSE.split(text) if _CJK.search(clause)]
    if not clauses:
        return None
    clause = re.sub(r"[\d.]+\s*(元|块钱|块|美元|刀)?(以内|以下|左右|上下)?", "", clauses[0])
    tail = clause.rsplit("的", 1)[-1].strip() or clause
    runs = _CJK.findall(tail)
    head = _ZH_TAIL.sub("", _ZH_LEAD.sub("", runs[-1])) if runs else ""
    return head or None


@dataclass(frozen=True)
class TypeMatch:
    """The kind asked for: the leaf categories that are it (empty when the catalog has none to compare), how close
    the nearest came, and whether the shop plainly does not carry it."""

    asked: str
    types: frozenset[str]
    score: float
    absent: bool

    def holds(self, doc: ProductDoc) -> bool:
        """The product is of the kind asked for: its leaf category is one of the types, or its title names the head."""
        if doc.category_path and doc.category_path[-1] in self.types:
            return True
        if _CJK.search(self.asked):
            return self.asked in doc.title
        words = set(tokenize(self.asked))
        return bool(words) and words <= set(tokenize(doc.title))


def _title_tail(title: str) -> str:
    words = [word for word in _EN_WORD.findall(title.lower()) if word[0].isalpha()]
    return " ".join(words[-2:])


def _common_suffix(runs: list[str]) -> str:
    """The longest ending (two characters or more) nearly all of the Chinese title endings share: the noun without
    the adjectives that vary from title to title."""
    for length in range(max((len(run) for run in runs), default=0), 1, -1):
        counts = Counter(run[-length:] for run in runs if len(run) >= length)
        if counts:
            suffix, count = counts.most_common(1)[0]
            if count >= SUFFIX_SHARE * len(runs):
                return suffix
    return ""


def type_texts(docs: Iterable[ProductDoc]) -> dict[str, set[str]]:
    """Per leaf category: its name, the English title ending most of its titles share, the Chinese ending most of its
    Chinese titles share ('越野跑鞋' for trail running shoes, where '跑鞋' alone would name road shoes too)."""
    tails: dict[str, Counter[str]] = defaultdict(Counter)
    chinese: dict[str, list[str]] = defaultdict(list)
    for doc in docs:
        if not doc.category_path:
            continue
        leaf = doc.category_path[-1]
        if runs := _CJK.findall(doc.title):
            chinese[leaf].append(runs[-1])
        else:
            tails[leaf][_title_tail(doc.title)] += 1
    texts: dict[str, set[str]] = {}
    for leaf in set(tails) | set(chinese):
        texts[leaf] = {leaf}
        if leaf.isascii() and len(words := tokenize(leaf)) == 1:
            texts[leaf].add(words[0])  # 'jacket' for 'Jackets': a one-word type is any kind of it
        if tails[leaf]:
            tail, count = tails[leaf].most_common(1)[0]
            if tail and count >= TAIL_SHARE * sum(tails[leaf].values()):
                texts[leaf].add(tail)
        if suffix := _common_suffix(chinese[leaf]):
            texts[leaf].add(suffix)
    return texts


def _respelled(word: str, vocabulary: set[str]) -> str:
    """A word one slip away from a type's word ('blendr' → 'blender'; not 'speak' → 'speaker'), else itself."""
    if word in vocabulary or len(word) < 5 or word.isdigit():
        return word
    close = [other for other in difflib.get_close_matches(word, vocabulary, n=3, cutoff=RESPELL_CUTOFF)
             if abs(len(other) - len(word)) <= 1]
    return close[0] if close else word


@dataclass(frozen=True)
class _Words:
    raw: list[str]  # as written, lower case
    stems: list[str]  # stemmed and respelled; '' for a stopword


def _named_span(entry: _TypeText, expanded: str, words: _Words, title_words: frozenset[str],
                type_words: frozenset[str]) -> tuple[int, int]:
    """How many words (or Chinese characters) of the type text the message names in a row, and where they end;
    (0, -1) when not all. A one-word type text is that type only where no other noun makes it part of another kind:
    the word before it is one the type's own titles use ('vegan shampoo', not 'laptop bag'), and the word after it
    is no product noun ('blender strong enough', not 'tent stakes')."""
    if not entry.words:
        position = expanded.find(entry.text)
        return (len(entry.text), -10**6 + position + len(entry.text)) if position >= 0 else (0, -1)
    size, stems = len(entry.words), words.stems
    for start in range(len(stems) - size + 1):
        if tuple(stems[start:start + size]) != entry.words:
            continue
        if size == 1 and not (_modifies(stems[start - 1] if start else "", title_words)
                              and _ends_phrase(words, start + 1, title_words, type_words)):
            continue
        return size, start + size
    return 0, -1


def _ends_phrase(words: _Words, after: int, title_words: frozenset[str], type_words: frozenset[str]) -> bool:
    if after >= len(words.stems):
        return True
    stem, raw = words.stems[after], words.raw[after]
    plural_noun = raw.endswith("s") and not raw.endswith("ss") and "'" not in raw and len(raw) > 3 \
        and stem not in title_words
    return not (stem in type_words and stem not in title_words) and not plural_noun


def _stem_of(word: str) -> str:
    stems = tokenize(word)
    return stems[0] if stems else ""


def _modifies(word: str, title_words: frozenset[str]) -> bool:
    """A word beside a one-word type that keeps it that type: a number, a request or colour word, or a word of the
    type's own titles ('vegan shampoo'); another noun makes another kind ('laptop bag', 'tent stakes')."""
    return not word or word.isdigit() or word in _NEUTRAL_WORDS or word in title_words


def title_words(docs: Iterable[ProductDoc]) -> dict[str, frozenset[str]]:
    words: dict[str, set[str]] = defaultdict(set)
    for doc in docs:
        if doc.category_path and not _CJK.search(doc.title):
            words[doc.category_path[-1]].update(tokenize(doc.title))
    return {leaf: frozenset(found) for leaf, found in words.items()}


def title_nouns(titles: Iterable[tuple[str, str]]) -> list[_TypeText]:
    """Per leaf category, the last word nearly all its English titles share ('shampoo' for 'Hair Care'), when no
    other leaf's titles end with it; `titles` are (title, leaf category) pairs."""
    endings: dict[str, Counter[str]] = defaultdict(Counter)
    for title, leaf in titles:
        words = [word for word in _EN_WORD.findall(title.lower()) if word[0].isalpha()]
        if words and not _CJK.search(title):
            endings[leaf][words[-1]] += 1
    owners: dict[str, set[str]] = defaultdict(set)
    for leaf, counts in endings.items():
        for word in counts:
            owners[word].add(leaf)
    nouns = []
    for leaf, counts in sorted(endings.items()):
        word, count = counts.most_common(1)[0]
        if count >= SUFFIX_SHARE * sum(counts.values()) and owners[word] == {leaf}:
            nouns.append(_TypeText(leaf, word, tuple(tokenize(word))))
    return nouns


def _with_synonyms(head: str) -> list[str]:
    words = head.split()
    noun = words[-1]
    synonyms = SYNONYMS.get(noun) or SYNONYMS.get(noun.removesuffix("s")) or ()
    return [head, *(" ".join([*words[:-1], synonym]) for synonym in synonyms)]


@dataclass(frozen=True)
class _TypeText:
    owner: str
    text: str
    words: tuple[str, ...]  # English words, stemmed; empty for a Chinese text

    @property
    def noun(self) -> str:
        return self.words[-1] if self.words else ""


class ProductTypes:
    """The catalog's product types in the multilingual space, rebuilt when the catalog's facets change.

    A type agrees with the asked head when their phrases are close and their head nouns are the same kind of thing
    ('hiking jacket' ~ 'Jackets', not 'Hiking Boots'; 'rain boots' is no 'hiking boots': both name a kind of boot and
    the kinds differ), or when the phrases are very close whatever the words ('espresso machines' ~ 'Coffee Makers').
    """

    def __init__(self, embedder: Embedder | None) -> None:
        self.embedder = embedder
        self._texts: list[_TypeText] = []
        self._title_nouns: list[_TypeText] = []  # named() only: the one last word nearly all of a type's titles share
        self._title_words: dict[str, frozenset[str]] = {}  # named() only: every English word of a type's titles
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._nouns: dict[str, np.ndarray] = {}
        self._chinese_owners: set[str] = set()
        self._generation = -1
        self._lock = threading.Lock()

    def refresh(self, generation: int, docs: Iterable[ProductDoc]) -> None:
        with self._lock:
            if generation == self._generation:
                return
            docs = list(docs)
            categorised = sum(1 for doc in docs if doc.category_path)
            # A catalog that files only some products under categories cannot say what it lacks.
            names = type_texts(docs) if categorised >= CATEGORISED_SHARE * max(len(docs), 1) else {}
            texts = [_TypeText(leaf, name, () if _CJK.search(name) else tuple(tokenize(name)))
                     for leaf, leaf_names in sorted(names.items()) for name in sorted(leaf_names)]
            if self.embedder is not None and texts:
                self._matrix = self.embedder.embed([t.text for t in texts])
                nouns = sorted({t.noun for t in texts if t.noun})
                self._nouns = dict(zip(nouns, self.embedder.embed(nouns), strict=True))
            self._texts = texts
            self._title_nouns = title_nouns((d.title, d.category_path[-1]) for d in docs if d.category_path) \
                if names else []
            self._title_words = title_words(docs) if names else {}
            self._chinese_owners = {text.owner for text in texts if not text.words}
            self._generation = generation

    def scores(self, phrase: str) -> dict[str, float]:
        """Each type's best cosine to the phrase."""
        best: dict[str, float] = {}
        for text, score in self._cosines(phrase):
            best[text.owner] = max(best.get(text.owner, -1.0), score)
        return best

    def _cosines(self, phrase: str) -> list[tuple[_TypeText, float]]:
        if self.embedder is None or not self._texts:
            return []
        similarity = self._matrix @ self.embedder.embed([phrase])[0]
        return list(zip(self._texts, similarity.tolist(), strict=True))

    def _nouns_agree(self, noun: str, text: _TypeText) -> bool:
        if noun == text.noun:
            return True
        if self.embedder is None or noun.isdigit() or not text.noun:
            return False
        return float(self.embedder.embed([noun])[0] @ self._nouns[text.noun]) >= NOUN_MATCH

    def _agrees(self, head: str, text: _TypeText, score: float) -> bool:
        if _CJK.search(head):
            if text.words and text.owner in self._chinese_owners:
                return False  # a type with Chinese titles is judged by them: '蓝牙耳机' is no '蓝牙音箱' (speaker)
            return score >= MATCH["zh"] and head[-1] in text.text if not text.words else score >= STRONG
        if score >= STRONG:
            return True
        words = tokenize(head)
        if score < MATCH["en"] or not words or not text.words:
            return False
        modifiers_fit = len(words) == 1 or len(text.words) == 1 or set(words[:-1]) <= set(text.words)
        return modifiers_fit and self._nouns_agree(words[-1], text)

    def _judge(self, head: str) -> tuple[dict[str, float], float]:
        """The agreeing types with their scores, and the best cosine of any type, for the head and its synonyms
        ('winter coats' is read as 'winter jacket' too)."""
        agreeing: dict[str, float] = {}
        best = -1.0
        for phrase in _with_synonyms(head):
            for text, score in self._cosines(phrase):
                best = max(best, score)
                if self._agrees(phrase, text, score):
                    agreeing[text.owner] = max(agreeing.get(text.owner, -1.0), score)
        return agreeing, best

    def near(self, head: str, leaf: str) -> bool:
        """The leaf category scores as close to the head as a type that is asked for would."""
        return self.scores(head).get(leaf, -1.0) >= MATCH["zh" if _CJK.search(head) else "en"]

    def names(self) -> list[str]:
        with self._lock:
            return sorted({text.owner for text in self._texts})

    def named(self, text: str) -> TypeMatch | None:
        """The type a message names in so many words, anywhere in it: a type's name or title ending ('sleeping
        bags', '越野跑鞋'), through the catalog's synonyms and known misspellings, or one word off a type's word
        ('blendr', 'sleping bag'). The longest naming wins; None when no type is named."""
        with self._lock:
            texts = self._texts + self._title_nouns
        if not texts:
            return None
        normal = normalise(text)
        expanded = expand_text(normal)
        vocabulary = {word for t in texts for word in t.words if len(word) >= 5}
        # The message's words in order (a stopword leaves an empty place), then each expansion on its own.
        phrases = [_CJK.sub(" ", normal), *expansions(normal)]
        sequences = [_Words(raw, [_respelled(_stem_of(word), vocabulary) for word in raw])
                     for raw in (_EN_WORD.findall(phrase) for phrase in phrases)]
        type_words = frozenset(word for t in texts for word in t.words)
        best: tuple[int, dict[str, range]] = (0, {})  # length named, and where each owner's naming lies
        for entry in texts:
            context = (self._title_words.get(entry.owner, frozenset()), type_words)
            for number, words in enumerate(sequences):
                length, end = _named_span(entry, expanded, words, *context)
                span = range(1000 * number + end - length, 1000 * number + end)
                if length > best[0]:
                    best = (length, {entry.owner: span})
                elif length and length == best[0]:
                    best[1].setdefault(entry.owner, span)
        spans = list(best[1].values())
        if not spans or any(not set(one) & set(other) for one in spans for other in spans):
            return None  # nothing named, or several types named by different words ('laptop bag'): no claim
        owners = sorted(best[1])
        return TypeMatch(owners[0].lower(), frozenset(owners), 1.0, absent=False)

    def match(self, head: str, english: str | None = None) -> TypeMatch | None:
        """The kind `head` names, None where the scores claim neither a type nor its absence. A Chinese head is also
        read through its catalog-word translation (`english`): absent only when that finds no type either."""
        if self.embedder is None or not self._texts:
            return TypeMatch(head, frozenset(), 0.0, absent=False)
        if _CJK.search(head) and not self._chinese_owners:
            # No Chinese titles to compare with, and a word-by-word translation is too loose to hold results to
            # (on the Chinese ESCI queries it cut NDCG@10 from 0.52 to 0.42) or to say what the shop lacks.
            return None
        agreeing, best = self._judge(head)
        if not agreeing and english:
            agreeing, translated_best = self._judge(english)
            if agreeing:
                return None  # only the translation agrees: too loose to hold results to, too close to call absent
            best = max(best, translated_best if translated_best >= STRONG else -1.0)
        if agreeing:
            top = max(agreeing.values())
            return TypeMatch(head, frozenset(t for t, s in agreeing.items() if s >= top - MARGIN), top, absent=False)
        return TypeMatch(head, frozenset(), best, absent=True) if best < STRONG else None
