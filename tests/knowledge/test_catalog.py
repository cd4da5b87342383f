from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from knowledge.catalog import DATA_DIR, load_catalog
from knowledge.check import FACT_KINDS, check_catalog, coverage_report, is_official, official_coverage


@pytest.fixture
def tmp_catalog(tmp_path: Path) -> Path:
    dst = tmp_path / "data"
    shutil.copytree(DATA_DIR, dst)
    return dst


def test_packaged_catalog_passes_the_check() -> None:
    cat = load_catalog()
    rep = check_catalog(cat)
    assert rep.ok, rep.errors[:10]


def test_counts_and_municipalities() -> None:
    cat = load_catalog()
    kinds = Counter(m.kind for m in cat.municipalities.values())
    assert kinds == {"ward": 23, "city": 26, "town": 5, "village": 8}
    assert len(cat.events) >= 14
    assert len(cat.all_procedure_ids()) >= 80
    assert cat.municipality_by_name("世田谷区").code == "131121"  # type: ignore[union-attr]
    assert cat.municipality_by_name("Hachioji").code == "132012"  # type: ignore[union-attr]


def test_every_fact_has_a_source() -> None:
    cat = load_catalog()
    for p in cat.procedures.values():
        assert p.sources, p.id
        if p.deadline:
            assert p.deadline.sources, p.id
        for a in p.amounts:
            assert a.sources, p.id
    paths = [path for path, _ in cat.iter_sources()]
    assert len(paths) > 300


def test_override_wins_only_for_its_municipality() -> None:
    cat = load_catalog()
    local = cat.procedure("nhi-funeral-benefit", "131121")
    base = cat.procedure("nhi-funeral-benefit", None)
    other = cat.procedure("nhi-funeral-benefit", "133078")  # a village without an override file
    assert [a.yen for a in local.amounts] == [70000]
    assert local.municipality == "131121"
    assert base.amounts == other.amounts
    assert len(local.sources) > len(base.sources)


def test_local_names() -> None:
    cat = load_catalog()
    assert cat.office_name("community-support-center", "131121").ja == "あんしんすこやかセンター"
    assert "世田谷区" not in cat.office_name("community-support-center", "131121").ja
    assert cat.office_name("municipal-family-register", "133078").ja.startswith(
        cat.municipalities["133078"].name
    )


def test_registration_window_of_the_municipality_names_the_office(tmp_catalog: Path) -> None:
    path = tmp_catalog / "municipalities.yaml"
    text = path.read_text(encoding="utf-8")
    window = (
        '  offices:\n    - name: "テスト村役場 住民係"\n      phone: "04992-0-0000"\n'
        "      handles: [resident_registration]\n"
        '      sources: [{url: "https://example.lg.jp/juminhyo.html", title: "住民票", verified: 2026-11-26}]\n'
    )
    anchor = "  name: 檜原村\n"
    assert anchor in text
    block_start = text.index(anchor)
    sources_at = text.index("  sources:", block_start)
    path.write_text(text[:sources_at] + window + text[sources_at:], encoding="utf-8")
    cat = load_catalog(tmp_catalog)
    assert cat.office_name("municipal-resident-registration", "133078").ja == "テスト村役場 住民係"
    assert "テスト村役場 住民係" in cat.office_name("municipal-resident-registration", "133078").en
    assert [s.url for s in cat.local_name_sources("municipal-resident-registration", "133078")] == [
        "https://example.lg.jp/juminhyo.html"
    ]
    # the family-register window is not claimed by that entry, other municipalities are untouched
    assert cat.office_name("municipal-family-register", "133078").ja.startswith("檜原村 ")
    assert "テスト村役場" not in cat.office_name("municipal-resident-registration", "133051").ja
    assert any(path.endswith(".office:0") for path, _ in cat.iter_sources())


def test_check_finds_broken_references(tmp_catalog: Path) -> None:
    birth = tmp_catalog / "events" / "birth.yaml"
    birth.write_text(
        birth.read_text(encoding="utf-8").replace("- id: birth-registration", "- id: birth-registraton"),
        encoding="utf-8",
    )
    rep = check_catalog(load_catalog(tmp_catalog))
    assert any("birth-registraton" in e for e in rep.errors)


def test_check_finds_unsourced_amounts(tmp_catalog: Path) -> None:
    path = tmp_catalog / "overrides" / "131121.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n  late-elderly-funeral-benefit-extra: {}\n", encoding="utf-8")
    rep = check_catalog(load_catalog(tmp_catalog))
    assert not rep.ok


def test_check_finds_missing_municipality(tmp_catalog: Path) -> None:
    path = tmp_catalog / "municipalities.yaml"
    text = path.read_text(encoding="utf-8")
    cut = text.index('- code: "131024"')
    path.write_text(text[:cut], encoding="utf-8")
    rep = check_catalog(load_catalog(tmp_catalog))
    assert any("kind ward" in e for e in rep.errors)


def test_coverage_report_prints_counts_and_matrix() -> None:
    report = coverage_report(load_catalog())
    assert "life events: " in report and "municipalities: ward 23/23" in report
    assert "131121\t世田谷区\ty\t" in report
    assert "municipality fields: website " in report and "overrides (wards / cities): nhi-funeral " in report


def test_coverage_counts_facts_resting_on_an_official_source(tmp_catalog: Path) -> None:
    """An amount citing only private sites is not counted; cite the ward's own page and it is (issue #13)."""
    before = official_coverage(load_catalog(tmp_catalog))
    assert set(FACT_KINDS) <= set(before) and all(n <= total for n, total in before.values())
    path = tmp_catalog / "overrides" / "131121.yaml"
    text = path.read_text(encoding="utf-8")
    private = "https://local-media.heteml.net/archives/12003"
    assert text.count(private) >= 2
    # the first citation of the private page is the NHI 葬祭費 amount's
    path.write_text(
        text.replace(private, "https://www.city.setagaya.lg.jp/sousaihi.html", 1), encoding="utf-8"
    )
    after = official_coverage(load_catalog(tmp_catalog))
    for kind in ("amounts", "local amounts", "葬祭費 amounts"):
        assert after[kind] == (before[kind][0] + 1, before[kind][1]), kind
    assert after["local names"] == before["local names"]
    report = coverage_report(load_catalog(tmp_catalog))
    n, total = after["葬祭費 amounts"]
    assert (
        "resting on at least one official source: deadlines " in report
        and f"葬祭費 amounts {n}/{total}" in report
    )


def test_official_hosts() -> None:
    cat = load_catalog()
    assert is_official("https://www.city.setagaya.lg.jp/x.html", cat)
    assert is_official("https://www.nenkin.go.jp/x", cat)
    assert not is_official("https://example-funeral.co.jp/list", cat)


def test_version_changes_with_the_facts_and_the_office_calendar(tmp_catalog: Path) -> None:
    before = load_catalog(tmp_catalog).version
    facts = tmp_catalog / "facts.yaml"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace("犬を飼っている", "犬を飼う", 1), encoding="utf-8"
    )
    after_facts = load_catalog(tmp_catalog).version
    assert after_facts != before  # a fact's wording is shown on every conditional card
    cal = tmp_catalog / "calendar.yaml"
    cal.write_text(cal.read_text(encoding="utf-8").replace('end: "01-03"', 'end: "01-04"'), encoding="utf-8")
    assert load_catalog(tmp_catalog).version != after_facts  # closed days move deadlines
