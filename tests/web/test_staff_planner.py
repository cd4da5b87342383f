"""The staff planner (issue #16): the residents' planner as a form, windows with phones, save as a bundle code,
open a saved bundle by a code typed in full width, past deadlines marked 期限切れ, Japanese errors."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from web_support import AppFactory

from bot.bundle_codes import check_symbol, display_code
from web.accounts import SqliteUserStore
from web.staff_planner import staff_code, today_jst

PASSWORD = "shokuin-pasuwado-2026"
OTA, CHOFU = "131113", "132080"


def _next_month() -> dt.date:
    t = today_jst()
    return (t.replace(day=1) + dt.timedelta(days=32)).replace(day=10)


def _client(make_client: AppFactory, tmp_path: Path):  # type: ignore[no-untyped-def]
    data = tmp_path / "var"
    SqliteUserStore(data / "accounts.sqlite3").add("tanaka", PASSWORD, role="staff", display_name="田中 職員")
    c = make_client(data)
    c.post("/login", data={"username": "tanaka", "password": PASSWORD, "next": "/staff/plan"})
    return c


def _rows(html: str) -> dict[str, str]:
    body = html.split('id="plan-table"')[1].split("</table>")[0]
    out = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)[1:]:
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        title = re.search(r"<strong>([^<]+)</strong>", row)
        if title:
            out[title.group(1)] = text
    return out


def test_move_planned_with_due_dates_and_window_phones(make_client: AppFactory, tmp_path: Path) -> None:
    c = _client(make_client, tmp_path)
    assert c.get("/staff/plan").status_code == 200
    date = _next_month()
    r = c.get(
        "/staff/plan",
        params={"events": "moving", "move_from": OTA, "move_to": CHOFU, "event_date": date.isoformat()},
    )
    assert r.status_code == 200
    rows = _rows(r.text)
    m = re.search(r"\d{4}-\d{2}-\d{2}", rows["転入届"])
    assert m and "調布市" in rows["転入届"]
    due = m.group(0)
    # 住民基本台帳法: 14 days counted from the next day, a last day on a weekend or holiday moves to the next
    assert date + dt.timedelta(days=14) <= dt.date.fromisoformat(due) <= date + dt.timedelta(days=17)
    assert (
        "042-481-7111" in rows["転入届"] and "調布市代表" in rows["転入届"]
    )  # the main phone of the catalog
    assert (
        "大田区" in rows["転出届"] and "電話番号は未登録" in rows["転出届"]
    )  # no phone in the catalog: none invented
    assert "期限切れ" not in r.text.split('id="plan-table"')[1]
    assert 'id="checklist"' in r.text and "転出証明書" in r.text
    assert "受付時間" in r.text  # hours: said to be absent, never made up
    assert "転入届 — 期限 " + due in r.text  # the copy-to-clipboard text

    csrf = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    saved = c.post(
        "/staff/plan/save",
        data={
            "csrf": csrf,
            "events": "moving",
            "move_from": OTA,
            "move_to": CHOFU,
            "event_date": date.isoformat(),
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    code = saved.headers["location"].split("/staff/bundles/")[1].split("?")[0]
    assert (
        len(code) == 15 and check_symbol(code[:-1]) == code[-1]
    )  # bot.bundle_codes: 69 bits and a check symbol
    # typed with the Japanese IME on: full-width letters and digits, a full-width hyphen or a long-vowel mark
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in code)
    g = [code[i : i + 5] for i in (0, 5, 10)]
    w = [wide[i : i + 5] for i in (0, 5, 10)]
    for typed in ("－".join(w), "ー".join(g), code.lower()):
        page = c.get("/staff/bundle", params={"code": typed})
        assert page.status_code == 200, typed
        assert display_code(code) in page.text and "転入届" in page.text
        assert 'href="/staff/plan"' in page.text  # the console navigation
    bad = c.get("/staff/bundles/NOTACODE!")
    assert bad.status_code == 404 and "保存コードの形式ではありません" in bad.text
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    mistyped = c.get(f"/staff/bundles/{typo}")
    assert mistyped.status_code == 422 and "打ち間違い" in mistyped.text
    other = "A" * 14
    missing = c.get(f"/staff/bundles/{other}{check_symbol(other)}")
    assert missing.status_code == 404 and "見つかりません" in missing.text
    legacy = c.get("/staff/bundles/AAAA-AAAA")  # a code saved before issue 18 is still looked up
    assert legacy.status_code == 404 and "見つかりません" in legacy.text
    assert c.post("/staff/plan/save", data={"csrf": "forged", "events": "moving"}).status_code == 403


def test_past_deadlines_are_marked_overdue(make_client: AppFactory, tmp_path: Path) -> None:
    c = _client(make_client, tmp_path)
    past = today_jst() - dt.timedelta(days=40)
    r = c.get(
        "/staff/plan", params={"events": "birth", "municipality": "131121", "event_date": past.isoformat()}
    )
    rows = _rows(r.text)
    assert "期限切れ" in rows["出生届"]
    assert 'class="overdue"' in r.text


def test_household_answers_decide_items(make_client: AppFactory, tmp_path: Path) -> None:
    c = _client(make_client, tmp_path)
    base = {"events": "moving", "move_from": OTA, "move_to": CHOFU, "event_date": _next_month().isoformat()}
    unknown = _rows(c.get("/staff/plan", params=base).text)
    without = _rows(c.get("/staff/plan", params={**base, "f.has_children": "no"}).text)
    assert any("児童手当" in t for t in unknown) and not any("児童手当" in t for t in without)


def test_staff_code_reads_what_the_phone_gives() -> None:
    assert staff_code("６ＪＡ６－Ｎ７Ｒ３") == "6JA6N7R3"
    assert staff_code("6JA6ーN7R3") == "6JA6N7R3"
    assert staff_code("6JA6") is None


def test_staff_errors_are_japanese(make_client: AppFactory, tmp_path: Path) -> None:
    c = _client(make_client, tmp_path)
    r = c.get("/staff", params={"q": "葬祭費", "municipality": "999999"})
    assert r.status_code == 404 and "62区市町村にありません" in r.text and "No Tokyo" not in r.text
    r = c.get("/staff/procedures/no-such-thing")
    assert r.status_code == 404 and "その手続きはカタログにありません" in r.text
