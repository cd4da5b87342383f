"""The English <-> Japanese civic vocabulary (knowledge/vocabulary/en-ja.yaml) and how a question is read with it.

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

VOCABULARY_FILE = Path(__file__).parent / "vocabulary" / "en-ja.yaml"

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


def _entry(item: dict[str, Any]) -> Entry:
    said = item["en"] if isinstance(item["en"], list) else [item["en"]]
    phrases = tuple(stems(p) for p in said if not p.startswith("re:") and stems(p))
    patterns = tuple(re.compile(p[3:], re.I) for p in said if p.startswith("re:"))
    return Entry(phrases, patterns, tuple(item["ja"]), bool(item.get("kind")), bool(item.get("weigh", True)))


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

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every entry, read together: an English word belongs to one phrase of any section."""
        return (*self.kind_words, *self.topics, *self.words)

    def _read(self, question: str) -> list[Entry]:
        entries = self.entries
        return [entries[n] for n in _used(entries, question)]

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
        return [kind for kind, pats in self.asks.items() if any(p.search(question) for p in pats)]


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
    )
