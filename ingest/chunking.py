"""Japanese-aware chunking: sections by heading, split at sentence ends (。！？), packed to a size budget.

Each chunk's text starts with the page title and the heading path, so a chunk read alone (by the embedder, BM25
or a person) still says what it is about. Small neighbouring sections are packed together (their headings
inline) so a page with many one-line sections does not become many tiny chunks.

Example::

    >>> [c.heading for c in Chunker()(page)]
    ['出生届', '出生届 > 届出に必要なもの', '出生届 > 届出先・受付時間']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.models import Block, Chunk, Page, chunk_id

_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
_SOFT_BREAK = re.compile(r"(?<=[、，,；;）)])")


@dataclass
class _Section:
    path: list[str]
    units: list[str]

    @property
    def size(self) -> int:
        return sum(len(u) for u in self.units)


def split_sentences(text: str) -> list[str]:
    """Split at 。！？ (kept with their sentence); whitespace-only pieces dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


class Chunker:
    """Options: ``max_chars`` body budget per chunk, ``min_chars`` below which a section joins its neighbour."""

    def __init__(self, max_chars: int = 450, min_chars: int = 160) -> None:
        self.max_chars = max_chars
        self.min_chars = min_chars

    def _units(self, block: Block) -> list[str]:
        if block.kind == "paragraph":
            pieces = split_sentences(block.text)
        else:
            pieces = [("・" if block.kind == "item" else "") + block.text]
        out: list[str] = []
        for p in pieces:
            while len(p) > self.max_chars:  # one very long sentence: break at a comma, else hard
                cut = max((m.start() for m in _SOFT_BREAK.finditer(p, 0, self.max_chars)), default=0)
                cut = cut if cut > self.max_chars // 3 else self.max_chars
                out.append(p[:cut])
                p = p[cut:]
            if p:
                out.append(p)
        return out

    def _sections(self, page: Page) -> list[_Section]:
        stack: list[tuple[int, str]] = []
        sections: list[_Section] = []
        current = _Section([], [])
        for b in page.blocks:
            if b.kind == "heading":
                if current.units:
                    sections.append(current)
                stack = [(lvl, t) for lvl, t in stack if lvl < b.level] + [(b.level, b.text)]
                current = _Section([t for _, t in stack], [])
                continue
            for unit in self._units(b):
                # A table/list continues a unit line by line; a paragraph sentence joins the previous text.
                current.units.append(unit if b.kind == "paragraph" else "\n" + unit)
        if current.units:
            sections.append(current)
        return sections

    def __call__(self, page: Page) -> list[Chunk]:
        bodies: list[tuple[list[str], str]] = []  # (heading path, body)
        path: list[str] | None = None
        body = ""
        for sec in self._sections(page):
            joinable = (
                path is not None
                and len(body) < self.min_chars
                and len(body) + sec.size + 20 <= self.max_chars
                and sec.path[:1] == path[:1]
            )
            section_start = len(body)  # where this section's text (and inline heading) begins in body
            if joinable:
                assert path is not None
                extra = sec.path[len(_common(path, sec.path)) :]
                body += "\n" + (f"【{' > '.join(extra)}】" if extra else "")
            else:
                if path is not None and body.strip():
                    bodies.append((path, body))
                path, body, section_start = sec.path, "", 0
            for i, unit in enumerate(sec.units):
                if len(body) + len(unit) > self.max_chars and body.strip():
                    assert path is not None
                    # A packed section whose first unit does not fit leaves its inline heading behind with it.
                    kept = body[:section_start] if i == 0 and section_start else body
                    if kept.strip():
                        bodies.append((path, kept))
                    # The new chunk continues this section: its heading path is this section's, not the
                    # path of the section the chunk was packed onto (whose inline 【heading】 stays behind).
                    path, body, section_start = sec.path, "", 0
                body += unit
        if path is not None and body.strip():
            bodies.append((path, body))

        chunks: list[Chunk] = []
        seen: set[str] = set()
        page_hash = page.content_hash
        for path_, raw in bodies:
            text_body = re.sub(r"\n{2,}", "\n", raw).strip()
            heading = " > ".join(path_) if path_ else page.title
            header = page.title if heading == page.title else f"{page.title}\n{heading}"
            text = f"{header}\n{text_body}"
            cid = chunk_id(page.url, text)
            if cid in seen:
                continue
            seen.add(cid)
            chunks.append(
                Chunk(
                    id=cid,
                    text=text,
                    body_start=len(header) + 1,
                    url=page.url,
                    title=page.title,
                    heading=heading,
                    position=len(chunks),
                    page_hash=page_hash,
                    municipality=page.municipality,
                    updated=page.updated,
                    location=page.location,
                )
            )
        return chunks


def _common(a: list[str], b: list[str]) -> list[str]:
    out = []
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        out.append(x)
    return out
