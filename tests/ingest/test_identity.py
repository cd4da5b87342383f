"""A page's identity is its canonical URL, whatever folder or host it came from (issue #16).

Re-ingesting identical pages from a copy of the folder, or from another host, records 0 added / 0 changed and keeps
one copy; a changed copy of the same canonical URL is recorded as changed, replaces the old text and flags the facts
that cite it.
"""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ingest.pipeline import PageTexts, run_ingest
from knowledge.retrieval import build_searcher
from knowledge.settings import Settings

BIRTH_URL = "https://www.city.setagaya.lg.jp/mokuji/kurashi/001/001/d00001.html"


def _ingest(settings: Settings, *sources: object):
    return run_ingest(settings, [str(s) for s in sources], progress=False)


def _catalog(tmp_path: Path) -> Path:
    catalog = tmp_path / "catalog"
    (catalog / "procedures").mkdir(parents=True)
    (catalog / "procedures" / "birth.yaml").write_text(
        f"""
- id: birth-registration
  title: {{ja: 出生届, en: Birth registration}}
  summary: {{ja: 子どもが生まれたら14日以内に届け出ます。, en: Register a birth within 14 days.}}
  office: municipal-window
  sources:
    - url: {BIRTH_URL}
      title: 出生届
      verified: 2026-06-10
""",
        encoding="utf-8",
    )
    return catalog


def test_copy_of_the_folder_is_the_same_pages(
    hashing_settings: Settings, pages_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy-of-pages"
    # the copy is a curated copy too: its directory is trusted to name canonical URLs (CanonicalPolicy)
    hosts = {**hashing_settings.ingest.directory_hosts, str(copy): ["*"]}
    ingest = hashing_settings.ingest.model_copy(update={"directory_hosts": hosts})
    settings = hashing_settings.model_copy(update={"catalog_dir": _catalog(tmp_path), "ingest": ingest})
    first = _ingest(settings, pages_dir)
    assert len(first.added) == 6
    shutil.copytree(pages_dir, copy)

    again = _ingest(settings, copy)
    assert (len(again.added), len(again.changed), len(again.removed)) == (0, 0, 0)
    assert again.pages_total == 6 and again.chunks_embedded == 0 and not again.facts_to_review
    both = _ingest(settings, pages_dir, copy)  # both folders in one run: still one copy of each page
    assert (len(both.added), len(both.changed), both.pages_total) == (0, 0, 6)

    birth = copy / "setagaya" / "birth.html"
    birth.write_text(birth.read_text(encoding="utf-8").replace("14日以内", "十四日以内"), encoding="utf-8")
    changed = _ingest(settings, copy)
    assert [p.url for p in changed.changed] == [BIRTH_URL] and not changed.added
    assert changed.pages_total == 6
    assert [(f.fact, f.reason) for f in changed.facts_to_review] == [
        ("procedure:birth-registration", "page changed")
    ]
    hits = build_searcher(settings).search("出生届 14日以内", k=20)
    birth_texts = [h.text for h in hits if h.url == BIRTH_URL]
    assert birth_texts and all(
        "十四日以内" in t or "14日以内" not in t for t in birth_texts
    )  # one version only
    assert len({h.text for h in hits if h.url == BIRTH_URL}) == len(birth_texts)  # no duplicate chunks
    # the old and the new text are both kept for the side-by-side diff
    entry = changed.changed[0]
    texts = PageTexts(settings.index_dir)
    old, new = texts.load(BIRTH_URL, entry.old_hash), texts.load(BIRTH_URL, entry.new_hash)
    assert old and new and "14日以内" in old and "十四日以内" in new


@pytest.fixture
def other_host(pages_dir: Path) -> Iterator[str]:
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(pages_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_same_pages_from_another_host(
    hashing_settings: Settings, pages_dir: Path, tmp_path: Path, other_host: str
) -> None:
    # the other host (loopback, allow-listed for the test) serves copies of the same pages: an alias allowed to
    # name their canonical URLs
    ingest = hashing_settings.ingest.model_copy(
        update={"allowed_hosts": ["127.0.0.1"], "canonical_aliases": {"127.0.0.1": ["*"]}}
    )
    hashing_settings = hashing_settings.model_copy(update={"ingest": ingest})
    first = _ingest(hashing_settings, pages_dir)
    html = sorted(
        p.relative_to(pages_dir).as_posix() for p in pages_dir.rglob("*.html") if "_drafts" not in str(p)
    )
    url_list = tmp_path / "urls.txt"
    url_list.write_text(
        "\n".join(f"{other_host}/{p}" for p in html if "broken" not in p) + "\n", encoding="utf-8"
    )
    again = _ingest(hashing_settings, url_list)
    assert not again.failed, again.failed
    assert (len(again.added), len(again.changed)) == (0, 0) and len(again.unchanged) == 4
    assert again.pages_total == first.pages_total == 6
