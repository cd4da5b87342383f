"""URL identity: one normalisation for every place that asks "is this the same page?" (ingest's page keys, the
catalog facts to review, the editor console, and the retrieval metrics of evaluations and benchmarks).

Example::

    >>> norm_url("http://www.city.example.lg.jp/a/B.html#top")
    'https://city.example.lg.jp/a/b.html'
    >>> page_key("seeds/setagaya/birth.html")
    'seeds/setagaya/birth.html'
"""

from __future__ import annotations


def norm_url(url: str) -> str:
    """Fragment, trailing slash and surrounding space dropped, lower case, ``http`` as ``https``, no ``www.``."""
    u = url.strip().split("#")[0].rstrip("/").lower()
    return u.replace("http://", "https://", 1).replace("://www.", "://", 1)


def page_key(url: str) -> str:
    """A page's identity: its canonical URL (normalised), whatever folder or host it came from.

    A page without a canonical URL is known by its file path or fetched URL, which is what ``Page.url`` holds."""
    return norm_url(url) if url.startswith(("http://", "https://")) else url
