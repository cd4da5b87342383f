"""The growing-corpus benchmark's replication: every copy of a seed page gets its own canonical URL."""

from __future__ import annotations

import re
from pathlib import Path

from evals.bench_corpus import replicate
from evals.bench_scale import distinct_messages

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_copies_of_the_seeds_have_distinct_urls_in_every_encoding(tmp_path: Path) -> None:
    pages = replicate(SEEDS, tmp_path, 3)
    originals = [
        p
        for p in SEEDS.rglob("*.htm*")
        if not any(x.startswith(("_", ".")) for x in p.relative_to(SEEDS).parts)
    ]
    assert pages == 3 * len(originals)
    urls = [
        m.group(1)
        for f in tmp_path.rglob("*.htm*")
        if (m := re.search(rb'<link rel="canonical" href="([^"]+)"', f.read_bytes(), re.IGNORECASE))
    ]
    assert len(urls) == len(set(urls)) and len(urls) >= 3 * 250  # nearly every seed names its canonical URL
    assert any(b"copy=2" in u for u in urls)
    # the bytes other than the URL are untouched (Shift_JIS / EUC-JP pages stay decodable as before)
    one = next(p for p in originals if b"canonical" in p.read_bytes())
    copy = tmp_path / "copy002" / one.relative_to(SEEDS)
    assert len(copy.read_bytes()) - len(one.read_bytes()) == len(b"?copy=2")


def test_distinct_messages_are_distinct_and_disjoint() -> None:
    a, b = distinct_messages(400), distinct_messages(40, offset=400)
    assert len(set(a)) == 400 and len(set(b)) == 40 and not set(a) & set(b)
    assert any(m.isascii() for m in a) and any("区" in m or "市" in m for m in a)
