"""Compare one fact across all 62 municipalities (issue #16): table sorted by code with Japanese names, sources
with their kind from knowledge.provenance (a funeral company is never official), CSV export, print stylesheet."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from web_support import ROOT, AppFactory

from knowledge.catalog import load_catalog
from web.compare_all import compare_all


def _client(make_client: AppFactory):  # type: ignore[no-untyped-def]
    return make_client(editor={"allow_open": True})  # the staff console without sign-in (development setting)


def test_late_elderly_funeral_benefit_over_62_as_csv(make_client: AppFactory) -> None:
    c = _client(make_client)
    r = c.get(
        "/staff/compare-all.csv", params={"procedure": "late-elderly-funeral-benefit", "field": "amount"}
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    head, body = rows[0], rows[1:]
    assert head[:3] == ["団体コード", "区市町村", "後期高齢者医療の葬祭費：金額"]
    assert len(body) == 62
    codes = [row[0] for row in body]
    assert codes == sorted(codes) and body[0][1] == "千代田区" and body[-1][1] == "小笠原村"
    cat = load_catalog()
    for row in body:
        assert row[1] == cat.municipalities[row[0]].name
        for url, kind in zip(row[4].split(), row[5].split(" / "), strict=True):
            prov = cat.provenance(url)
            assert prov is not None
            assert ("（公式）" in kind) == prov.official  # a private page is never called official
            if prov.official:
                assert "非公式" not in kind
    assert any("民間サイト（非公式）" in row[5] for row in body) or all("公式" in row[5] for row in body)


def test_local_centre_name_and_nhi_table(make_client: AppFactory) -> None:
    c = _client(make_client)
    html = c.get(
        "/staff/compare-all", params={"procedure": "community-support-consultation", "field": "office"}
    ).text
    table = html.split('id="compare-table"')[1]
    names = re.findall(r'<th scope="row">([^<]+)</th>', table)
    assert len(names) == 62 and names[0] == "千代田区"
    assert "都内共通" in table and "問い合わせ" in table  # no local name: the municipality's contact instead
    rows = compare_all(load_catalog(), "nhi-funeral-benefit", "amount")
    assert len(rows) == 62
    nakano = next(r for r in rows if r.name == "中野区")
    assert nakano.value and (nakano.value != "—（カタログに記載なし）" or nakano.contact)
    assert c.get("/staff/compare-all", params={"procedure": "bogus", "field": "amount"}).status_code == 404
    assert (
        c.get("/staff/compare-all.csv", params={"procedure": "nhi-funeral-benefit", "field": "x"}).status_code
        == 404
    )


def test_print_stylesheet_is_a4_without_navigation_and_prints_urls() -> None:
    css = (ROOT / "web" / "static" / "staff_plan.css").read_text(encoding="utf-8")
    printed = css[css.index("@media print") :]
    assert (
        "size:A4" in printed
        and ".console-head" in printed
        and "form{display:none" in printed.replace(",form", "form")
    )
    assert "attr(href)" in printed


def test_page_lists_presets(make_client: AppFactory) -> None:
    html = _client(make_client).get("/staff/compare-all").text
    assert "後期高齢者医療の葬祭費（金額）" in html and "地域包括支援センターの地域での名称" in html
    assert Path(ROOT / "web" / "templates" / "staff_compare_all.html").exists()
