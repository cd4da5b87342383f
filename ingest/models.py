"""Data passed between the ingest steps (each step: options in ``__init__``, data in ``run``/``__call__``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "item", "row"]


class PageRefused(Exception):
    """A page is not ingested (too large, binary, robots.txt, HTTP error…); the message is the logged reason."""


@dataclass(frozen=True)
class Fetched:
    """Raw bytes of one page as the source delivered them."""

    location: str  # file path or URL the bytes came from (the page's identity within its source)
    data: bytes
    content_type: str | None = None  # HTTP Content-Type header, when fetched over HTTP
    final_url: str | None = None  # after redirects
    path: str | None = None  # local files: the absolute path (for the canonical policy; never published)

    @property
    def raw_hash(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Block:
    """A unit of main content: a heading (with level), a paragraph, a list item or a table row."""

    kind: BlockKind
    text: str
    level: int = 0  # heading level 1-6


@dataclass
class Page:
    """Main content of one page, with the metadata every chunk carries."""

    location: str
    url: str  # canonical URL (<link rel=canonical>), else the file path / fetched URL
    title: str
    blocks: list[Block]
    municipality: str | None = None  # 6-digit code; None = Tokyo-wide / national
    updated: str | None = None  # ISO date the page states ("更新日：2026年4月1日")
    extractor: str = ""

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)

    @property
    def content_hash(self) -> str:
        """Hash of what is indexed (main content + metadata): chrome-only edits do not count as changes."""
        h = hashlib.sha256()
        for part in (self.url, self.title, self.municipality or "", self.updated or ""):
            h.update(part.encode() + b"\x00")
        for b in self.blocks:
            h.update(f"{b.kind}{b.level}:{b.text}\n".encode())
        return h.hexdigest()


@dataclass(frozen=True)
class Chunk:
    """One retrievable piece of a page. ``text`` = title line, heading-path line, body (``text[body_start:]``)."""

    id: str
    text: str
    body_start: int
    url: str
    title: str
    heading: str
    position: int
    page_hash: str
    municipality: str | None = None
    updated: str | None = None
    location: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def body(self) -> str:
        return self.text[self.body_start :]

    def metadata(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "heading": self.heading,
            "municipality": self.municipality or "",
            "updated": self.updated or "",
            "page_hash": self.page_hash,
            "position": self.position,
            "body_start": self.body_start,
            "location": self.location,
        }


def chunk_id(url: str, text: str) -> str:
    """Stable id from (url, content): the same text on the same page always gets the same id."""
    return hashlib.sha256(f"{url}\n{text}".encode()).hexdigest()[:32]
