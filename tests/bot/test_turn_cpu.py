"""The per-turn shortcuts of issue #17 answer exactly what the plain definitions answer.

Each shortcut (an index instead of a scan, one regex pass instead of one per character, a prefilter) is checked
against the plain definition it replaced, over the benchmark's distinct first turns and the catalog's own texts.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from bot.answer import _grams, _pairs, _title_shape
from bot.understand import Understander, _flat_words, _inflected, _word_starts
from evals.bench_scale import distinct_messages
from knowledge.catalog import load_catalog
from knowledge.japanese import compact, is_english, norm


@pytest.fixture(scope="module")
def messages() -> list[str]:
    extra = [
        "",
        "a",
        "ａｂｃ 世田谷",
        "We moved to Setagaya (世田谷)",
        "Ünïcödé café",
        "ｶﾀｶﾅ",
        "123 456",
        "ー々〆",
    ]
    return distinct_messages(300) + extra


@pytest.fixture(scope="module")
def catalog_texts() -> list[str]:
    cat = load_catalog()
    out = []
    for p in cat.procedures.values():
        out += [p.title.ja, p.title.en or "", p.id.replace("-", " ")]
    for e in cat.events.values():
        out += [*e.synonyms.ja, *e.synonyms.en, e.name.ja]
    return out


def _is_english_plain(text: str) -> bool:
    letters = sum(c.isascii() and c.isalpha() for c in text)
    cjk = sum(not c.isascii() and unicodedata.category(c).startswith("L") for c in text)
    return letters > 0 and cjk * 3 < letters


def test_is_english_counts_letters_as_the_unicode_categories_do(
    messages: list[str], catalog_texts: list[str]
) -> None:
    texts = messages + catalog_texts + [chr(c) * 3 + "ab" for c in range(0x20, 0x3100, 7)]
    assert [is_english(t) for t in texts] == [_is_english_plain(t) for t in texts]
    assert any(is_english(t) for t in texts) and not all(is_english(t) for t in texts)


def _grams_plain(text: str) -> set[str]:
    t = compact(norm(text))
    return {t[i : i + 2] for i in range(len(t) - 1) if re.search(r"[一-龥々ァ-ヶー]", t[i : i + 2])}


def test_grams_are_the_runs_with_a_kanji_or_katakana(messages: list[str], catalog_texts: list[str]) -> None:
    for t in messages + catalog_texts:
        assert _grams(t) == _grams_plain(t), t


def _inflected_plain(
    lemmas: tuple[str, ...], seq: tuple[tuple[str, int, int], ...]
) -> tuple[int, int] | None:
    n = len(lemmas)
    for k in range(len(seq) - n + 1) if n else ():
        if all(seq[k + j][0] == lemmas[j] for j in range(n)):
            return seq[k][1], seq[k + n - 1][2]
    return None


def test_inflected_synonyms_are_found_where_a_scan_finds_them(messages: list[str]) -> None:
    und = Understander()
    lemma_sets = {e[3] for entries in und._event_syn.values() for e in entries}
    messages = [*messages, "父が亡くなり、母も亡くなりました", "仕事を辞めました。また仕事を辞めた"]
    found = 0
    for m in messages:
        seq = _flat_words(m)
        at = _word_starts(seq)
        for lemmas in lemma_sets:
            got = _inflected(lemmas, seq, at) if lemmas else None
            assert got == _inflected_plain(lemmas, seq), (m, lemmas)
            found += got is not None
    assert found > 20  # the comparison covered real matches, not only misses


def test_a_title_sharing_no_two_characters_with_a_message_cannot_be_named_by_it(
    catalog_texts: list[str],
) -> None:
    """The prefilter of ``_match_procedure``: what it skips shares no two characters in a row with the message."""
    for name in catalog_texts:
        c, kanji3, _qualifier, runs, _words, pairs = _title_shape(name)
        whole = compact(name)
        for part in (c, whole, *kanji3, *runs):
            if len(part) >= 2:
                assert _pairs(part) <= pairs, (name, part)


def test_place_candidates_are_ranked_longest_first_then_by_surface() -> None:
    """``_place_hits`` tries a message's candidate place words in the order of their precomputed rank."""
    und = Understander()
    ranked = sorted(x for bucket in und._by_char.values() for x in bucket)
    assert [r for r, _ in ranked] == list(range(len(und._lexicon)))
    assert [e for _, e in ranked] == sorted(und._lexicon, key=lambda e: (-len(e[0]), e[0]))
    assert [m.code for m in und.find_places("世田谷区から八王子市へ引っ越します")] == ["131121", "132012"]
