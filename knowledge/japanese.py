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
