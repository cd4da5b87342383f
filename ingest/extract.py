"""Main content and metadata of a page: chrome (header, navigation, breadcrumbs, side menus, footer, feedback
forms, scripts, iframes) removed; headings, paragraphs, list items and table rows kept as ``Block``s.

HTML extractors: trafilatura (with tables) and a selectolax rules extractor; the default ``auto`` uses the rules
when the page marks its main content (<main>, role=main, #main…) and trafilatura otherwise, each falling back to
the other when it finds (almost) nothing. ``ingest.bench.compare_extractors`` measures them on a corpus: on the
seeds the rules keep all main-content sentences, trafilatura 86% (it drops contact boxes, document lists and
short headed sections); neither leaks chrome.

Example::

    >>> page = Extractor()(Fetched("seeds/setagaya/birth.html", html_bytes))
    >>> page.title, page.municipality, page.updated
    ('出生届', '131121', '2026-04-01')
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from ingest.decode import decode
from ingest.models import Block, Fetched, Page, PageRefused

log = logging.getLogger(__name__)

MAX_CHARS = 2_000_000  # decoded pages larger than this are refused

# Lines that are page furniture even inside the main area.
_FURNITURE = re.compile(
    r"^(?:(?:最終)?更新日|公開日|掲載日|登録日|ページ番号|ページID|印刷|このページの先頭へ|ページの先頭へ|ページトップ"
    r"|PDF(?:形式の)?ファイルを(?:開く|ご覧|閲覧)|Adobe\s*(?:Acrobat\s*)?Reader|Get ADOBE|本文へ|メニュー)",
    re.I,
)
# Sections whose heading says they are feedback boxes or navigation, dropped with their content.
_CHROME_SECTION = re.compile(
    r"このページの情報は役に立ちましたか|このページは分かりやすかったですか|アンケート|ご意見をお聞かせください"
    r"|このカテゴリー|関連ページ|よく見られているページ|同じ分類のページ|SNSでシェア"
)
_SHARE = re.compile(r"(?:Facebook|X|Twitter|LINE)?\s*(?:でシェア|で送る|でポスト|ツイート|シェア)\s*")
_DATE = re.compile(
    r"(?:最終)?更新日\s*[：:]?\s*(?:(\d{4})|令和\s*(\d{1,2}|元))\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
    r"|(?:最終)?更新日\s*[：:]?\s*(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})"
)
_TITLE_SPLIT = re.compile(r"\s*(?:[｜|│]|\s[-–—]\s|：\s*[^：]*(?:区|市|町|村|都)(?:ホームページ|公式))\s*")
_CHROME_TAGS = (
    "script, style, noscript, iframe, form, template, svg, button, input, select, textarea, object, embed"
)
_CHROME_LAYOUT = (
    "header, nav, footer, aside, [role=navigation], [role=banner], [role=contentinfo], [role=complementary],"
    " [aria-hidden=true]"
)
_CHROME_TOKENS = frozenset(
    [
        "header",
        "footer",
        "gnav",
        "globalnav",
        "global-nav",
        "g-nav",
        "localnav",
        "local-nav",
        "sidenav",
        "side-nav",
        "side",
        "sidebar",
        "submenu",
        "menu",
        "sns",
        "share",
        "pagetop",
        "page-top",
        "skip",
        "tools",
        "sitemap",
        "breadcrumb",
        "breadcrumbs",
        "topicpath",
        "pankuzu",
    ]
)
_CHROME_PARTS = ("breadcrumb", "pankuzu", "topicpath", "enquete", "questionnaire", "feedback")


def _is_chrome_name(name: str) -> bool:
    for token in name.lower().split():
        if token in _CHROME_TOKENS or any(p in token for p in _CHROME_PARTS):
            return True
    return False


def parse_updated(text: str) -> str | None:
    """ISO date from '更新日：2026年4月1日', '最終更新日 令和8年4月1日', '更新日:2026/4/1'."""
    m = _DATE.search(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    if m.group(5):
        y, mo, d = int(m.group(5)), int(m.group(6)), int(m.group(7))
    else:
        reiwa = 1 if m.group(2) == "元" else int(m.group(2) or 0)
        y = int(m.group(1)) if m.group(1) else 2018 + reiwa
        mo, d = int(m.group(3)), int(m.group(4))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _norm_space(text: str) -> str:
    return re.sub(r"[ \t\r\f\v\u3000]+", " ", text.replace("\n", " ")).strip()


# ---------------------------------------------------------------------------------------------------------------
# extractors: html -> blocks
# ---------------------------------------------------------------------------------------------------------------


def trafilatura_blocks(html: str, url: str | None = None) -> list[Block]:
    """Main content via trafilatura (tables included), walked from its XML output."""
    import trafilatura
    from lxml import etree

    xml = trafilatura.extract(
        html,
        url=url,
        output_format="xml",
        include_tables=True,
        include_comments=False,
        include_links=False,
        include_images=False,
        favor_precision=False,
        deduplicate=False,
    )
    if not xml:
        return []
    root = etree.fromstring(xml.encode("utf-8"))
    main = root.find("main")
    out: list[Block] = []

    def walk(el: etree._Element) -> None:
        for child in el:
            tag = child.tag
            if tag == "head":
                rend = child.get("rend") or "h2"
                level = int(rend[1]) if len(rend) == 2 and rend[1].isdigit() else 2
                out.append(Block("heading", _norm_space("".join(child.itertext())), level))
            elif tag == "list":
                for item in child.iter("item"):
                    text = _norm_space("".join(t for t in item.xpath("text()|*[not(self::list)]//text()")))
                    if text:
                        out.append(Block("item", text))
            elif tag == "table":
                for row in child.iter("row"):
                    cells = [_norm_space("".join(c.itertext())) for c in row.iter("cell")]
                    cells = [c for c in cells if c]
                    if cells:
                        out.append(Block("row", "| " + " | ".join(cells) + " |"))
            elif tag in ("div", "main", "quote") and len(child):
                walk(child)
            else:
                text = _norm_space("".join(child.itertext()))
                if text:
                    out.append(Block("paragraph", text))

    walk(main if main is not None else root)
    return out


def rules_blocks(html: str, url: str | None = None) -> list[Block]:
    """Main content by rules: drop chrome elements, take <main> (or the likeliest container), walk its blocks."""
    tree = HTMLParser(html)
    for sel in (_CHROME_TAGS, _CHROME_LAYOUT):
        for node in tree.css(sel):
            node.decompose()
    for node in tree.css("[id], [class]"):
        name = f"{node.attributes.get('id') or ''} {node.attributes.get('class') or ''}"
        if _is_chrome_name(name) and node.tag not in ("body", "html", "main"):
            node.decompose()
    root = None
    for sel in (*_LANDMARKS, ".main"):
        root = tree.css_first(sel)
        if root is not None:
            break
    root = root or tree.body
    if root is None:
        return []
    wanted = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "dt", "dd", "pre", "caption"}
    out: list[Block] = []

    def has_wanted_ancestor(node: Node) -> bool:
        p = node.parent
        while p is not None and p.mem_id != root.mem_id:
            if p.tag in wanted:
                return True
            p = p.parent
        return False

    for node in root.traverse(include_text=False):
        tag = node.tag
        if tag not in wanted or has_wanted_ancestor(node):
            continue
        if tag == "tr":
            cells = [_norm_space(c.text(separator=" ")) for c in node.css("th, td")]
            cells = [c for c in cells if c]
            if cells:
                out.append(Block("row", "| " + " | ".join(cells) + " |"))
            continue
        text = _norm_space(node.text(separator=" "))
        if not text:
            continue
        if tag[0] == "h" and tag[1:].isdigit():
            out.append(Block("heading", text, int(tag[1:])))
        elif tag == "li":
            out.append(Block("item", text))
        else:
            out.append(Block("paragraph", text))
    return out


_LANDMARKS = ("main", "[role=main]", "article", "#main", "#content", "#contents", "#tmp_contents")


def has_main_landmark(html: str) -> bool:
    tree = HTMLParser(html)
    return any(tree.css_first(sel) is not None for sel in _LANDMARKS)


def auto_blocks(html: str, url: str | None = None) -> list[Block]:
    """Rules when the page marks its main content (<main>, role=main, #main…), else trafilatura's heuristics.

    On the seed corpus the rules keep more of the real content (contact boxes, document lists, short headed
    sections that trafilatura drops) with no chrome leaking; trafilatura copes better with unmarked layouts.
    """
    return rules_blocks(html, url) if has_main_landmark(html) else trafilatura_blocks(html, url)


HTML_EXTRACTORS: dict[str, Callable[[str, str | None], list[Block]]] = {
    "trafilatura": trafilatura_blocks,
    "rules": rules_blocks,
    "auto": auto_blocks,
}


def markdown_blocks(text: str) -> list[Block]:
    out: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            out.append(Block("paragraph", _norm_space(" ".join(para))))
            para.clear()

    for line in text.splitlines():
        s = line.strip()
        if not s:
            flush()
        elif m := re.match(r"^(#{1,6})\s+(.*)$", s):
            flush()
            out.append(Block("heading", m.group(2).strip(), len(m.group(1))))
        elif m := re.match(r"^(?:[-*+]|\d+[.)])\s+(.*)$", s):
            flush()
            out.append(Block("item", m.group(1)))
        elif s.startswith("|"):
            flush()
            if not re.fullmatch(r"\|[\s:|-]+\|?", s):
                out.append(Block("row", s))
        else:
            para.append(s)
    flush()
    return out


def text_blocks(text: str) -> list[Block]:
    paras = [_norm_space(p) for p in re.split(r"\n\s*\n", text)]
    paras = [p for p in paras if p]
    if not paras:
        return []
    lines = [ln.strip() for ln in text.strip().splitlines()]
    first = lines[0] if lines else ""
    blocks = [Block("heading", first, 1)] if first and len(first) <= 80 else []
    if blocks and paras[0].startswith(first):
        rest = paras[0][len(first) :].strip()
        paras = ([rest] if rest else []) + paras[1:]
    return blocks + [Block("paragraph", p) for p in paras]


def clean_blocks(blocks: Iterable[Block]) -> list[Block]:
    """Drop furniture lines (更新日, ページ番号, Adobe Reader notes) and feedback/navigation sections."""
    out: list[Block] = []
    skip_level: int | None = None
    seen: set[tuple[str, str]] = set()
    for b in blocks:
        if b.kind == "heading":
            if skip_level is not None and b.level <= skip_level:
                skip_level = None
            if skip_level is None and _CHROME_SECTION.search(b.text):
                skip_level = b.level
                continue
        if skip_level is not None:
            continue
        if b.kind != "heading" and (_FURNITURE.match(b.text) or _SHARE.fullmatch(b.text)):
            continue
        key = (b.kind, b.text)
        if b.kind != "heading" and key in seen:
            continue  # repeated notes ("PDF…") once is enough
        seen.add(key)
        out.append(b)
    # trailing headings with nothing under them say nothing
    while out and out[-1].kind == "heading":
        out.pop()
    return out


# ---------------------------------------------------------------------------------------------------------------
# page metadata and the extractor step
# ---------------------------------------------------------------------------------------------------------------


def _clean_title(raw: str) -> str:
    raw = _norm_space(raw)
    parts = [p for p in _TITLE_SPLIT.split(raw) if p]
    return parts[0] if parts else raw


def _bare_host(host: str | None) -> str:
    return (host or "").lower().rstrip(".").removeprefix("www.")


def _host_matches(host: str, patterns: Iterable[str]) -> bool:
    """``host`` equals a pattern (``www.`` ignored on both), or ends with a pattern starting with a dot."""
    for p in patterns:
        p = p.strip().lower()
        if p == "*" or _bare_host(p) == host or (p.startswith(".") and host.endswith(p)):
            return True
    return False


class CanonicalPolicy:
    """Which canonical URL a page may claim (pages are untrusted: a local file could claim an official address).

    A page fetched over HTTP may name a canonical URL on its own host or on an alias configured for that host
    (``CONCIERGE_INGEST__CANONICAL_ALIASES``). A local file may name one only on the hosts configured for a
    directory holding it (``CONCIERGE_INGEST__DIRECTORY_HOSTS``; ``*`` = any host, which the curated seeds
    directory gets by default via ``CONCIERGE_INGEST__TRUST_SEEDS_CANONICAL``). Otherwise the page keeps its own
    identity (its fetched URL, or its relative file path, which counts as a private source).
    """

    def __init__(
        self,
        aliases: dict[str, list[str]] | None = None,
        directories: dict[Path, list[str]] | None = None,
    ) -> None:
        self.aliases = {_bare_host(k): v for k, v in (aliases or {}).items()}
        self.directories = sorted(
            ((d.resolve(), hosts) for d, hosts in (directories or {}).items()),
            key=lambda item: len(item[0].parts),
            reverse=True,
        )

    @classmethod
    def from_settings(cls, settings: Any) -> CanonicalPolicy:
        cfg = settings.ingest
        directories = {Path(d): list(h) for d, h in cfg.directory_hosts.items()}
        if cfg.trust_seeds_canonical:
            directories.setdefault(Path(settings.seeds_dir), ["*"])
        return cls(cfg.canonical_aliases, directories)

    def __call__(self, fetched: Fetched, canonical: str) -> bool:
        host = _bare_host(urlparse(canonical).hostname)
        if not host:
            return False
        fetched_url = fetched.final_url or fetched.location
        if fetched_url.startswith(("http://", "https://")):
            own = _bare_host(urlparse(fetched_url).hostname)
            return host == own or _host_matches(host, self.aliases.get(own, []))
        if fetched.path is None:
            return False
        path = Path(fetched.path).resolve()
        for directory, hosts in self.directories:
            if path.is_relative_to(directory):
                return _host_matches(host, hosts)
        return False


class Extractor:
    """Fetched bytes -> ``Page``. Options: the primary HTML extractor and the municipality look-ups.

    ``hosts`` maps a website host (``www.city.setagaya.lg.jp``) to a municipality code; ``names`` maps folder
    names (``131121``, ``setagaya``, ``世田谷区``) to codes. A page's own ``<meta name="municipality-code">`` wins.
    """

    def __init__(
        self,
        primary: str = "auto",
        hosts: dict[str, str] | None = None,
        names: dict[str, str] | None = None,
        min_chars: int = 40,
        canonical_ok: Callable[[Fetched, str], bool] | None = None,
    ) -> None:
        if primary not in HTML_EXTRACTORS:
            raise ValueError(f"unknown extractor {primary!r}; choose from {sorted(HTML_EXTRACTORS)}")
        self.primary = primary
        self.hosts = {h.removeprefix("www."): c for h, c in (hosts or {}).items()}
        self.names = {k.lower(): v for k, v in (names or {}).items()}
        self.min_chars = min_chars
        self.canonical_ok = canonical_ok or CanonicalPolicy()

    def __call__(self, fetched: Fetched) -> Page:
        text = decode(fetched.data, fetched.content_type)
        if len(text) > MAX_CHARS:
            raise PageRefused(f"too large ({len(text)} characters > {MAX_CHARS})")
        loc = fetched.location
        lower = loc.lower().split("?")[0]
        ctype = (fetched.content_type or "").lower()
        url = fetched.final_url or loc
        if lower.endswith(".md") or "markdown" in ctype:
            return self._plain(fetched, url, markdown_blocks(text), "markdown")
        if lower.endswith(".txt") or ctype.startswith("text/plain"):
            return self._plain(fetched, url, text_blocks(text), "text")
        return self._html(fetched, url, text)

    def _plain(self, fetched: Fetched, url: str, blocks: list[Block], how: str) -> Page:
        title = next((b.text for b in blocks if b.kind == "heading"), Path(fetched.location).stem)
        updated = parse_updated("\n".join(b.text for b in blocks[:20]))
        blocks = clean_blocks(blocks)
        if not blocks:
            raise PageRefused("no text content")
        return Page(
            location=fetched.location,
            url=url,
            title=title,
            blocks=blocks,
            municipality=self.municipality(None, url, fetched.location),
            updated=updated,
            extractor=how,
        )

    def _html(self, fetched: Fetched, url: str, html: str) -> Page:
        tree = HTMLParser(html)
        canonical = None
        for link in tree.css("link[rel]"):
            if (link.attributes.get("rel") or "").lower() == "canonical" and link.attributes.get("href"):
                # pages are untrusted: only an http(s) canonical (relative ones resolved) becomes the page URL
                href = (link.attributes.get("href") or "").strip()
                href = urljoin(url, href) if url.startswith(("http://", "https://")) else href
                if urlparse(href).scheme in ("http", "https") and urlparse(href).netloc:
                    if self.canonical_ok(fetched, href):
                        canonical = href
                    else:
                        log.warning(
                            "%s: canonical URL %s refused (not on the fetched host, an alias or a host "
                            "configured for its directory); the page keeps its own identity",
                            fetched.location,
                            href[:200],
                        )
                else:
                    log.warning("%s: ignoring canonical URL %r (not http(s))", fetched.location, href[:200])
                break
        meta_code = None
        node = tree.css_first('meta[name="municipality-code"]')
        if node is not None:
            meta_code = (node.attributes.get("content") or "").strip() or None
        title_node = tree.css_first("title")
        raw_title = title_node.text() if title_node is not None else ""
        body_text = tree.body.text(separator="\n") if tree.body is not None else html
        updated = parse_updated(body_text) or stated_date(tree)

        how = self.primary
        if how == "auto":
            how = "rules" if has_main_landmark(html) else "trafilatura"
        blocks = clean_blocks(HTML_EXTRACTORS[how](html, canonical or url))
        if sum(len(b.text) for b in blocks if b.kind != "heading") < self.min_chars:
            fallback = "trafilatura" if how == "rules" else "rules"
            alt = clean_blocks(HTML_EXTRACTORS[fallback](html, canonical or url))
            if sum(len(b.text) for b in alt) > sum(len(b.text) for b in blocks):
                blocks, how = alt, fallback
        if not blocks:
            raise PageRefused("no main content found")
        h1 = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None)
        title = h1 or _clean_title(raw_title) or Path(fetched.location).stem
        page_url = canonical or url
        return Page(
            location=fetched.location,
            url=page_url,
            title=title,
            blocks=blocks,
            municipality=self.municipality(meta_code, page_url, fetched.location),
            updated=updated,
            extractor=how,
        )

    def municipality(self, meta_code: str | None, url: str, location: str) -> str | None:
        if meta_code and re.fullmatch(r"13\d{4}", meta_code):
            return meta_code
        host = (urlparse(url).hostname or "").removeprefix("www.")
        if host:
            for known, host_code in self.hosts.items():
                if host == known or host.endswith("." + known):
                    return host_code
        if not location.startswith(("http://", "https://")):
            for part in reversed(Path(location).parent.parts):
                if folder_code := self.names.get(part.lower()):
                    return folder_code
                if re.fullmatch(r"13\d{4}", part):
                    return part
        return None


# dates a page states about itself in its markup (never the day it was fetched or checked)
_DATE_METAS = ("dcterms.modified", "article:modified_time", "last-modified", "date", "dcterms.date")


def stated_date(tree: HTMLParser) -> str | None:
    """ISO date from ``<meta name|property=... content=YYYY-MM-DD>`` or a ``<time datetime>``, when the text has none."""
    for node in tree.css("meta[content]"):
        name = (node.attributes.get("name") or node.attributes.get("property") or "").lower()
        if name in _DATE_METAS:
            m = re.match(r"(\d{4})-(\d{2})-(\d{2})", (node.attributes.get("content") or "").strip())
            if m:
                return m.group(0)
    time_node = tree.css_first("time[datetime]")
    if time_node is not None:
        m = re.match(r"(\d{4})-(\d{2})-(\d{2})", (time_node.attributes.get("datetime") or "").strip())
        if m:
            return m.group(0)
    return None


def provenance_metadata(catalog_dir: Path | None) -> Callable[[str, str | None], dict[str, str]]:
    """``meta(url, updated)`` -> {publisher, kind, page_date} for a chunk, from the catalog's publishers table.

    A page whose host the table cannot decide (or a file with no http URL) is ``private``, its host as publisher.
    """
    try:
        from knowledge.catalog import load_catalog

        pubs = load_catalog(catalog_dir).publishers
    except Exception as err:  # a broken catalog must not stop ingest: every page is then undecided (private)
        log.warning("catalog unreadable, pages get no publisher: %s", err)
        pubs = None

    def meta(url: str, updated: str | None) -> dict[str, str]:
        if pubs is not None:
            prov = pubs.describe(url)
            publisher, kind = prov.publisher, prov.kind
        else:
            publisher, kind = (urlparse(url).hostname or "発行元不明")[:200], "private"
        return {"publisher": publisher, "kind": kind, "page_date": updated or ""}

    return meta


def municipality_lookups(catalog_dir: Path | None) -> tuple[dict[str, str], dict[str, str]]:
    """(website host -> code, folder name -> code) from the catalog's municipalities; empty if unreadable."""
    try:
        from knowledge.catalog import load_catalog

        cat = load_catalog(catalog_dir)
    except Exception as err:  # a broken catalog must not stop ingest: pages just get no municipality
        log.warning("catalog unreadable, municipality codes come from pages only: %s", err)
        return {}, {}
    hosts: dict[str, str] = {}
    names: dict[str, str] = {}
    for m in cat.municipalities.values():
        if m.website:
            host = urlparse(m.website).hostname
            if host:
                hosts[host] = m.code
        for name in (m.code, m.name, m.en, m.short_en, m.short_en.lower().replace(" ", "-")):
            names[name.lower()] = m.code
    return hosts, names
