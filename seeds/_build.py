"""Build the seed corpus (seeds/**/*.html) from the content data in seeds/_src/.

Run from the repository root with its virtualenv: python seeds/_build.py   (PyYAML + this repo's knowledge package for provenance)

Inputs
  _src/_topics.yaml         generic sections per topic (Tokyo-wide baseline rules, own words)
  _src/pages/<romaji>.yaml  hand-written pages: canonical URL, title, page_date, local facts
  _src/catalog_pages.yaml   pages restating the pages the catalog cites (from _gen_catalog_pages.py)
  _src/_special.yaml        robustness test pages (zz-test-*)
Every page presents the publisher of the page it restates, as knowledge/provenance.py classifies its canonical
URL (knowledge/data/publishers.yaml): only a page of the municipality itself gets that municipality's site chrome
(header with search box, global navigation, breadcrumbs, side menu, feedback box, footer; it differs per
municipality, so extraction tests can check it is removed). Other official publishers (Tokyo, national bodies,
public bodies, other municipalities) get their own name in title, header and footer; a private site (funeral
company, blog, news, aggregator) gets a neutral layout naming its host and category; a search-engine copy of an
official page names the official publisher with a visible note that it is a stored copy, and keeps the copy's
address as canonical (that is what was restated). The date shown is ``page_date``, the date the restated page
itself states; when it states none the page shows none (the day a fact was checked is not a page date).
"""

from __future__ import annotations

import glob
import html
import re
import sys
import zlib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent
SRC = ROOT / "_src"
E = html.escape
if (
    ROOT.parent / "knowledge"
).is_dir():  # run from the repo; a copy elsewhere uses the knowledge package on the path
    sys.path.insert(0, str(ROOT.parent))
from knowledge.catalog import default_catalog  # noqa: E402
from knowledge.provenance import Provenance  # noqa: E402

STORED_COPY_NOTE = "このページは公式ページの保存コピーを基に作成しました。"
CATALOG = default_catalog()

GNAV = {
    "ward": ["くらし・手続き", "子育て・教育", "健康・福祉", "区政情報", "観光・文化", "事業者向け"],
    "city": [
        "暮らし・手続き",
        "子育て・教育",
        "健康・福祉・介護",
        "市政情報",
        "イベント・観光",
        "事業者の方へ",
    ],
    "tokyo": ["くらし・手続き", "子育て", "高齢者・介護", "税・年金", "仕事", "相続"],
}
HEADER_LINKS = ["文字サイズ 標準 拡大", "背景色変更", "Foreign Language", "やさしい日本語", "サイトマップ"]
FOOTER_LINKS = [
    "このサイトについて",
    "個人情報の取扱い",
    "ウェブアクセシビリティ方針",
    "リンク集",
    "お問い合わせ一覧",
]
CATS = [
    "妊娠・出産",
    "子育て・手当",
    "保育・教育",
    "住所・引っ越し",
    "戸籍・結婚",
    "ひとり親",
    "おくやみ",
    "高齢者・介護",
    "国保・年金",
    "外国人の方へ",
    "戸籍・住民票",
    "税・年金",
    "相続",
    "仕事",
    "くらし・手続き",
]
WINDOW_OF_CATEGORY = {
    "妊娠・出産": "w_hoken",
    "子育て・手当": "w_kodomo",
    "保育・教育": "w_kodomo",
    "ひとり親": "w_kodomo",
    "戸籍・結婚": "w_koseki",
    "おくやみ": "w_koseki",
    "高齢者・介護": "w_kaigo",
    "国保・年金": "w_kokuho",
    "税・年金": "w_kokuho",
}
TOPIC_OF_FILE = {
    "child.yaml": "子育て・手当",
    "death.yaml": "おくやみ",
    "moving.yaml": "住所・引っ越し",
    "family.yaml": "戸籍・結婚",
    "care.yaml": "高齢者・介護",
    "ageing.yaml": "高齢者・介護",
    "work.yaml": "国保・年金",
}


def jdate(d: str) -> str:
    y, m, dd = str(d).split("-")
    return f"{int(y)}年{int(m)}月{int(dd)}日"


def fill(text, v: dict) -> str:
    s = str(text)
    for k, val in v.items():
        s = s.replace("{" + k + "}", str(val))
    return s


def render_section(sec: dict, v: dict, level: int = 2) -> str:
    out = [f"<h{level}>{E(fill(sec['h'], v))}</h{level}>"]
    for para in sec.get("p", []) or []:
        out.append(f"<p>{E(fill(para, v))}</p>")
    if sec.get("ul"):
        out.append("<ul>" + "".join(f"<li>{E(fill(x, v))}</li>" for x in sec["ul"]) + "</ul>")
    if sec.get("ol"):
        out.append("<ol>" + "".join(f"<li>{E(fill(x, v))}</li>" for x in sec["ol"]) + "</ol>")
    rows = sec.get("table")
    if rows:
        t = ['<table class="tbl">']
        # a header row is a row whose cells are short labels and the table has >2 columns or it is the first of many
        first, rest = rows[0], rows[1:]
        if len(first) > 2 or (
            rest
            and first[0]
            in (
                "区分",
                "方法",
                "手続き",
                "時期",
                "内容",
                "書類",
                "届出",
                "質問",
                "制度",
                "健診",
                "カード",
                "係",
                "名称",
                "時間",
                "相談先",
                "問い合わせ",
                "対象となる方",
                "保護者の状況",
                "亡くなった方の保険",
                "窓口",
                "支援",
                "ギフト",
            )
        ):
            t.append("<thead><tr>" + "".join(f"<th>{E(fill(c, v))}</th>" for c in first) + "</tr></thead>")
        else:
            rest = rows
        t.append("<tbody>")
        for r in rest:
            t.append(
                '<tr><th scope="row">'
                + E(fill(r[0], v))
                + "</th>"
                + "".join(f"<td>{E(fill(c, v))}</td>" for c in r[1:])
                + "</tr>"
            )
        t.append("</tbody></table>")
        out.append("".join(t))
    return "\n".join(out)


def publisher_chrome(page: dict, prov: Provenance, enc: str, body_html: str) -> str:
    """Chrome of a page not published by the municipality it is about: it names its own publisher.

    private: a neutral site layout with the host (or the operator's name) and what kind of site it is.
    copy-of-official: the official publisher, marked as a stored copy, with the official address in a visible note.
    other official publishers (Tokyo, national, public bodies, another municipality): their name, no municipal chrome
    of the municipality the page is about.
    """
    charset = {"utf-8": "UTF-8", "shift_jis": "Shift_JIS", "euc-jp": "EUC-JP"}[enc]
    title = page["title"]
    updated = f'<p class="update">更新日：{jdate(page["page_date"])}</p>' if page.get("page_date") else ""
    if prov.kind == "private":
        kind_line = (
            "運営者を確認できていない民間のサイト"
            if prov.category in (None, "運営者未確認")
            else f"民間のサイト（{prov.category}）"
        )
        site, copyright_line, note = prov.publisher, f"© {prov.publisher}", ""
        header = (
            f'<header id="header" class="site-header"><p class="site-name"><a href="/">{E(site)}</a></p>'
            f'<p class="site-kind">{E(kind_line)}</p></header>'
        )
        footer_extra = f'<p class="f-kind">{E(kind_line)}</p>'
    elif prov.kind == "copy-of-official":
        site = f"{prov.publisher}のページの保存コピー"
        official = prov.official_url or page["url"]
        note = (
            f'<p class="copy-note">{E(STORED_COPY_NOTE)}元のページ：{E(prov.publisher)} '
            f'<a href="{E(official)}">{E(official)}</a></p>'
        )
        copyright_line = f"元のページの発行者：{prov.publisher}"
        header = (
            f'<header id="header" class="copy-header"><p class="site-name">{E(site)}</p>'
            f'<p class="site-kind">{E(STORED_COPY_NOTE)}</p></header>'
        )
        footer_extra = f'<p class="f-kind">{E(STORED_COPY_NOTE)}元のページ：{E(official)}</p>'
    else:
        site, copyright_line, note = prov.publisher, f"発行：{prov.publisher}", ""
        header = (
            f'<header id="header" class="org-header"><p class="site-name"><a href="/">{E(site)}</a></p>'
            f'<ul class="util">'
            + "".join(f'<li><a href="#">{E(x)}</a></li>' for x in HEADER_LINKS)
            + "</ul></header>"
        )
        footer_extra = ""
    return (
        f'<!DOCTYPE html>\n<html lang="ja">\n<head>\n<meta charset="{charset}">\n<title>{E(title)}｜{E(site)}</title>\n'
        f'<link rel="canonical" href="{E(page["url"])}">\n{page.get("code_meta", "")}'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n</head>\n'
        f"<body>\n{header}\n"
        f'<nav class="breadcrumb"><a href="/">トップ</a> &gt; <span>{E(title)}</span></nav>\n'
        f'<main id="main"><article><h1>{E(title)}</h1>{updated}{note}\n{body_html}\n</article></main>\n'
        f'<footer id="footer"><p class="f-name">{E(site)}</p>{footer_extra}'
        f'<p class="copyright">{E(copyright_line)}</p></footer>\n</body>\n</html>\n'
    )


def own_page(prov: Provenance, muni: dict) -> bool:
    """The restated page is the municipality's own page (the only case that gets its chrome)."""
    return prov.kind == "municipal" and bool(muni.get("code")) and prov.municipality == muni.get("code")


def page_html(
    page: dict, muni: dict, prov: Provenance, body_html: str, siblings: list[tuple[str, str]]
) -> str:
    if own_page(prov, muni):
        return chrome(page, muni, body_html, siblings)
    code_meta = f'<meta name="municipality-code" content="{muni["code"]}">\n' if muni.get("code") else ""
    return publisher_chrome(dict(page, code_meta=code_meta), prov, muni.get("encoding", "utf-8"), body_html)


def classify(url: str) -> Provenance:
    prov = CATALOG.provenance(url)
    if prov is None:
        raise SystemExit(f"no publisher for {url}: add its host to knowledge/data/publishers.yaml")
    return prov


def chrome(page: dict, muni: dict, body_html: str, siblings: list[tuple[str, str]]) -> str:
    style = muni.get("style", "a")
    site = muni["site"]
    kind = muni.get("kind", "tokyo")
    cat = page["category"]
    title = page["title"]
    enc = muni.get("encoding", "utf-8")
    charset = {"utf-8": "UTF-8", "shift_jis": "Shift_JIS", "euc-jp": "EUC-JP"}[enc]
    meta_charset = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        if style in ("c", "d")
        else f'<meta charset="{charset}">'
    )
    code_meta = f'<meta name="municipality-code" content="{muni["code"]}">\n' if muni.get("code") else ""
    gnav = "".join(f'<li><a href="/{i}/">{E(g)}</a></li>' for i, g in enumerate(GNAV[kind]))
    hlinks = "".join(f'<li><a href="#">{E(x)}</a></li>' for x in HEADER_LINKS)
    side = "".join(
        f'<li><a href="../{muni["romaji"]}/{s}.html">{E(t)}</a></li>' for s, t in siblings if t != title
    )
    flinks = " | ".join(f'<a href="#">{E(x)}</a>' for x in FOOTER_LINKS)
    crumbs = f'<a href="/">ホーム</a> &gt; <a href="/cat/">{E(cat)}</a> &gt; <span>{E(title)}</span>'
    feedback = (
        '<div class="feedback"><h2>このページの情報は役に立ちましたか</h2><form action="/feedback" method="post">'
        '<p><label><input type="radio" name="q1" value="1">役に立った</label>'
        '<label><input type="radio" name="q1" value="2">どちらともいえない</label>'
        '<label><input type="radio" name="q1" value="3">役に立たなかった</label></p>'
        '<h3>このページは見つけやすかったですか</h3><p><label><input type="radio" name="q2" value="1">見つけやすかった</label>'
        '<label><input type="radio" name="q2" value="2">見つけにくかった</label></p>'
        '<p><button type="submit">送信</button></p><p class="note">寄せられたご意見への個別の回答はしておりません。</p></form></div>'
    )
    footer = (
        f'<footer id="footer"><div class="f-links">{flinks}</div><p class="f-name">{E(site)}</p>'
        f"<address>{E(muni.get('address', ''))} 電話：{E(muni.get('phone', ''))}"
        f"</address>"
        f'<p class="copyright">{E(muni.get("copyright", ""))}</p></footer>'
    )
    search = (
        '<form class="site-search" action="/search" method="get"><label for="kw">サイト内検索</label>'
        '<input id="kw" type="text" name="q" placeholder="キーワードを入力"><button type="submit">検索</button></form>'
    )
    head = (
        f'<!DOCTYPE html>\n<html lang="ja">\n<head>\n{meta_charset}\n<title>{E(title)}｜{E(site)}</title>\n'
        f'<link rel="canonical" href="{E(page["url"])}">\n{code_meta}'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="stylesheet" href="/css/{muni["romaji"]}.css">\n</head>\n'
    )
    updated = f'<p class="update">更新日：{jdate(page["page_date"])}</p>' if page.get("page_date") else ""
    if style == "a":
        return head + (
            f'<body>\n<div id="skip"><a href="#main">本文へ移動</a></div>\n'
            f'<header id="header"><div class="logo"><a href="/"><img src="/img/logo.png" alt="{E(site)}"></a></div>'
            f'<ul class="util">{hlinks}</ul>{search}</header>\n'
            f'<nav id="gnav" aria-label="グローバルナビゲーション"><ul>{gnav}</ul></nav>\n'
            f'<div id="breadcrumb">現在のページ：{crumbs}</div>\n'
            f'<div id="wrap"><main id="main"><h1>{E(title)}</h1>{updated}\n{body_html}\n{feedback}</main>\n'
            f'<aside id="side"><h2>このカテゴリのページ</h2><ul>{side}</ul>'
            f'<h2>よく見られているページ</h2><ul><li><a href="#">ごみの分け方・出し方</a></li><li><a href="#">施設案内</a></li></ul></aside></div>\n'
            f'{footer}\n<p class="pagetop"><a href="#">ページの先頭へ戻る</a></p>\n</body>\n</html>\n'
        )
    if style == "b":
        return head + (
            f'<body class="sub">\n<div class="header-wrap"><p class="site-name"><a href="/">{E(site)}</a></p>{search}'
            f'<ul class="header-links">{hlinks}</ul></div>\n'
            f'<div class="gnav"><ul>{gnav}</ul></div>\n'
            f'<ol class="pankuzu"><li>{crumbs}</li></ol>\n'
            f'<div class="contents"><div class="main-col" id="main"><div class="page-title"><h1>{E(title)}</h1></div>'
            f'<div class="page-info">ページID：{zlib.crc32(page["url"].encode()) % 1000000:06d} {updated}</div>\n'
            f'<div class="body">{body_html}</div>\n{feedback}\n'
            f'<div class="sns"><a href="#">Xでポスト</a> <a href="#">Facebookでシェア</a> <a href="#">LINEで送る</a></div></div>\n'
            f'<div class="sub-col"><div class="local-nav"><h2>このカテゴリのページ</h2><ul>{side}</ul></div>'
            f'<div class="banner"><a href="#">広報紙のご案内</a></div></div></div>\n{footer}\n</body>\n</html>\n'
        )
    if style == "c":
        return head + (
            f'<body>\n<div id="tmp_wrapper"><div id="tmp_header"><p id="tmp_hlogo"><a href="/"><span>{E(site)}</span></a></p>'
            f'<div id="tmp_search">{search}</div><ul id="tmp_hnavi">{hlinks}</ul></div>\n'
            f'<div id="tmp_gnavi"><ul>{gnav}</ul></div>\n'
            f'<div id="tmp_pankuzu"><p>現在のページ {crumbs}</p></div>\n'
            f'<div id="tmp_wrap_main"><div id="tmp_main"><div id="tmp_contents"><h1>{E(title)}</h1>{updated}\n{body_html}\n</div>\n'
            f'{feedback}</div>\n<div id="tmp_lnavi"><div id="tmp_lnavi_ttl"><p>このカテゴリのページ</p></div>'
            f"<ul>{side}</ul></div></div>\n{footer}</div>\n</body>\n</html>\n"
        )
    # style d: older table-based layout
    return head + (
        f'<body bgcolor="#ffffff">\n<table width="100%" border="0" cellpadding="0" cellspacing="0" id="header"><tr>'
        f'<td><a href="/"><img src="/images/title.gif" alt="{E(site)}"></a></td><td align="right">{search}</td></tr>'
        f'<tr><td colspan="2"><ul class="util">{hlinks}</ul></td></tr></table>\n'
        f'<table width="100%" class="menu"><tr>'
        + "".join(f'<td><a href="/{i}/">{E(g)}</a></td>' for i, g in enumerate(GNAV[kind]))
        + f'</tr></table>\n<div class="path">{crumbs}</div>\n'
        f'<table width="100%" border="0"><tr><td valign="top" width="200" class="left"><p><b>このカテゴリのページ</b></p><ul>{side}</ul>'
        f'<p><b>くらしのガイド</b></p><ul><li><a href="#">届出・証明</a></li><li><a href="#">税金</a></li></ul></td>\n'
        f'<td valign="top" id="main"><h1>{E(title)}</h1>{updated}\n{body_html}\n{feedback}</td></tr></table>\n{footer}\n</body>\n</html>\n'
    )


def contact_box(muni: dict, window: str, own: bool = True) -> str:
    """The municipality's window: 'about this page' only on its own page, else where to ask about the procedure."""
    if not own:
        where = f"{muni['name']}の窓口" if muni.get("code") else "担当窓口"
        return f'<div class="contact"><h2>手続きの問い合わせ先（{E(where)}）</h2><p>{E(window)}</p></div>'
    return (
        f'<div class="contact"><h2>このページに関するお問い合わせ</h2><p>{E(window)}</p>'
        f"<p>{E(muni['name'])} {E(muni.get('address', ''))}</p><p>電話：{E(muni.get('phone', ''))}</p></div>"
    )


def pdf_links(title: str) -> str:
    return (
        f'<div class="files"><h2>関連ファイル</h2><ul><li><a href="/files/{zlib.crc32(title.encode()) % 99999}.pdf">'
        f"{E(title)}のご案内（PDF：{(zlib.crc32(title.encode()) % 900) + 100}KB）</a></li></ul>"
        f'<p class="pdf-note">PDFファイルをご覧いただくには、Adobe Acrobat Reader（外部リンク）が必要です。</p></div>'
    )


def write(path: Path, text: str, enc: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # characters the legacy encodings lack become numeric character references (valid HTML)
    if enc != "utf-8":
        text = text.replace("～", "〜").replace("−", "－")
    path.write_bytes(text.encode(enc, errors="xmlcharrefreplace"))


def yen(n) -> str:
    return f"{n:,}円" if isinstance(n, int) and n else ""


def build() -> dict:
    topics = yaml.safe_load((SRC / "_topics.yaml").read_text(encoding="utf-8"))
    counts: dict = {}
    built: list[str] = []
    munis: dict[str, dict] = {}
    # hand-written municipal pages
    for f in sorted(glob.glob(str(SRC / "pages" / "*.yaml"))):
        d = yaml.safe_load(Path(f).read_text(encoding="utf-8"))
        muni, v = d["municipality"], d["vars"]
        munis[muni["romaji"]] = muni
        v = dict(v, muni=muni["name"])
        sibs = [(p["slug"], p["title"]) for p in d["pages"]]
        for i, p in enumerate(d["pages"]):
            topic = topics.get(p.get("topic")) if p.get("topic") else None
            p["category"] = p.get("category") or (topic["category"] if topic else "くらし・手続き")
            parts = []
            if p.get("note"):
                parts.append(f"<!-- source note: {p['note'].replace('--', '-')} -->")
            for sec in p.get("local", []) or []:
                parts.append(render_section(sec, v))
            if topic:
                for sec in topic["sections"]:
                    parts.append(render_section(sec, v))
            if i % 3 == 0:
                parts.append(pdf_links(p["title"]))
            window = {
                "pregnancy": v["w_hoken"],
                "birth": v["w_koseki"],
                "marriage": v["w_koseki"],
                "death": v["w_koseki"],
                "funeral": v["w_kokuho"],
                "job-loss": v["w_kokuho"],
                "care": v["w_kaigo"],
                "turning-65-75": v["w_kaigo"],
            }.get(p.get("topic") or "")
            if window is None:  # pages without a topic: the window of their category
                window = v[WINDOW_OF_CATEGORY.get(p["category"], "w_jumin")]
            prov = classify(p["url"])
            parts.append(contact_box(muni, window, own_page(prov, muni)))
            enc = p.get("encoding", muni.get("encoding", "utf-8"))
            m2 = dict(muni, encoding=enc)
            write(
                ROOT / muni["romaji"] / f"{p['slug']}.html",
                page_html(p, m2, prov, "\n".join(parts), sibs),
                enc,
            )
            counts[(muni["romaji"], enc)] = counts.get((muni["romaji"], enc), 0) + 1
            built.append(p["url"])
    # pages restating catalog-cited pages
    cat_pages = yaml.safe_load((SRC / "catalog_pages.yaml").read_text(encoding="utf-8"))
    by_folder: dict[str, list] = {}
    for cp in cat_pages:
        by_folder.setdefault(cp["romaji"], []).append(cp)
    for folder, lst in by_folder.items():
        sibs = [(re.sub(r"[^a-z0-9-]", "", c["id"]), c["title"]) for c in lst]
        for j, cp in enumerate(lst):
            if folder in munis:
                muni = munis[folder]
            elif cp["code"]:
                name = cp["muni_name"]
                muni = {
                    "code": cp["code"],
                    "romaji": folder,
                    "name": name,
                    "site": f"{name}公式ホームページ",
                    "kind": "ward" if cp["code"] < "132000" else "city",
                    "address": f"東京都{name}",
                    "phone": "各担当窓口（本文参照）",
                    "style": "abcd"[(int(cp["code"]) // 7) % 4],
                    "encoding": "utf-8",
                    "copyright": f"Copyright © {name}. All rights reserved.",
                }
            else:
                muni = {
                    "code": None,
                    "romaji": "tokyo",
                    "name": "東京くらし手続きガイド",
                    "site": "東京くらし手続きガイド（都・国の制度）",
                    "kind": "tokyo",
                    "address": "都・国の制度の問い合わせ先は各ページの窓口欄をご覧ください",
                    "phone": "各制度の担当窓口",
                    "style": "b",
                    "encoding": "utf-8",
                    "copyright": "本ページは都・国の制度の公式ページをもとにした案内です。",
                }
            enc = "utf-8"
            if folder == "tokyo" and j in (3, 11):
                enc = "shift_jis"
            if folder == "tokyo" and j in (5, 17):
                enc = "euc-jp"
            prov = classify(cp["url"])
            page = {
                "url": cp["url"],
                "title": cp["title"],
                "page_date": cp["page_date"],
                "category": TOPIC_OF_FILE.get(cp["source_file"], "くらし・手続き"),
            }
            body = [
                f"<!-- source note: restates the page cited by catalog procedure {cp['id']} ({cp['source_file']}) -->",
                f"<h2>{E(cp['heading'])}</h2>",
            ]
            for sent in re.split(r"(?<=。)\s*", cp["summary"]):
                if sent.strip():
                    body.append(f"<p>{E(sent.strip())}</p>")
            rows = []
            if cp.get("who"):
                rows.append(("対象者", cp["who"]))
            if cp.get("deadline"):
                rows.append(("期限", cp["deadline"]))
            if cp.get("office"):
                rows.append(
                    (
                        "届出先・窓口",
                        cp["office"] if not muni.get("code") else f"{muni['name']}の{cp['office']}",
                    )
                )
            for lab, y, per in cp.get("amounts") or []:
                rows.append((lab, " ".join(x for x in (yen(y), per or "") if x)))
            if cp.get("legal_basis"):
                rows.append(("根拠", cp["legal_basis"]))
            if rows:
                body.append(
                    "<h2>手続きの概要</h2>"
                    + render_section({"h": "", "table": [list(r) for r in rows]}, {}).split("\n", 1)[1]
                )
            if cp.get("online"):
                body.append(
                    f"<h2>オンラインでの手続き</h2><p>{E(cp.get('online_note') or 'オンラインで申請できます。')}</p>"
                    f'<p><a href="{E(cp["online"])}">オンライン申請のページ（外部サイト）</a></p>'
                )
            if j % 4 == 1:
                body.append(pdf_links(cp["title"]))
            body.append(contact_box(muni, cp.get("office") or "担当窓口", own_page(prov, muni)))
            slug = re.sub(r"[^a-z0-9-]", "", cp["id"])
            m2 = dict(muni, encoding=enc)
            write(ROOT / folder / f"{slug}.html", page_html(page, m2, prov, "\n".join(body), sibs), enc)
            counts[(folder, enc)] = counts.get((folder, enc), 0) + 1
            built.append(cp["url"])
    # robustness test pages
    for sp in yaml.safe_load((SRC / "_special.yaml").read_text(encoding="utf-8")):
        muni = {
            "code": None,
            "romaji": "tokyo",
            "name": "テストページ",
            "site": "シードコーパス テストページ",
            "kind": "tokyo",
            "address": "（テスト用。実在しません）",
            "phone": "000-0000-0000",
            "style": "a",
            "encoding": "utf-8",
            "copyright": "test page",
        }
        page = {"url": sp["url"], "title": sp["title"], "page_date": sp["page_date"], "category": "テスト"}
        write(
            ROOT / "tokyo" / f"{sp['slug']}.html",
            page_html(page, muni, classify(sp["url"]), sp["body"], []),
            "utf-8",
        )
        counts[("tokyo", "utf-8")] = counts.get(("tokyo", "utf-8"), 0) + 1
        built.append(sp["url"])
    dup = {u for u in built if built.count(u) > 1}
    if dup:
        raise SystemExit(f"duplicate canonical URLs: {sorted(dup)}")
    return counts


if __name__ == "__main__":
    c = build()
    tot = sum(c.values())
    for k in sorted(c):
        print(f"{k[0]:12s} {k[1]:10s} {c[k]}")
    print("total", tot)
