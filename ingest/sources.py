"""Where pages come from: a directory of files, a sitemap URL, a file listing URLs, or one URL.

``make_sources`` turns the command-line arguments into sources. Each source lists its items cheaply
(``items``) and loads one item's bytes on demand (``SourceItem.load``), so unchanged files cost one read.

Example::

    >>> [s.key for s in make_sources(["seeds"], fetcher)]
    ['dir:/work/main/seeds']
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import stat
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ingest.fetch import MAX_BYTES, Fetcher, is_binary
from ingest.models import Fetched, PageRefused

log = logging.getLogger(__name__)

PAGE_SUFFIXES = (".html", ".htm", ".md", ".txt")


class SourceError(Exception):
    """A whole source cannot be listed (missing directory, unreachable sitemap); its pages are kept as they were."""


@dataclass(frozen=True)
class SourceItem:
    location: str
    load: Callable[[], Fetched]


class Source(Protocol):
    key: str  # identity: pages of this source missing from a later listing are removed

    def items(self) -> Iterator[SourceItem]: ...

    def fingerprint(self) -> str | None:
        """A cheap digest that changes when any item may have changed; None = unknown (always stale)."""
        ...


def _display_path(path: Path, root: Path | None = None) -> str:
    """A page file's identity: relative to the working directory, else to its source directory's parent.

    Never the server's absolute path: without a canonical URL this identity is the page's public "URL".
    """
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        pass
    base = (root or path).parent
    try:
        return str(path.relative_to(base))
    except ValueError:
        return path.name


def refuse_special(path: Path, root: Path | None = None) -> None:
    """Refuse symlinks (they may point outside the source) and anything but a regular file (a FIFO blocks)."""
    st = path.lstat()
    if stat.S_ISLNK(st.st_mode):
        raise PageRefused(f"symbolic link refused (-> {os.readlink(path)!s:.200}); copy the file in instead")
    if not stat.S_ISREG(st.st_mode):
        raise PageRefused("not a regular file (FIFO, socket or device) refused")
    if root is not None and not path.resolve().is_relative_to(root):
        raise PageRefused("file outside its source directory refused")


def read_page_file(path: Path, max_bytes: int = MAX_BYTES, root: Path | None = None) -> Fetched:
    """A page file's bytes; symlinks, special files, huge and binary files are refused with the reason."""
    refuse_special(path, root)
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):  # swapped after the check
            raise PageRefused("not a regular file refused")
        if st.st_size > max_bytes:
            raise PageRefused(f"too large ({st.st_size} bytes > {max_bytes})")
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PageRefused(f"too large (over {max_bytes} bytes)")
    if is_binary(data):
        raise PageRefused("binary file, not a text page")
    return Fetched(location=_display_path(path, root), data=data, path=str(path))


class DirectorySource:
    """Every .html/.htm/.md/.txt file under ``root``; names starting with '_' or '.' and README files skipped."""

    def __init__(self, root: Path, max_bytes: int = MAX_BYTES) -> None:
        self.root = root.resolve()
        self.max_bytes = max_bytes
        self.key = f"dir:{self.root}"

    def _files(self) -> list[Path]:
        if not self.root.is_dir():
            raise SourceError(f"directory not found: {self.root}")
        out = []
        for dirpath, dirnames, filenames in os.walk(self.root):  # does not descend into symlinked directories
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(("_", ".")))
            for d in [d for d in dirnames if (Path(dirpath) / d).is_symlink()]:
                log.warning(
                    "skipped %s: symbolic link to a directory refused", _display_path(Path(dirpath) / d)
                )
                dirnames.remove(d)
            for name in sorted(filenames):
                if name.startswith(("_", ".")) or name.upper().startswith("README"):
                    continue
                if name.lower().endswith(PAGE_SUFFIXES):
                    out.append(Path(dirpath) / name)
        return out

    def items(self) -> Iterator[SourceItem]:
        for path in self._files():
            yield SourceItem(
                _display_path(path, self.root),
                functools.partial(read_page_file, path, self.max_bytes, self.root),
            )

    def fingerprint(self) -> str | None:
        h = hashlib.sha256()
        for path in self._files():
            st = path.lstat()
            h.update(f"{path}\x00{st.st_size}\x00{st.st_mtime_ns}\n".encode())
        return h.hexdigest()


class UrlListSource:
    """A text file with one URL per line (blank lines and '#' comments ignored)."""

    def __init__(self, path: Path, fetcher: Fetcher) -> None:
        self.path = path.resolve()
        self.fetcher = fetcher
        self.key = f"urls:{self.path}"

    def urls(self) -> list[str]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError as err:
            raise SourceError(f"cannot read URL list {self.path}: {err}") from None
        return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]

    def items(self) -> Iterator[SourceItem]:
        for url in self.urls():
            yield SourceItem(url, functools.partial(self.fetcher.fetch, url))

    def fingerprint(self) -> str | None:
        return None  # remote pages may change at any time


class SitemapSource:
    """The pages a sitemap (or sitemap index, one level deep) lists."""

    def __init__(self, url: str, fetcher: Fetcher) -> None:
        self.url = url
        self.fetcher = fetcher
        self.key = f"sitemap:{url}"

    def _locs(self, url: str, depth: int = 0) -> list[str]:
        try:
            data = self.fetcher.fetch(url).data
            root = ET.fromstring(data)
        except (PageRefused, ET.ParseError) as err:
            raise SourceError(f"sitemap {url} unusable: {err}") from None
        ns = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
        locs = [(e.text or "").strip() for e in root.iter(f"{ns}loc") if (e.text or "").strip()]
        if root.tag.endswith("sitemapindex") and depth == 0:
            out: list[str] = []
            for loc in locs:
                try:
                    out += self._locs(loc, depth + 1)
                except SourceError as err:
                    log.warning("%s", err)
            return out
        return locs

    def items(self) -> Iterator[SourceItem]:
        for url in dict.fromkeys(self._locs(self.url)):
            yield SourceItem(url, functools.partial(self.fetcher.fetch, url))

    def fingerprint(self) -> str | None:
        return None


class UrlSource:
    """A single page URL."""

    def __init__(self, url: str, fetcher: Fetcher) -> None:
        self.url = url
        self.fetcher = fetcher
        self.key = f"url:{url}"

    def items(self) -> Iterator[SourceItem]:
        yield SourceItem(self.url, lambda: self.fetcher.fetch(self.url))

    def fingerprint(self) -> str | None:
        return None


class FileSource:
    """A single local page file."""

    def __init__(self, path: Path) -> None:
        self.path = path.resolve()
        self.key = f"file:{self.path}"

    def items(self) -> Iterator[SourceItem]:
        yield SourceItem(_display_path(self.path), lambda: read_page_file(self.path))  # (the path named)

    def fingerprint(self) -> str | None:
        st = self.path.stat()
        return f"{st.st_size}:{st.st_mtime_ns}"


def _lists_urls(path: Path) -> bool:
    """A .txt file whose every non-comment line is an http(s) URL is a URL list, not a page."""
    if path.suffix.lower() != ".txt":
        return False
    try:
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    except OSError:
        return False
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    return bool(lines) and all(ln.startswith(("http://", "https://")) and " " not in ln for ln in lines)


def make_sources(specs: list[str], fetcher_factory: Callable[[], Fetcher]) -> list[Source]:
    """Directory -> DirectorySource; http(s) URL ending in .xml or naming a sitemap -> SitemapSource; other URL ->
    UrlSource; a page file -> FileSource; any other file -> UrlListSource. The fetcher is created only if needed."""
    fetcher: Fetcher | None = None

    def get_fetcher() -> Fetcher:
        nonlocal fetcher
        if fetcher is None:
            fetcher = fetcher_factory()
        return fetcher

    out: list[Source] = []
    for spec in specs:
        if spec.startswith(("http://", "https://")):
            path_part = spec.split("?")[0].lower()
            if path_part.endswith(".xml") or "sitemap" in path_part.rsplit("/", 1)[-1]:
                out.append(SitemapSource(spec, get_fetcher()))
            else:
                out.append(UrlSource(spec, get_fetcher()))
            continue
        path = Path(spec)
        if path.is_dir():
            out.append(DirectorySource(path))
        elif path.is_file() and path.suffix.lower() in PAGE_SUFFIXES and not _lists_urls(path):
            out.append(FileSource(path))
        elif path.is_file():
            out.append(UrlListSource(path, get_fetcher()))
        else:
            out.append(DirectorySource(path))  # lists nothing: reported as a failed source
    return out
