"""Metric functions: pure, small, on plain values (sets, dates, strings), so tests can feed them hand-made inputs.

Conventions: a ratio is ``None`` when nothing was measured (no denominator) — callers skip it in averages rather
than counting it as a pass.

Example::

    >>> bundle_recall({"a", "b"}, ["a", "c"])
    0.5
    >>> recall_at_k(["u2", "u1"], {"u1"}, 5), reciprocal_rank(["u2", "u1"], {"u1"})
    (1.0, 0.5)
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from knowledge.japanese import KANJI, KANJI_COMPAT
from knowledge.urls import norm_url

# ---- sets of ids ----------------------------------------------------------------------------------------------


def events_match(expected: Iterable[str], acceptable: Iterable[str], got: Iterable[str]) -> bool:
    """Every expected event found and nothing beyond the expected or the acceptable ones."""
    exp, ok, got_set = set(expected), set(acceptable), set(got)
    return exp <= got_set and got_set <= exp | ok


def bundle_recall(must: Iterable[str], got: Iterable[str]) -> float | None:
    """Share of the required procedures that were listed."""
    must_set = set(must)
    if not must_set:
        return None
    return len(must_set & set(got)) / len(must_set)


def bundle_precision(must: Iterable[str], must_not: Iterable[str], got: Iterable[str]) -> float | None:
    """Among listed procedures the case judges (required or forbidden), the share that are required.

    Procedures the case says nothing about are not judged: a case lists what must and must not appear,
    not the whole bundle.
    """
    must_set, not_set, got_set = set(must), set(must_not), set(got)
    judged = got_set & (must_set | not_set)
    if not judged:
        return None
    return len(judged & must_set) / len(judged)


def due_matches(
    expected: dict[str, dt.date | None], got: dict[str, dt.date | None]
) -> tuple[int, int, list[str]]:
    """(exact matches, expected count, mismatch descriptions). A procedure missing from ``got`` is a mismatch."""
    hits, misses = 0, []
    for pid, want in expected.items():
        if pid not in got:
            misses.append(f"{pid}: missing (want {want})")
            continue
        have = got[pid]
        if have == want:
            hits += 1
        else:
            misses.append(f"{pid}: got {have}, want {want}")
    return hits, len(expected), misses


# ---- text -------------------------------------------------------------------------------------------------------

_MAN = re.compile(r"(\d+(?:\.\d+)?)万(\d{1,4})?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def normalize_text(text: str) -> str:
    """NFKC, lower case, thousands separators dropped, ``7万円`` -> ``70000円``, whitespace removed."""
    t = unicodedata.normalize("NFKC", text).lower()
    t = _THOUSANDS.sub("", t)

    def man(m: re.Match[str]) -> str:
        value = float(m.group(1)) * 10000 + (int(m.group(2)) if m.group(2) else 0)
        return str(int(value))

    t = _MAN.sub(man, t)
    return re.sub(r"\s+", "", t)


def contains_fact(haystack: str, fact: str) -> bool:
    """``fact`` appears in ``haystack`` after normalisation; a fact starting with a digit must not continue a
    longer number (``50000円`` is not found in ``500000円``)."""
    h, f = normalize_text(haystack), normalize_text(fact)
    if not f:
        return False
    start = 0
    while (i := h.find(f, start)) >= 0:
        before_ok = not (f[0].isdigit() and i > 0 and h[i - 1].isdigit())
        end = i + len(f)
        after_ok = not (f[-1].isdigit() and end < len(h) and h[end].isdigit())
        if before_ok and after_ok:
            return True
        start = i + 1
    return False


def fact_score(haystack: str, facts: Sequence[str], wrong: Sequence[str]) -> tuple[int, int, list[str]]:
    """(passed, checked, failures): each required fact found and each wrong fact absent counts as one check."""
    failures = [f"missing: {f}" for f in facts if not contains_fact(haystack, f)]
    failures += [f"wrong stated: {w}" for w in wrong if contains_fact(haystack, w)]
    checked = len(facts) + len(wrong)
    return checked - len(failures), checked, failures


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def numbers_in(text: str) -> list[str]:
    """Numbers in ``text`` after normalisation, canonical (no leading zeros): '2026年12月03日' -> 2026, 12, 3."""
    out = []
    for m in _NUMBER.finditer(normalize_text(text)):
        s = m.group(0)
        if "." in s:
            s = s.rstrip("0").rstrip(".") or "0"
        out.append(str(int(s)) if s.isdigit() else s)
    return out


def date_numbers(days: Iterable[dt.date | None]) -> set[str]:
    """Year, month and day of each date as canonical number strings."""
    out: set[str] = set()
    for d in days:
        if d:
            out |= {str(d.year), str(d.month), str(d.day)}
    return out


_SOURCE_NAME = re.compile(r"[（(](出典：|source: )")
_CLOSE = {"（": "）", "(": ")"}


def without_source_names(reply: str) -> str:
    """``reply`` without the source titles it names ('（出典：区政概要2024（242ページ））', '(source: …)'): a title's
    numbers are the title's words, not a fact the reply states (nor a number the catalog states)."""
    out, i = [], 0
    for m in _SOURCE_NAME.finditer(reply):
        if m.start() < i:
            continue
        depth, j = 0, m.start()
        while j < len(reply):  # to the bracket that closes it (titles have brackets of their own)
            if reply[j] in _CLOSE:
                depth += 1
            elif reply[j] in _CLOSE.values():
                depth -= 1
                if depth == 0:
                    break
            j += 1
        out.append(reply[i : m.start()])
        i = j + 1
    return "".join(out) + reply[i:]


def invented_numbers(reply: str, allowed: set[str]) -> list[str]:
    """Numbers in ``reply`` that are not in ``allowed`` (catalog numbers, cited evidence, the resident's own
    words, computed dates and counts); the source titles it names state none (:func:`without_source_names`)."""
    return [n for n in numbers_in(without_source_names(reply)) if n not in allowed]


# ---- retrieval --------------------------------------------------------------------------------------------------


def first_relevant_rank(ranked_urls: Sequence[str], relevant: Iterable[str]) -> int | None:
    """1-based rank of the first relevant page among the distinct pages of ``ranked_urls`` (several chunks of one
    page count once), or None. URLs are compared as pages (``knowledge.urls.norm_url``: no fragment or trailing
    slash, any case, http as https, with or without ``www.``) — never by suffix."""
    rel = {norm_url(u) for u in relevant}
    for i, url in enumerate(dedupe(norm_url(u) for u in ranked_urls), 1):
        if url in rel:
            return i
    return None


def recall_at_k(ranked_urls: Sequence[str], relevant: Iterable[str], k: int = 5) -> float:
    """1.0 when a relevant page is among the first ``k`` pages (success@k, the usual 'recall@k' for one-answer
    queries), else 0.0."""
    rank = first_relevant_rank(ranked_urls, relevant)
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(ranked_urls: Sequence[str], relevant: Iterable[str]) -> float:
    """1 / rank of the first relevant page (0.0 when none); its mean over questions is the MRR."""
    rank = first_relevant_rank(ranked_urls, relevant)
    return 1.0 / rank if rank else 0.0


def dedupe(urls: Iterable[str]) -> list[str]:
    """URLs in first-seen order (several chunks of one page count once)."""
    seen: set[str] = set()
    out = []
    for u in urls:
        if u not in seen:
            seen.add(u)
            out.append(u)
    return out


# ---- aggregates -------------------------------------------------------------------------------------------------


def mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (q in 0..100) by linear interpolation between the two nearest ranks (numpy's default
    "linear" method; not nearest-rank): the median of [1, 2, 3, 4] is 2.5. None for no values. Every latency in the
    evaluations and benchmarks (median, p95) is computed here."""
    if not values:
        return None
    s = sorted(values)
    pos = (len(s) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


# ---- reply language ---------------------------------------------------------------------------------------------

KYOIKU_FILE = Path(__file__).with_name("data") / "kyoiku_kanji.txt"


@functools.cache
def kyoiku_kanji() -> frozenset[str]:
    """The 1,026 教育漢字 (学年別漢字配当表) from ``evals/data/kyoiku_kanji.txt``."""
    chars: set[str] = set()
    for line in KYOIKU_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            chars.update(line.split(maxsplit=1)[1])
    return frozenset(chars)


_KANJI = KANJI + KANJI_COMPAT  # replies are checked as shown: compatibility ideographs count too
_KANA = r"\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
# Japanese script and Japanese-only punctuation (。、「」：（） full-width forms), which an English reply must not show
_JAPANESE = re.compile(rf"[{_KANJI}{_KANA}\u3000-\u303f\uff01-\uff60]+")
# spans that may quote the Japanese name once: （…） (…) 「…」 『…』 【…】 […]
_BRACKETED = re.compile(r"（[^（）]*）|\([^()]*\)|「[^「」]*」|『[^『』]*』|【[^【】]*】|\[[^\[\]]*\]")
_RUBY = re.compile(r"<ruby>(.*?)<rt>(.*?)</rt></ruby>", re.S)
_KANJI_RUN = re.compile(rf"[{_KANJI}]+")
_READING = re.compile(rf"\s?[（(][{_KANA}ー・\s]+[）)]")


def japanese_outside_brackets(text: str) -> list[str]:
    """Runs of Japanese script or full-width punctuation in ``text`` outside brackets (an English reply may give a
    Japanese name once in brackets after an English description: "Family-register window (戸籍の窓口)")."""
    prev = None
    t = text
    while prev != t:  # nested brackets: strip innermost first
        prev, t = t, _BRACKETED.sub(" ", t)
    return _JAPANESE.findall(t)


def non_easy_kanji(text: str) -> list[str]:
    """Kanji runs with a character outside the 教育漢字 that carry no reading: a reading is ``<ruby>`` markup or
    kana in brackets right after the run (届（とどけ）)."""
    allowed = kyoiku_kanji()
    t = _RUBY.sub(lambda m: "" if re.fullmatch(rf"[{_KANA}ー\s]+", m.group(2)) else m.group(1), text)
    bad = []
    for m in _KANJI_RUN.finditer(t):
        run = m.group(0)
        if all(ch in allowed or ch in "々" for ch in run):
            continue
        if _READING.match(t, m.end()):
            continue
        bad.append(run)
    return bad


def has_japanese(text: str) -> bool:
    return bool(re.search(rf"[{_KANJI}{_KANA}]", text))


def language_problems(texts: Iterable[str], lang: str) -> list[str]:
    """What breaks the expected reply language in ``texts`` (one per part shown): ``en`` — Japanese outside
    brackets; ``easy`` — kanji outside the 教育漢字 without a reading; ``ja`` — no Japanese at all."""
    out: list[str] = []
    parts = [t for t in texts if t]
    if lang == "en":
        for t in parts:
            out += [f"Japanese in English: {run}" for run in japanese_outside_brackets(t)]
    elif lang == "easy":
        for t in parts:
            out += [f"not 小学校 kanji: {run}" for run in non_easy_kanji(t)]
    elif lang == "ja":
        if parts and not any(has_japanese(t) for t in parts):
            out.append("no Japanese in a Japanese reply")
    else:
        raise ValueError(f"unknown language {lang!r}")
    return list(dict.fromkeys(out))


# ---- overdue and places -----------------------------------------------------------------------------------------

OVERDUE_MARKERS = (
    "期限を過ぎ",
    "期限が過ぎ",
    "期限切れ",
    "期限をすぎ",
    "きげんをすぎ",
    "きげんがすぎ",
    "きげんを すぎ",
    "きげんが すぎ",
    "過ぎています",
    "すぎています",
    "overdue",
    "past due",
    "deadline has passed",
    "deadline passed",
)
OUTSIDE_TOKYO_MARKERS = (
    "東京都外",
    "都外",
    "東京都の外",
    "東京都ではありません",
    "東京都ではない",
    "とうきょうとの そと",
    "とうきょうと の そと",
    "とうきょうとのそと",
    "とうきょうと では ありません",
    "outside tokyo",
    "not in tokyo",
    "outside of tokyo",
)


def mentions_any(text: str, markers: Iterable[str]) -> bool:
    t = normalize_text(text)
    return any(normalize_text(m) in t for m in markers)
