"""Build the answer-evaluation pages (evals/answers/pages/*.html) from evals/answers/pages.yaml.

Run: /work/main/.venv/bin/python evals/answers/_build.py   (stdlib + PyYAML only)

Each entry of pages.yaml restates, in our own words, one real official page found in the stored public pages
(`search` corpus "pages"): its canonical URL, the publisher (the municipality, the Tokyo Metropolitan
Government or a national body), the page's own date when it states one, and the facts a resident asks about.
The HTML carries an honest header/footer naming the publisher, a <main> with headings, paragraphs, lists and
tables, and a <meta name="municipality-code"> taken from the catalog so ingest files the page under its
municipality (Tokyo-wide pages carry none).
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = HERE / "pages"
E = html.escape


def municipality_codes() -> dict[str, str]:
    data = yaml.safe_load((ROOT / "knowledge" / "data" / "municipalities.yaml").read_text(encoding="utf-8"))
    items = data.get("municipalities", data) if isinstance(data, dict) else data
    return {str(m["name"]): str(m["code"]) for m in items}


def jdate(iso: str) -> str:
    y, m, d = str(iso).split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def section(sec: dict) -> str:
    out = [f"<h2>{E(sec['h'])}</h2>"]
    out += [f"<p>{E(p)}</p>" for p in sec.get("p") or []]
    if sec.get("ul"):
        out.append("<ul>" + "".join(f"<li>{E(x)}</li>" for x in sec["ul"]) + "</ul>")
    if sec.get("table"):
        for r in sec["table"]:
            if len(r) != 2 or not all(isinstance(c, str) for c in r):
                raise SystemExit(f"table row must be two strings (quote cells with commas): {r!r}")
        rows = "".join(
            f'<tr><th scope="row">{E(r[0])}</th>' + "".join(f"<td>{E(c)}</td>" for c in r[1:]) + "</tr>"
            for r in sec["table"]
        )
        out.append(f'<table class="tbl"><tbody>{rows}</tbody></table>')
    return "\n".join(out)


def render(page: dict, codes: dict[str, str]) -> str:
    pub = page["publisher"]
    code = codes.get(pub)
    if pub not in codes and not page.get("wide"):
        raise SystemExit(f"{page['slug']}: publisher {pub!r} is not a catalog municipality (set wide: true)")
    site = page.get("site") or f"{pub}公式ホームページ"
    title = page["title"]
    code_meta = f'<meta name="municipality-code" content="{code}">\n' if code and not page.get("wide") else ""
    updated = f'<p class="update">更新日：{jdate(page["updated"])}</p>\n' if page.get("updated") else ""
    lead = "".join(f"<p>{E(p)}</p>\n" for p in page.get("lead") or [])
    body = "\n".join(section(s) for s in page.get("sections") or [])
    contact = ""
    if page.get("contact"):
        contact = (
            '\n<div class="contact"><h2>このページに関するお問い合わせ</h2>'
            + "".join(f"<p>{E(c)}</p>" for c in page["contact"])
            + "</div>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="ja">\n<head>\n<meta charset="UTF-8">\n'
        f"<title>{E(title)}｜{E(pub)}</title>\n"
        f'<link rel="canonical" href="{E(page["url"])}">\n{code_meta}'
        "</head>\n<body>\n"
        f'<header id="header"><p class="site-name">{E(site)}</p>'
        '<nav id="gnav"><ul><li><a href="/">トップページ</a></li><li><a href="/kurashi/">くらし・手続き</a></li>'
        '<li><a href="/kosodate/">子育て・教育</a></li><li><a href="/fukushi/">健康・福祉</a></li></ul></nav>'
        "</header>\n"
        f'<main id="main">\n<h1>{E(title)}</h1>\n{updated}{lead}{body}{contact}\n</main>\n'
        f'<footer id="footer"><p>発行：{E(pub)}</p>'
        f"<p>このページは{E(pub)}の公式ページ（{E(page['url'])}）の内容を評価用に要約したものです。</p></footer>\n"
        "</body>\n</html>\n"
    )


def main() -> int:
    pages = yaml.safe_load((HERE / "pages.yaml").read_text(encoding="utf-8"))
    codes = municipality_codes()
    OUT.mkdir(exist_ok=True)
    seen: set[str] = set()
    for page in pages:
        slug = page["slug"]
        if slug in seen:
            raise SystemExit(f"duplicate slug {slug}")
        seen.add(slug)
        (OUT / f"{slug}.html").write_text(render(page, codes), encoding="utf-8")
    for stale in OUT.glob("*.html"):
        if stale.stem not in seen:
            stale.unlink()
    print(f"{len(seen)} pages written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
