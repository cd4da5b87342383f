"""Provenance in the HTTP API (issue 13): every source in /api/chat, /api/procedures/{id} and /api/search carries
publisher, kind, page_date and verified; ingested pages keep the publisher, kind and their own date from ingest;
a quote from a private site is never introduced as official; the calendar names each source's kind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest
from fastapi.testclient import TestClient
from web_support import hashing_settings

from knowledge.provenance import KINDS

FIELDS = {"publisher", "kind", "page_date", "verified"}

PRIVATE_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>年金の繰下げ受給とは｜くらしのマネー</title>
<link rel="canonical" href="https://www.kurashinotomo.jp/media/kurisage-jukyu/">
<meta property="article:modified_time" content="2024-05-10T09:00:00+09:00"></head><body><main>
<h1>年金の繰下げ受給とは</h1>
<p>老齢年金の繰下げ受給は、66歳から75歳までの間に請求を遅らせると、年金額が1か月あたり0.7%増える仕組みです。</p>
<p>繰下げ受給を選ぶかどうかは、健康状態や家計を考えて決めましょう。</p>
</main></body></html>
"""

OFFICIAL_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>粗大ごみの出し方｜世田谷区</title>
<link rel="canonical" href="https://www.city.setagaya.lg.jp/mokuji/kurashi/004/sodai.html"></head><body><main>
<h1>粗大ごみの出し方</h1><p>更新日：2025年4月1日</p>
<p>粗大ごみは粗大ごみ受付センターに申し込み、粗大ごみ処理券を貼って指定の日に出してください。</p>
</main></body></html>
"""

UNKNOWN_HOST_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>ペットの登録</title>
<link rel="canonical" href="https://pets.unknown-blog.example/inu-touroku"></head><body><main>
<h1>犬の登録と狂犬病予防注射</h1><p><time datetime="2023-02-14">2023年2月14日</time></p>
<p>犬を飼い始めたら、犬の登録と年1回の狂犬病予防注射が必要です。鑑札と注射済票を犬につけます。</p>
</main></body></html>
"""


@pytest.fixture(scope="module")
def prov_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ingest.pipeline import run_ingest

    base = tmp_path_factory.mktemp("prov-index")
    pages = base / "pages"
    pages.mkdir()
    (pages / "kurisage.html").write_text(PRIVATE_PAGE, encoding="utf-8")
    (pages / "sodai.html").write_text(OFFICIAL_PAGE, encoding="utf-8")
    (pages / "inu.html").write_text(UNKNOWN_HOST_PAGE, encoding="utf-8")
    # curated test pages: trusted to name their canonical URLs (CONCIERGE_INGEST__DIRECTORY_HOSTS)
    settings = hashing_settings(base / "var", ingest={"directory_hosts": {str(pages): ["*"]}})
    record = run_ingest(settings, [str(pages)], progress=False)
    assert record.status == "ok" and len(record.added) == 3, record.summary()
    return base / "var"


@pytest.fixture(scope="module")
def client(prov_dir: Path) -> Iterator[TestClient]:
    from web.app import create_app

    # the consoles open without signing in (development switch)
    with TestClient(create_app(hashing_settings(prov_dir, editor={"allow_open": True}))) as c:
        yield c


def _check(source: dict[str, object]) -> None:
    assert source.keys() >= FIELDS, source
    assert source["kind"] in KINDS and source["publisher"]


def test_chunks_keep_publisher_kind_and_the_pages_own_date(prov_dir: Path) -> None:
    from knowledge.retrieval import build_searcher

    searcher = build_searcher(hashing_settings(prov_dir))
    by_url = {h.url: h for q in ("年金 繰下げ", "粗大ごみ", "犬の登録") for h in searcher.search(q, k=5)}
    private = by_url["https://www.kurashinotomo.jp/media/kurisage-jukyu/"]
    assert (private.kind, private.publisher) == ("private", "kurashinotomo.jp")
    assert private.updated == "2024-05-10"  # from the page's own meta, not the ingest day
    official = by_url["https://www.city.setagaya.lg.jp/mokuji/kurashi/004/sodai.html"]
    assert (official.kind, official.publisher, official.updated) == ("municipal", "世田谷区", "2025-04-01")
    unknown = by_url["https://pets.unknown-blog.example/inu-touroku"]
    assert (unknown.kind, unknown.publisher, unknown.updated) == (
        "private",
        "pets.unknown-blog.example",
        "2023-02-14",
    )


def test_a_private_quote_is_not_introduced_as_official(client: TestClient) -> None:
    body = client.post(
        "/api/chat", json={"message": "年金の繰下げ受給は何歳からですか", "today": "2026-12-07"}
    ).json()
    assert body["citations"], body
    for c in body["citations"]:
        _check(c)
    private = [c for c in body["citations"] if c["kind"] == "private"]
    assert private and private[0]["page_date"] == "2024-05-10" and private[0]["verified"] is None
    assert "公式ページには" not in body["reply"]
    assert "非公式・要確認" in body["reply"]  # each quoted line names its kind


def test_an_official_quote_may_say_official(client: TestClient) -> None:
    body = client.post(
        "/api/chat", json={"message": "粗大ごみの出し方を教えてください", "today": "2026-12-07"}
    ).json()
    assert body["citations"] and all(c["kind"] == "municipal" for c in body["citations"][:2]), body
    assert "・公式）のページによると" in body["reply"] and "非公式" not in body["reply"]
    assert body["citations"][0]["page_date"] == "2025-04-01"


def test_search_results_carry_provenance(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "年金の繰下げ受給"}).json()
    assert body["pages"]
    for h in body["pages"]:
        _check(h)
    kinds = {h["url"]: h["kind"] for h in body["pages"]}
    assert kinds.get("https://www.kurashinotomo.jp/media/kurisage-jukyu/") == "private"


def test_chat_and_procedure_sources_carry_provenance(client: TestClient) -> None:
    body = client.post(
        "/api/chat",
        json={"message": "世田谷区で母が亡くなりました。葬祭費はいくらもらえますか", "today": "2026-12-07"},
    ).json()
    sources = [s for p in body["procedures"] for s in p["sources"]]
    sources += [s for p in body["procedures"] for a in p["amounts"] for s in a["sources"]]
    assert len(sources) > 20
    for s in sources:
        _check(s)
        assert s["verified"] is not None and "reference" in s
    view = client.get("/api/procedures/nhi-funeral-benefit", params={"municipality": "131121"}).json()
    listed = [*view["sources"], *(s for a in view["amounts"] for s in a["sources"])]
    listed += view["deadline"]["sources"] if view.get("deadline") else []
    assert listed
    for s in listed:
        _check(s)
    assert "unconfirmed" in view and "confirmed" in view["amounts"][0]
    moving = client.get("/api/procedures/moving-out-notice", params={"municipality": "131113"}).json()
    assert not (moving["online_url"] or "").startswith("http://www.city.shinjuku")  # 大田区's card


def test_the_calendar_names_each_sources_kind(client: TestClient) -> None:
    sid = client.post(
        "/api/chat", json={"message": "11月30日に世田谷区で母が亡くなりました", "today": "2026-12-01"}
    ).json()["session_id"]
    code = client.post("/api/bundles", json={"session_id": sid}).json()["code"]
    cal = icalendar.Calendar.from_ical(client.get(f"/bundles/{code}.ics").content)
    descriptions = [str(e["DESCRIPTION"]) for e in cal.walk("VEVENT")]
    assert any("出典 [非公式・要確認" in d for d in descriptions)
    assert any("出典 [公式" in d for d in descriptions)
    assert all("ページ" in line for d in descriptions for line in d.splitlines() if line.startswith("出典"))
    page = client.get(f"/bundles/{code}").text
    assert "［非公式・要確認］" in page and "［公式］" in page
    assert "ページに日付の記載なし" in page  # the catalog's sources state no page date: none is invented


def test_staff_console_badges_each_source(client: TestClient) -> None:
    html = client.get("/staff/procedures/nhi-funeral-benefit", params={"municipality": "131121"}).text
    assert '<span class="badge kind-private">非公式・要確認</span>' in html
    assert '<span class="badge kind-copy-of-official">保存コピー</span>' in html
    assert '<span class="badge ref">参考：他の区市町村のページ</span>' in html
    assert (
        'aria-label="世田谷区の葬祭費支給制度（ローカログ 世田谷エリア）（非公式・要確認・ページに日付の記載なし）"'
        in html
    )
    assert 'class="unconfirmed"' in html and "公式ページで未確認" in html
    search = client.get("/staff", params={"q": "年金の繰下げ受給"}).text
    assert 'data-kind="private"' in search and "kurashinotomo.jp" in search


def test_editor_console_badges_flagged_sources(tmp_path: Path) -> None:
    from web_support import CATALOG_SOURCE_URL, write_pages

    from ingest.pipeline import run_ingest
    from web.app import create_app

    data = tmp_path / "var"
    pages = write_pages(tmp_path / "pages")
    settings = hashing_settings(  # the fixture pages are curated copies, trusted to name their canonical URLs
        data,
        editor={"token": "editor-token", "dev_token": True},
        ingest={"directory_hosts": {str(pages): ["*"]}},
    )
    run_ingest(settings, [str(pages)], progress=False)
    page = pages / "ota" / "birth.html"
    page.write_text(page.read_text(encoding="utf-8").replace("14日以内", "十四日以内"), encoding="utf-8")
    run_ingest(settings, [str(pages)], progress=False)
    with TestClient(create_app(settings)) as c:
        c.post("/login", data={"name": "editor", "token": "editor-token", "next": "/editor"})
        html = c.get("/editor").text
    row = html.split(CATALOG_SOURCE_URL)[0].rsplit("<tr>", 1)[-1]  # the review row of 大田区's 出生届 page
    assert '<td data-kind="municipal"><span class="badge kind-municipal">公式</span>' in row


def test_an_ended_programme_is_shown_with_its_end_as_history(client: TestClient) -> None:
    view = client.get("/api/procedures/koto-birth-childcare-gift", params={"municipality": "131083"}).json()
    assert view["valid_until"] == "2025-03-31"
    html = client.get("/staff/procedures/koto-birth-childcare-gift", params={"municipality": "131083"}).text
    assert "2025-03-31で終了しました" in html
