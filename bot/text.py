"""Text helpers for understanding residents' messages: normalisation and content tokens (Sudachi)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from knowledge.japanese import analyze

_KATA_TO_HIRA = {c: c - 0x60 for c in range(ord("ァ"), ord("ヶ") + 1)}
_SPACE = re.compile(r"[\s\u3000・、。,.!?！？「」『』（）()]+")
_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "副詞", "接尾辞"}
# very frequent verbs/nouns that carry no meaning for matching
_STOP = {
    "為る",
    "居る",
    "成る",
    "有る",
    "ある",
    "いる",
    "する",
    "なる",
    "事",
    "物",
    "方",
    "もの",
    "こと",
    "ため",
    "よう",
}


def to_hiragana(s: str) -> str:
    return s.translate(_KATA_TO_HIRA)


# norm / compact / en_words are pure and called with the same catalog strings on every turn: cached (bounded)
@lru_cache(maxsize=4096)
def norm(s: str) -> str:
    """NFKC, lower case, katakana to hiragana."""
    return to_hiragana(unicodedata.normalize("NFKC", s).lower())


@lru_cache(maxsize=4096)
def compact(s: str) -> str:
    """``norm`` without spaces and punctuation, for substring matching ("あかちゃん うまれた" == "あかちゃんうまれた")."""
    return _SPACE.sub("", norm(s))


@lru_cache(maxsize=4096)
def content_tokens(s: str) -> frozenset[str]:
    """Normalised forms of the content words of ``s`` (Sudachi split mode A), e.g. 生まれた -> 生まれる."""
    out = set()
    for _surface, form, pos, _sub in analyze(unicodedata.normalize("NFKC", s)):
        if pos not in _CONTENT_POS:
            continue
        if form in _STOP or not form.strip():
            continue
        out.add(to_hiragana(form.lower()) if form.isascii() else form)
    return frozenset(out)


@lru_cache(maxsize=4096)
def noun_tokens(s: str) -> frozenset[str]:
    """Normalised forms of the nouns of ``s`` (no suffixes, no single kana), for relevance checks."""
    out = set()
    for _surface, form, pos, sub in analyze(unicodedata.normalize("NFKC", s)):
        if pos != "名詞" or sub == "数詞":
            continue
        if form in _STOP or (len(form) == 1 and not ("\u4e00" <= form <= "\u9fff")):
            continue
        out.add(form)
    return frozenset(out)


def has_kanji(s: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in s)


_EN_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=4096)
def en_words(s: str) -> frozenset[str]:
    """Lower-case English words with a light stem (plural s, -ed, -ing) for matching."""
    out = set()
    for w in _EN_WORD.findall(s.lower()):
        for suf in ("ing", "ed", "es", "s"):
            if len(w) > len(suf) + 2 and w.endswith(suf):
                w = w[: -len(suf)]
                break
        out.add(w)
    return frozenset(out)


def is_english(s: str) -> bool:
    """True when the message is mostly Latin letters (no kana or kanji to speak of)."""
    letters = sum(c.isascii() and c.isalpha() for c in s)
    cjk = sum(not c.isascii() and unicodedata.category(c).startswith("L") for c in s)
    return letters > 0 and cjk * 3 < letters
