"""Japanese text helpers: NFKC search text, Sudachi tokens for BM25, and the kana-query rewriter.

One Sudachi tokenizer per process, created on first use and guarded by a lock (a Sudachi tokenizer must not be
used from two threads at once; tokenizing a query takes microseconds, so the lock costs nothing).

Example::

    >>> tokens("あかちゃん うまれた")
    ['赤ちゃん', '生まれる']
    >>> rewrite_kana_query("あかちゃん うまれた")
    '赤ちゃん 生まれる'
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import cache
from typing import Any

_LOCK = threading.Lock()

# Parts of speech that carry no search meaning (particles, auxiliaries, symbols, blanks).
_SKIP_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", "記号"})
# A few English function words; Japanese function words are dropped by part of speech.
_EN_STOP = frozenset(
    [
        "a",
        "am",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "my",
        "our",
        "your",
        "i",
        "i'm",
        "im",
        "we",
        "you",
        "it",
        "this",
        "that",
        "what",
        "how",
        "do",
        "does",
        "did",
        "can",
        "with",
        "from",
        "by",
        "as",
    ]
)
_KANA = re.compile(r"^[\u3040-\u309f\u30a0-\u30ffー\s・、。！？!?]+$")
_HAS_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff々〆]")
_LONE_KANA = re.compile(r"^[\u3040-\u309f]$")  # a single hiragana is usually a mis-split (お/ご/や)
_ASCII_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9'\-]*$")


def search_text(text: str) -> str:
    """NFKC-normalised text for matching and embedding (full-width ＡＢＣ１２３ -> ABC123); display keeps the original."""
    return unicodedata.normalize("NFKC", text)


@cache
def _tokenizer() -> Any:
    from sudachipy import Dictionary, SplitMode

    dictionary = Dictionary()
    make = getattr(dictionary, "tokenizer", None) or dictionary.create  # sudachipy >= 0.7 / older
    return make(mode=SplitMode.A)


def analyze(text: str) -> list[tuple[str, str, str, str]]:
    """(surface, normalized form, part of speech, its sub-category) for each morpheme (split mode A)."""
    if not text:
        return []
    tok = _tokenizer()
    out: list[tuple[str, str, str, str]] = []
    with _LOCK:
        # Sudachi refuses inputs over ~49 KB; chunks are far smaller, but stay safe.
        for start in range(0, len(text), 16_000):
            for m in tok.tokenize(text[start : start + 16_000]):
                pos = m.part_of_speech()
                out.append((m.surface(), m.normalized_form(), pos[0], pos[1]))
    return out


def _morphemes(text: str) -> list[tuple[str, str, str]]:
    """(surface, normalized form, part of speech) for each morpheme of ``text``."""
    return [(surface, norm, pos) for surface, norm, pos, _ in analyze(text)]


def tokens(text: str) -> list[str]:
    """Search tokens: Sudachi (split mode A) normalised forms of content words; English words lower-cased."""
    out: list[str] = []
    for surface, norm, pos in _morphemes(search_text(text)):
        if pos in _SKIP_POS:
            continue
        if _ASCII_WORD.match(surface):
            word = surface.lower()
            if word in _EN_STOP:
                continue
            out.append(_en_stem(word))
        elif surface.strip() and not _LONE_KANA.match(surface):
            out.append(norm)
    return out


def _en_stem(word: str) -> str:
    """A tiny suffix stripper so 'moving'/'moves'/'moved' meet; English is the second language here."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) >= len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def is_kana_only(text: str) -> bool:
    """True when ``text`` is written only in kana (e.g. やさしい日本語 input like 'あかちゃん うまれた')."""
    t = search_text(text).strip()
    return bool(t) and bool(_KANA.match(t))


def rewrite_kana_query(text: str) -> str:
    """Replace kana words by their Sudachi normalised form when that form has kanji (for the dense encoder).

    Queries that already contain kanji or Latin letters are returned unchanged (NFKC-normalised).
    """
    t = search_text(text)
    if not is_kana_only(t):
        return t
    parts = []
    for surface, norm, pos in _morphemes(t):
        if not surface.strip():
            parts.append(" ")
        elif pos == "助動詞":
            continue  # うまれた -> 生まれる, not 生まれるた
        elif pos not in _SKIP_POS and len(surface) >= 2 and _HAS_KANJI.search(norm):
            parts.append(norm)
        else:
            parts.append(surface)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


# Kana sequences that are grammar far more often than words in a question (しました, ください, ...).
_KANA_GRAMMAR = frozenset(
    [
        "した",
        "して",
        "しない",
        "ない",
        "ます",
        "です",
        "ました",
        "から",
        "まで",
        "ので",
        "たい",
        "いる",
        "ある",
        "なる",
        "する",
        "こと",
        "もの",
        "とき",
        "ください",
        "どう",
        "なに",
        "なん",
        "どこ",
        "いつ",
        "いい",
        "よい",
        "ほしい",
    ]
)


def _to_hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


def reading_counts(texts: list[str]) -> dict[str, dict[str, int]]:
    """Hiragana reading -> {surface written with kanji: count} for the content words of ``texts``."""
    counts: dict[str, dict[str, int]] = {}

    def add(reading: str, surface: str) -> None:
        if len(reading) >= 2 and _KANA.match(reading):
            by_surface = counts.setdefault(reading, {})
            by_surface[surface] = by_surface.get(surface, 0) + 1

    tok = _tokenizer()
    with _LOCK:
        for text in texts:
            t = search_text(text)
            for start in range(0, len(t), 16_000):
                # adjacent kanji words are also read as one compound: 保育+園, 児童+手当
                run: list[tuple[str, str]] = []
                for m in tok.tokenize(t[start : start + 16_000]):
                    surface = m.surface()
                    if m.part_of_speech()[0] in _SKIP_POS or not _HAS_KANJI.search(surface):
                        run = []
                        continue
                    reading = _to_hiragana(m.reading_form())
                    add(reading, surface)
                    run = [*run[-2:], (reading, surface)]
                    for n in (2, 3):
                        if len(run) >= n:
                            add("".join(r for r, _ in run[-n:]), "".join(s for _, s in run[-n:]))
    return counts


def reading_pairs(text: str) -> list[tuple[str, str]]:
    """(surface, hiragana reading) for each morpheme of ``text`` (Sudachi split mode A), in order.

    >>> reading_pairs("戸籍謄本")
    [('戸籍', 'こせき'), ('謄本', 'とうほん')]
    """
    if not text:
        return []
    tok = _tokenizer()
    with _LOCK:
        return [(m.surface(), _to_hiragana(m.reading_form())) for m in tok.tokenize(text[:16_000])]


class KanaReadings:
    """Write a kana-only query with the kanji words the indexed pages use (reading -> most frequent surface).

    Sudachi segments pure-hiragana text poorly (おや -> お/や), so a query like 'じどうてあて もらいたい' is matched
    greedily, longest reading first, against the readings of the words in the index: '児童手当 もらいたい'.
    """

    def __init__(self, counts: dict[str, dict[str, int]], min_count: int = 2) -> None:
        self.best: dict[str, str] = {}
        for reading, by_surface in counts.items():
            surface, n = max(by_surface.items(), key=lambda kv: (kv[1], -len(kv[0])))
            if n >= min_count and reading not in _KANA_GRAMMAR:
                self.best[reading] = surface
        self.longest = max((len(r) for r in self.best), default=0)

    def rewrite(self, query: str) -> str:
        """The query with known readings replaced by kanji; queries with kanji or Latin letters are unchanged."""
        t = search_text(query)
        if not is_kana_only(t) or not self.best:
            return t
        out: list[str] = []
        text = _to_hiragana(t)
        i = 0
        mid_word = False  # right after a kana that matched nothing: only a longer reading may start here
        while i < len(text):
            shortest = 3 if mid_word else 2
            for j in range(min(len(text), i + self.longest), i + shortest - 1, -1):
                word = self.best.get(text[i:j])
                if word:
                    out.append(word)
                    i, mid_word = j, False
                    break
            else:
                out.append(t[i])
                mid_word = not t[i].isspace()
                i += 1
        return "".join(out)
