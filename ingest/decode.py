"""Bytes -> Unicode: declared charset (HTTP header, BOM, <meta>) first, then detection (charset-normalizer).

Shift_JIS is decoded as cp932 and EUC-JP as its Microsoft-compatible superset where Python has one, so the
① ㈱ 髙 characters common on Japanese municipal pages survive.

Example::

    >>> decode("<meta charset='Shift_JIS'>出生届".encode("cp932"))
    "<meta charset='Shift_JIS'>出生届"
"""

from __future__ import annotations

import codecs
import logging
import re

from ingest.models import PageRefused

log = logging.getLogger(__name__)

MAX_CHAOS = 0.2  # charset-normalizer's "mess" ratio above which a detected decoding is mojibake


class UndecodablePage(PageRefused):
    """The page's bytes are valid in no plausible encoding (refused rather than indexed as mojibake)."""


_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.I)
# Declared names -> the codec that decodes what Japanese sites actually send under that name.
_SUPERSETS = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "euc-jp": "euc_jis_2004",
    "euc_jp": "euc_jis_2004",
    "x-euc-jp": "euc_jis_2004",
    "iso-8859-1": "cp1252",  # what browsers do
}


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The charset the HTTP header, a BOM or a <meta> tag in the first 4 KB declares (normalised codec name)."""
    if content_type:
        m = _HEADER.search(content_type)
        if m and (c := _codec(m.group(1))):
            return c
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    meta = _META.search(data[:4096])
    return _codec(meta.group(1).decode("ascii", "ignore")) if meta else None


def decode(data: bytes, content_type: str | None = None) -> str:
    """Decode page bytes; a wrong declaration falls back to detection instead of producing mojibake, and bytes
    that no plausible encoding decodes raise :class:`UndecodablePage`."""
    declared = declared_charset(data, content_type)
    if declared:
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            log.info("declared charset %s does not decode the page; detecting", declared)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp932", "euc_jp", "iso2022_jp", "utf_8", "cp1252"]).best()
    if best is not None and best.chaos <= MAX_CHAOS:
        return str(best)
    # no plausible encoding: indexing a guess would publish mojibake
    raise UndecodablePage(
        f"invalid encoding: the bytes decode as none of {declared or 'utf-8'}, Shift_JIS, EUC-JP, ISO-2022-JP"
    )
