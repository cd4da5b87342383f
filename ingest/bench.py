"""Benchmarks and measurements (not tests): ingest throughput and the extractor comparison. (Retrieval latency
and recall live in ``evals.bench_retrieval``, scored with ``evals.metrics`` like every evaluation.)

Each function returns a plain dict (JSON-ready); ``concierge bench`` / ``concierge eval`` print or store them.

Example::

    >>> bench_ingest(get_settings(data_dir="/tmp/bench"), "seeds")
    {'full': {'pages': 171, 'chunks': 354, 'seconds': 70.1, 'pages_per_s': 2.44, ...}, 'incremental': {...}}
"""

from __future__ import annotations

import re
import shutil
import time
import unicodedata
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from ingest.decode import decode
from ingest.extract import _CHROME_SECTION, _FURNITURE, HTML_EXTRACTORS, clean_blocks
from ingest.models import PageRefused
from ingest.pipeline import run_ingest
from ingest.sources import DirectorySource
from knowledge.settings import Settings


def bench_ingest(settings: Settings, source: str | Path, fresh: bool = True) -> dict[str, Any]:
    """Full ingest of ``source`` into an empty index, then an incremental re-run with no changes."""
    if fresh:
        shutil.rmtree(settings.index_dir, ignore_errors=True)
        if settings.chroma.mode == "embedded":
            shutil.rmtree(settings.chroma_path, ignore_errors=True)
    out: dict[str, Any] = {}
    for label in ("full", "incremental"):
        started = time.perf_counter()
        rec = run_ingest(settings, [str(source)], progress=False)
        seconds = time.perf_counter() - started
        out[label] = {
            "pages": rec.pages_total,
            "chunks": rec.chunks_total,
            "embedded": rec.chunks_embedded,
            "failed": len(rec.failed),
            "seconds": round(seconds, 3),
            "pages_per_s": round(rec.pages_total / seconds, 2) if seconds else None,
            "chunks_per_s": round(rec.chunks_total / seconds, 2) if seconds else None,
            "timings_s": rec.timings_s,
        }
    full, inc = out["full"]["seconds"], out["incremental"]["seconds"]
    out["speedup"] = round(full / inc, 1) if inc else None
    return out


# ---------------------------------------------------------------------------------------------------------------
# extractor comparison
# ---------------------------------------------------------------------------------------------------------------

_SHARE = re.compile(r"シェア|LINEで送る|ツイート|ポスト")
_CHROME_SELECTORS = (
    "header, nav, footer, aside, #breadcrumb, .breadcrumb, .breadcrumbs, .pankuzu, #side, .side"
)


def _units(text: str) -> set[str]:
    """Comparable text units: sentences / cells of 6+ characters, NFKC, whitespace-free."""
    text = unicodedata.normalize("NFKC", text)
    parts = re.split(r"[。！？\n|]", text)
    return {re.sub(r"\s+", "", p) for p in parts if len(re.sub(r"\s+", "", p)) >= 6}


def _truth(html: str) -> tuple[set[str], set[str]]:
    """(units of the page's <main> minus forms/scripts, units of its chrome) as written in the seed page."""
    tree = LexborHTMLParser(html)
    for node in tree.css("script, style, noscript, form, iframe, template"):
        node.decompose()
    main = tree.css_first("main") or tree.css_first("[role=main]") or tree.css_first("#main")
    chrome: set[str] = set()
    for node in tree.css(_CHROME_SELECTORS):
        if main is None or node.mem_id != main.mem_id:
            chrome |= _units(node.text(separator="\n"))
    content = _units(main.text(separator="\n")) if main is not None else set()
    # furniture inside <main> (更新日, ページID, share buttons, the feedback box) is not content either
    content = {
        u for u in content if not (_FURNITURE.match(u) or _CHROME_SECTION.search(u) or _SHARE.search(u))
    }
    return content, chrome - content


def compare_extractors(folder: str | Path) -> dict[str, Any]:
    """How much of each page's real content (its <main>) each extractor keeps, and how much chrome leaks.

    ``content_recall``: share of main-content sentences/cells present in the extracted text (higher is better).
    ``chrome_leak``: share of header/nav/breadcrumb/side/footer units present (lower is better).
    Pages without a <main> element are skipped (no ground truth).
    """
    totals: dict[str, dict[str, float]] = {
        name: {"kept": 0, "content": 0, "leaked": 0, "chrome": 0, "seconds": 0.0, "empty": 0}
        for name in HTML_EXTRACTORS
    }
    pages = 0
    for item in DirectorySource(Path(folder)).items():
        if not item.location.lower().endswith((".html", ".htm")):
            continue
        try:
            html = decode(item.load().data)
        except PageRefused:
            continue
        content, chrome = _truth(html)
        if not content:
            continue
        pages += 1
        for name, fn in HTML_EXTRACTORS.items():
            started = time.perf_counter()
            blocks = clean_blocks(fn(html, None))
            totals[name]["seconds"] += time.perf_counter() - started
            got = _units("\n".join(b.text for b in blocks))
            if not got:
                totals[name]["empty"] += 1
            totals[name]["kept"] += len(content & got)
            totals[name]["content"] += len(content)
            totals[name]["leaked"] += len(chrome & got)
            totals[name]["chrome"] += len(chrome)
    result: dict[str, Any] = {"pages": pages}
    for name, t in totals.items():
        result[name] = {
            "content_recall": round(t["kept"] / t["content"], 4) if t["content"] else None,
            "chrome_leak": round(t["leaked"] / t["chrome"], 4) if t["chrome"] else None,
            "empty_pages": int(t["empty"]),
            "ms_per_page": round(1000 * t["seconds"] / pages, 2) if pages else None,
        }
    return result
