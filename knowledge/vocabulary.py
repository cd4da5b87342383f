"""The English <-> Japanese civic vocabulary (knowledge/vocabulary-en-ja.yaml) and how a question is read with it.

English questions are answered from Japanese pages. What an English question says is read as the words official
pages use through, first, the catalog's bilingual names (knowledge.japanese.EnglishTerms) and, second, this
general vocabulary: everyday English of residents ("by mail", "passed away", "foster family") -> the pages' words
(郵送, 死亡, 里親), the English wording of question kinds ("is it ok if" asks yes or no, "which days are busiest"
asks hours), and the English an answer says a page's words with. The words live in the YAML file, not in code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

VOCABULARY_FILE = Path(__file__).parent / "vocabulary-en-ja.yaml"

_WORD = re.compile(r"[a-z0-9]+")


def stem(word: str) -> str:
    """A light stem so the forms of a word meet: moved / moving / moves / move -> mov, applies / applied / apply
    -> apply, families / family -> family (English is the second language here; a stem is a key, not a word)."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) >= len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) >= 4 and word.endswith("e"):
        word = word[:-1]
    if len(word) >= 4 and word.endswith("i"):
        word = word[:-1] + "y"
    return word


def stems(text: str) -> tuple[str, ...]:
    """The stemmed words of ``text`` in order (lower case; an apostrophe splits: don't -> don t)."""
    t = text.lower().replace("’", "'").replace("'", " ")
    return tuple(stem(w) for w in _WORD.findall(t))


@dataclass(frozen=True)
class Entry:
    """English phrases (stemmed word tuples) and regular expressions that say the Japanese words ``ja``."""

    phrases: tuple[tuple[str, ...], ...]
    patterns: tuple[re.Pattern[str], ...]
    ja: tuple[str, ...]
    kind: bool = (
        False  # its Japanese words also only name the kind of answer asked (送り先 for 'what address')
    )
    weigh: bool = True  # a sentence naming it answers more (not an office the question goes to: 市役所)
    surface: frozenset[str] = frozenset()  # the words of its phrases as written (for spelling)


def _entry(item: dict[str, Any]) -> Entry:
    said = item["en"] if isinstance(item["en"], list) else [item["en"]]
    phrases = tuple(stems(p) for p in said if not p.startswith("re:") and stems(p))
    patterns = tuple(re.compile(p[3:], re.I) for p in said if p.startswith("re:"))
    surface = frozenset(w for p in said if not p.startswith("re:") for w in _WORD.findall(p.lower()))
    ja = tuple(item["ja"])
    return Entry(phrases, patterns, ja, bool(item.get("kind")), bool(item.get("weigh", True)), surface)


def one_edit(a: str, b: str) -> bool:
    """True when ``b`` is ``a`` with one letter changed, added or dropped, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        swap = (
            len(diff) == 2 and diff[1] == diff[0] + 1 and (a[diff[0]], a[diff[1]]) == (b[diff[1]], b[diff[0]])
        )
        return len(diff) == 1 or swap
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


_TYPO_MIN = 6  # shorter words are left as written: being / bring, cards / care are different words


def corrected(text: str, lexicon: frozenset[str]) -> str:
    """``text`` with each misspelt word of 6+ letters ('registation', 'alowance', 'certifcate') replaced by the one
    word of ``lexicon`` it is one edit away from (same first letter); a word with no or several such is kept."""

    def fix(m: re.Match[str]) -> str:
        w = m.group(0).lower()
        if len(w) < _TYPO_MIN or w in lexicon:
            return m.group(0)
        near = [x for x in lexicon if len(x) >= _TYPO_MIN and x[0] == w[0] and one_edit(w, x)]
        return near[0] if len(near) == 1 else m.group(0)

    return re.sub(r"[A-Za-z]+", fix, text)


def _used(entries: tuple[Entry, ...], question: str) -> list[int]:
    """The entries ``question`` uses, in the entries' order: each English word is read by the longest phrase that
    covers it (move out -> 転出届 takes 'move' from move -> 転入); a pattern takes no word."""
    words = stems(question)
    spans: list[tuple[int, int, int]] = []  # (start, length, entry) of every phrase found
    for n, e in enumerate(entries):
        for p in e.phrases:
            spans += [(i, len(p), n) for i in range(len(words) - len(p) + 1) if words[i : i + len(p)] == p]
    taken: set[int] = set()
    used: set[int] = set()
    for start, length, n in sorted(spans, key=lambda s: (-s[1], s[0])):
        cover = set(range(start, start + length))
        if not cover & taken:
            taken |= cover
            used.add(n)
    low = question.lower()
    used |= {n for n, e in enumerate(entries) if any(p.search(low) for p in e.patterns)}
    return sorted(used)


def _japanese(entries: list[Entry]) -> list[str]:
    out: list[str] = []
    for e in entries:
        out.extend(w for w in e.ja if w not in out)
    return out


@dataclass(frozen=True)
class Vocabulary:
    words: tuple[Entry, ...]
    topics: tuple[Entry, ...]
    kind_words: tuple[Entry, ...]
    asks: dict[str, tuple[re.Pattern[str], ...]]
    glossary: dict[str, str]
    lexicon: frozenset[str] = frozenset()  # every English word the phrases are written with (for spelling)

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every entry, read together: an English word belongs to one phrase of any section."""
        return (*self.kind_words, *self.topics, *self.words)

    def _read(self, question: str) -> list[Entry]:
        entries = self.entries
        return [entries[n] for n in _used(entries, corrected(question, self.lexicon))]

    def japanese(self, question: str) -> list[str]:
        """The pages' words for what an English question says beyond its topic and the kind it asks ('by mail' ->
        郵送, 'foster family' -> 里親): the words a sentence that answers it uses."""
        words = set(self.words)
        return _japanese([e for e in self._read(question) if e in words])

    def named(self, question: str, topics: bool = True) -> list[tuple[str, ...]]:
        """The things an English question names that a sentence answering it names too, each as the pages' words
        for it (('葬祭費', '葬儀'), ('郵送',)): its other words and (``topics``) its topics; not the kind asked nor
        an office it goes to."""
        weighed = {*self.topics, *self.words} if topics else set(self.words)
        return [e.ja for e in self._read(question) if e in weighed and e.weigh]

    def search_japanese(self, question: str) -> list[str]:
        """All the pages' words an English question is searched with beyond the catalog's names: the kind of answer
        asked, the topics it names and its other words."""
        return _japanese(self._read(question))

    def kind_japanese(self, question: str) -> list[str]:
        """The words pages label the kind of answer asked with ('what time' -> 時間, 'bring' -> 必要なもの)."""
        kinds = set(self.kind_words)
        return _japanese([e for e in self._read(question) if e in kinds])

    def kind_word_set(self) -> frozenset[str]:
        """Every Japanese word that only names a kind of answer (not a resident's own word)."""
        return frozenset(
            w for e in (*self.kind_words, *self.words) if e in self.kind_words or e.kind for w in e.ja
        )

    def kinds_asked(self, question: str) -> list[str]:
        """The kinds of answer an English question asks by its wording, in the file's order."""
        q = corrected(question, self.lexicon)
        return [kind for kind, pats in self.asks.items() if any(p.search(q) for p in pats)]


@cache
def vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """The vocabulary of ``path`` (read once)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Vocabulary(
        words=tuple(_entry(x) for x in data["words"]),
        topics=tuple(_entry(x) for x in data["topics"]),
        kind_words=tuple(_entry(x) for x in data["kind_words"]),
        asks={k: tuple(re.compile(p, re.I) for p in v) for k, v in data["asks"].items()},
        glossary={str(k): str(v) for k, v in data["glossary"].items()},
        lexicon=frozenset(
            w for s in ("words", "topics", "kind_words") for x in data[s] for w in _entry(x).surface
        ),
    )
