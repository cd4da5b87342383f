"""Who published a source: the publisher's name and kind, derived from a maintained table of hosts.

The kind of a source is never written by hand per entry: it comes from ``knowledge/data/publishers.yaml`` (national
bodies, the Tokyo Metropolitan Government, public bodies, other prefectures' municipalities, and every private
host the catalog or the seeds cite) and from the 62 municipalities' own hosts in ``municipalities.yaml``.
Local-government hosts follow the reserved JP patterns (``*.lg.jp``; ``city.X.tokyo.jp``, ``town.``, ``vill.``);
the open prefecture-type domains (``anything.tokyo.jp``) are *not* official by suffix. A host the table cannot
decide gives ``None``; ``knowledge check`` fails on it, so an editor classifies every new host once.

>>> pubs = Publishers.from_catalog(default_catalog())  # doctest: +SKIP
>>> pubs.classify("https://www.city.setagaya.lg.jp/mokuji/kurashi/001/index.html").kind  # doctest: +SKIP
'municipal'
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml

from knowledge.models import Municipality

Kind = Literal["municipal", "metropolitan", "national", "public-body", "copy-of-official", "private"]
KINDS: tuple[Kind, ...] = (
    "municipal",
    "metropolitan",
    "national",
    "public-body",
    "copy-of-official",
    "private",
)
# Kinds a resident may be told are official. A stored copy shows an official page's text but is not the page.
OFFICIAL_KINDS: frozenset[str] = frozenset({"municipal", "metropolitan", "national", "public-body"})

DATA = Path(__file__).parent / "data" / "publishers.yaml"
UNKNOWN_PUBLISHER = "発行元不明"

# Reserved local-government names in the JP registry: city.X.<pref>.jp, town.X.<pref>.jp, vill.X.<pref>.jp,
# pref.X.jp and anything under .lg.jp (only local governments may hold those).
_LG_RESERVED = re.compile(r"(?:^|\.)(city|town|vill|pref)\.([a-z0-9-]+)\.(?:lg\.jp|[a-z]+\.jp)$")
# Yahoo! cache hosts: www-city-suginami-tokyo-jp.cache.yimg.jp or www.city.setagaya.lg.jp.cache.yimg.jp
_YIMG = re.compile(r"^(?P<host>.+?)\.cache\.yimg\.jp$")
_CLASSIFIED_MAX = 65536


@dataclass(frozen=True)
class Provenance:
    """Who published a page: ``publisher`` (a name), ``kind``, and the Tokyo municipality when it is one of the 62."""

    publisher: str
    kind: Kind
    municipality: str | None = None  # 6-digit code when the publisher is one of Tokyo's 62 municipalities
    official_url: str | None = None  # copy-of-official: the address of the official page it copies
    category: str | None = None  # private: what kind of site (葬儀社, 報道, 専門家事務所, …)
    # True for a municipality's own page (or a stored copy of one), in Tokyo or elsewhere: such a page speaks for
    # that municipality only (``municipality`` None then means a municipality outside Tokyo)
    local: bool = False

    @property
    def official(self) -> bool:
        return self.kind in OFFICIAL_KINDS

    def other_municipality(self, code: str | None) -> bool:
        """True when the page is some municipality's own page but not ``code``'s (shown only as 参考)."""
        return self.local and self.municipality != code


@dataclass(frozen=True)
class _Entry:
    host: str
    kind: Kind
    publisher: str
    category: str | None = None


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def _strip_www(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


class Publishers:
    """The table of hosts; ``classify(url)`` answers who published a URL (or None when the table cannot say)."""

    def __init__(self, entries: Iterable[_Entry], municipalities: Iterable[Municipality]) -> None:
        self._entries = sorted(entries, key=lambda e: -len(e.host))  # most specific host first
        self._muni_hosts: dict[str, Municipality] = {}
        self._muni_labels: dict[str, Municipality] = {}
        # the table never changes after construction: a URL's answer is computed once (a chat turn renders the
        # same sources many times; README "Where a turn's time goes")
        self._classified: dict[str, Provenance | None] = {}
        for m in municipalities:
            if not m.website:
                continue
            host = _strip_www(host_of(m.website))
            self._muni_hosts[host] = m
            reserved = _LG_RESERVED.search(host)
            if reserved and reserved.group(1) in {"city", "town", "vill"}:
                self._muni_labels[f"{reserved.group(1)}.{reserved.group(2)}"] = m

    @classmethod
    def load(cls, path: Path, municipalities: Iterable[Municipality]) -> Publishers:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        entries: list[_Entry] = []
        for kind in KINDS:
            for item in raw.get(kind, []) or []:
                entries.append(
                    _Entry(
                        host=str(item["host"]).lower(),
                        kind=kind,
                        publisher=str(item["publisher"]),
                        category=item.get("category"),
                    )
                )
        return cls(entries, municipalities)

    def _tokyo_municipality(self, host: str) -> Municipality | None:
        bare = _strip_www(host)
        for mh, m in self._muni_hosts.items():
            if bare == mh or bare.endswith("." + mh):
                return m
        reserved = _LG_RESERVED.search(host)
        if reserved and reserved.group(1) in {"city", "town", "vill"}:
            return self._muni_labels.get(f"{reserved.group(1)}.{reserved.group(2)}")
        return None

    def classify_host(self, host: str) -> Provenance | None:
        host = host.lower().rstrip(".")
        if not host:
            return None
        for e in self._entries:
            if host == e.host or host.endswith("." + e.host):
                return Provenance(e.publisher, e.kind, category=e.category, local=e.kind == "municipal")
        m = self._tokyo_municipality(host)
        if m is not None:
            return Provenance(m.name, "municipal", municipality=m.code, local=True)
        if _LG_RESERVED.search(host) or host.endswith(".lg.jp"):
            return Provenance(f"他の自治体（{_strip_www(host)}）", "municipal", local=True)
        return None

    def classify(self, url: str) -> Provenance | None:
        """Who published ``url``; None when neither the table nor the reserved patterns decide it."""
        try:
            return self._classified[url]
        except KeyError:
            pass
        prov = self._classify(url)
        if len(self._classified) >= _CLASSIFIED_MAX:
            self._classified.clear()  # a bound, not an LRU: the corpus and the catalog hold far fewer URLs
        self._classified[url] = prov
        return prov

    def _classify(self, url: str) -> Provenance | None:
        host = host_of(url)
        cached = _YIMG.match(host)
        if cached:
            inner = cached.group("host")
            if "." not in inner:  # dashed form: www-city-suginami-tokyo-jp
                inner = inner.replace("-", ".")
            original = self.classify_host(inner)
            if original is None or not original.official:
                return None
            parts = urlsplit(url)
            official_url = f"{parts.scheme}://{inner}{parts.path}" + (
                f"?{parts.query}" if parts.query else ""
            )
            return Provenance(
                original.publisher,
                "copy-of-official",
                municipality=original.municipality,
                official_url=official_url,
                category="検索エンジンの保存コピー",
                local=original.local,
            )
        return self.classify_host(host)

    def describe(self, url: str) -> Provenance:
        """Like ``classify`` but always an answer: an undecidable host is a private page named by its host."""
        prov = self.classify(url)
        if prov is not None:
            return prov
        host = _strip_www(host_of(url))  # a file with no web address has no publisher we can name
        return Provenance(host or UNKNOWN_PUBLISHER, "private", category="未分類")

    def unknown_hosts(self, urls: Iterable[str]) -> list[str]:
        return sorted({host_of(u) or u for u in urls if self.classify(u) is None})


def kind_label(kind: str, lang: str = "ja") -> str:
    """The badge a resident sees for a source kind."""
    ja = {
        "municipal": "公式",
        "metropolitan": "公式",
        "national": "公式",
        "public-body": "公的機関",
        "copy-of-official": "保存コピー",
        "private": "非公式・要確認",
    }
    en = {
        "municipal": "Official",
        "metropolitan": "Official",
        "national": "Official",
        "public-body": "Public body",
        "copy-of-official": "Stored copy",
        "private": "Unofficial – please confirm",
    }
    easy = {  # やさしい日本語: kana or 小学校 kanji
        "municipal": "公式",
        "metropolitan": "公式",
        "national": "公式",
        "public-body": "おおやけの きかん",
        "copy-of-official": "ほぞんした コピー",
        "private": "公式では ない・たしかめて ください",
    }
    table = en if lang == "en" else easy if lang == "easy" else ja
    return table.get(kind, table["private"])


def parse_page_date(text: str) -> dt.date | None:
    """A date the page states (更新日・掲載日・最終更新), never the day we checked it."""
    m = re.search(
        r"(?:更新日|最終更新日?|掲載日|公開日|ページ更新日)\s*[:：]?\s*(\d{4})年\s*(\d{1,2})月\s*(\d{1,2})日",
        text,
    )
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


REFERENCE_LABEL = {
    "ja": "参考：他の区市町村のページ",
    "easy": "さんこう：ほかの 区や 市の ページ",
    "en": "For reference: another municipality's page",
}


def reference_label(lang: str = "ja") -> str:
    return REFERENCE_LABEL.get(lang, REFERENCE_LABEL["ja"])


def page_date_label(day: dt.date | None, lang: str = "ja") -> str:
    """The page's own date as shown next to a source; says so when the page states none (never the check day)."""
    if lang == "en":
        return f"page dated {day.isoformat()}" if day else "page states no date"
    if lang == "easy":
        return (
            f"ページの 日づけ {day.year}年{day.month}月{day.day}日"
            if day
            else "ページに 日づけは 書いて ありません"
        )
    return f"ページの日付 {day.year}年{day.month}月{day.day}日" if day else "ページに日付の記載なし"


def badge_text(kind: str, page_date: dt.date | None, reference: bool = False, lang: str = "ja") -> str:
    """What a screen reader hears (and a printed page shows) for one source: kind, reference, page date."""
    parts = [kind_label(kind, lang)]
    if reference:
        parts.append(reference_label(lang))
    parts.append(page_date_label(page_date, lang))
    return ("; " if lang == "en" else "・").join(parts)
