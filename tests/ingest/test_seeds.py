"""The seed corpus: built from its sources, big enough, mixed encodings, every life event for 8 municipalities.

Each page presents the publisher of the page it restates: only a municipality's own page wears its branding, and a
page shows a date only when the restated page states one (issue #13).
"""

from __future__ import annotations

import datetime as dt
import filecmp
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import yaml
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from knowledge.catalog import default_catalog

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
CHECK_DATE = dt.date(2026, 11, 26)  # the day the seed facts were checked: not a date any page states


def _coverage_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("seed_coverage", SEEDS / "_coverage.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pages(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.html") if "_src" not in p.parts)


def test_committed_pages_are_what_the_builder_makes(tmp_path: Path) -> None:
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy, ignore=shutil.ignore_patterns("*.html", "__pycache__"))
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    )
    subprocess.run([sys.executable, str(copy / "_build.py")], check=True, capture_output=True, env=env)
    built = [p.relative_to(copy) for p in _pages(copy)]
    committed = [p.relative_to(SEEDS) for p in _pages(SEEDS)]
    assert built == committed, "seeds/*.html differ from seeds/_src: run seeds/_build.py"
    changed = [str(rel) for rel in built if not filecmp.cmp(copy / rel, SEEDS / rel, shallow=False)]
    assert not changed, f"stale pages (run seeds/_build.py): {changed[:5]}"


def test_corpus_size_and_declared_encodings() -> None:
    charsets: dict[str, int] = {}
    pages = _pages(SEEDS)
    for page in pages:
        head = page.read_bytes()[:600].decode("ascii", "replace")
        match = re.search(r'charset="?([\w-]+)', head)
        assert match, f"{page} declares no charset"
        charsets[match.group(1).lower()] = charsets.get(match.group(1).lower(), 0) + 1
    assert len(pages) >= 150
    assert charsets.get("shift_jis", 0) >= 5 and charsets.get("euc-jp", 0) >= 5, charsets


def test_table_rows_have_as_many_cells_as_the_table() -> None:
    """An unquoted '1時間1,000円' in a YAML row splits one cell in two; every row of a table must be as wide."""
    import yaml

    for path in sorted((SEEDS / "_src" / "pages").glob("*.yaml")):
        for page in yaml.safe_load(path.read_text(encoding="utf-8"))["pages"]:
            for section in page.get("local") or []:
                widths = {len(row) for row in section.get("table") or []}
                assert len(widths) <= 1, (
                    f"{path.name} {page['slug']}: {section['h']} rows of {sorted(widths)} cells"
                )


def test_every_life_event_has_pages_for_eight_municipalities_wards_and_cities() -> None:
    coverage = _coverage_module()
    cov, kind = coverage.coverage()
    done = coverage.complete_municipalities()
    assert len(done) >= 8, coverage.report()
    assert {kind[r] for r in done} >= {"ward", "city"}
    assert "tokyo" in cov


def _page_text(path: Path) -> str:
    head = path.read_bytes()[:600].decode("ascii", "replace")
    match = re.search(r'charset="?([\w-]+)', head)
    return path.read_bytes().decode(match.group(1) if match else "utf-8")


def _source_dates() -> dict[str, dt.date | None]:
    """Canonical URL -> the date the restated page states (seeds/_src), None when it states none."""
    entries = []
    for path in sorted((SEEDS / "_src" / "pages").glob("*.yaml")):
        entries += yaml.safe_load(path.read_text(encoding="utf-8"))["pages"]
    entries += yaml.safe_load((SEEDS / "_src" / "catalog_pages.yaml").read_text(encoding="utf-8"))
    entries += yaml.safe_load((SEEDS / "_src" / "_special.yaml").read_text(encoding="utf-8"))
    return {e["url"]: e.get("page_date") for e in entries}


def _publisher_slots(text: str) -> tuple[str, dict[str, str]]:
    """(canonical URL, {slot: text}) for the places a page names its publisher: the title's site part, the
    header (every layout's variant) and the footer."""
    tree = HTMLParser(text)
    canonical = tree.css_first('link[rel="canonical"]').attributes["href"] or ""
    title = tree.css_first("title").text()
    slots = {"title": title.rsplit("｜", 1)[1] if "｜" in title else title}
    header = tree.css_first("header, #header, .header-wrap, #tmp_header")
    assert header is not None, f"{canonical}: no header"
    slots["header"] = (
        header.text(separator=" ")
        + " "
        + " ".join(img.attributes.get("alt") or "" for img in header.css("img"))
    )
    footer = tree.css_first("footer")
    assert footer is not None, f"{canonical}: no footer"
    slots["footer"] = footer.text(separator=" ")
    return canonical, slots


def test_no_page_names_a_municipality_as_publisher_unless_it_is_that_municipalitys_page() -> None:
    """Title, header and footer name a Tokyo municipality only on that municipality's own page; a stored copy of an
    official page names its publisher only beside the words 保存コピー; a private page names its own host."""
    catalog = default_catalog()
    munis = list(catalog.municipalities.values())
    checked = {"own": 0, "private": 0, "copy": 0, "other-official": 0}
    for path in _pages(SEEDS):
        canonical, slots = _publisher_slots(_page_text(path))
        prov = catalog.provenance(canonical)
        assert prov is not None, f"{path}: {canonical} has no publisher in knowledge/data/publishers.yaml"
        own = prov.kind == "municipal" and prov.municipality is not None
        if own:
            checked["own"] += 1
            continue
        for slot, text in slots.items():
            named = [m.name for m in munis if m.name in text or m.en in text]
            where = f"{path.relative_to(SEEDS)} {slot} {text[:80]!r} ({prov.kind}: {canonical})"
            if prov.kind == "copy-of-official":
                assert "保存コピー" in text, where
                assert set(named) <= {prov.publisher}, where
            else:
                assert not named, f"names {named}: {where}"
            assert "公式ホームページ" not in text or prov.official, where
        if prov.kind == "private":
            checked["private"] += 1
            assert prov.publisher in slots["title"] and prov.publisher in slots["header"], canonical
        elif prov.kind == "copy-of-official":
            checked["copy"] += 1
            assert prov.official_url and prov.official_url in _page_text(path), canonical
        else:
            checked["other-official"] += 1
            assert prov.publisher in slots["title"], canonical
    # every kind of page is there, so the assertions above ran on each
    assert all(checked.values()), checked


def test_a_municipal_page_is_branded_only_by_its_own_municipality() -> None:
    """A page restating a municipality's own page names that municipality in its title, and no other one in its
    header or footer."""
    catalog = default_catalog()
    own = 0
    for path in _pages(SEEDS):
        text = _page_text(path)
        canonical, slots = _publisher_slots(text)
        prov = catalog.provenance(canonical)
        assert prov is not None
        if prov.kind != "municipal" or prov.municipality is None:
            continue
        own += 1
        others = [
            m.name for m in catalog.municipalities.values() if m.name in slots["header"] + slots["footer"]
        ]
        assert prov.publisher in slots["title"], (path, slots["title"])
        assert set(others) <= {prov.publisher}, (path, others)
    assert own >= 150


def test_no_page_shows_a_date_it_does_not_state() -> None:
    """The date shown is the restated page's own date (seeds/_src page_date); none when it states none."""
    dates = _source_dates()
    assert CHECK_DATE not in dates.values(), "a page_date equals the check date: is it really on the page?"
    undated = 0
    for path in _pages(SEEDS):
        text = _page_text(path)
        canonical = HTMLParser(text).css_first('link[rel="canonical"]').attributes["href"] or ""
        shown = [
            dt.date(int(y), int(m), int(d))
            for y, m, d in re.findall(r"更新日：(\d{4})年(\d{1,2})月(\d{1,2})日", text)
        ]
        stated = dates[canonical]
        if stated is None:
            undated += 1
            assert not shown, f"{path.relative_to(SEEDS)} shows 更新日 {shown} but the page states no date"
        else:
            assert shown == [stated], f"{path.relative_to(SEEDS)} shows {shown}, the page states {stated}"
        assert "2026年11月26日" not in text, f"{path.relative_to(SEEDS)} shows the check date"
    assert undated >= 150  # most restated pages state no date: none is shown for them
