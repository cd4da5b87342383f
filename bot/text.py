"""The text helpers for residents' messages live in ``knowledge.japanese`` (one module for Japanese text: scripts,
normalisation, content words, kana readings). This module only re-exports them for code written against
``bot.text``; new code imports ``knowledge.japanese``."""

from __future__ import annotations

from knowledge.japanese import (
    compact,
    content_tokens,
    en_words,
    has_kanji,
    is_english,
    norm,
    noun_tokens,
    to_hiragana,
)

__all__ = [
    "compact",
    "content_tokens",
    "en_words",
    "has_kanji",
    "is_english",
    "norm",
    "noun_tokens",
    "to_hiragana",
]
