"""One-off helper: writes seeds/_src/catalog_pages.yaml from the curated catalog.

Each catalog procedure cites real pages; for every cited page not already restated by a hand-written
seed page we emit one seed page restating the catalog's facts (own words) with that page as canonical.
Municipal hosts go to seeds/<romaji>/, everything else to seeds/tokyo/. Re-run only when the catalog
grows; the output is reviewed data, the builder (_build.py) does not read the catalog.
"""

import glob
import re
from pathlib import Path
from urllib.parse import urlparse

import yaml

ROOT = Path(__file__).resolve().parent
DATA = ROOT.parent / "knowledge" / "data"
ROMAJI = {
    "131016": "chiyoda",
    "131024": "chuo",
    "131032": "minato",
    "131041": "shinjuku",
    "131059": "bunkyo",
    "131067": "taito",
    "131075": "sumida",
    "131083": "koto",
    "131091": "shinagawa",
    "131105": "meguro",
    "131113": "ota",
    "131121": "setagaya",
    "131130": "shibuya",
    "131148": "nakano",
    "131156": "suginami",
    "131164": "toshima",
    "131172": "kita",
    "131181": "arakawa",
    "131199": "itabashi",
    "131202": "nerima",
    "131211": "adachi",
    "131229": "katsushika",
    "131237": "edogawa",
    "132012": "hachioji",
    "132021": "tachikawa",
    "132039": "musashino",
    "132047": "mitaka",
    "132055": "ome",
    "132063": "fuchu",
    "132071": "akishima",
    "132080": "chofu",
    "132098": "machida",
    "132101": "koganei",
    "132110": "kodaira",
    "132128": "hino",
    "132136": "higashimurayama",
    "132144": "kokubunji",
    "132152": "kunitachi",
    "132187": "fussa",
    "132195": "komae",
    "132209": "higashiyamato",
    "132217": "kiyose",
    "132225": "higashikurume",
    "132233": "musashimurayama",
    "132241": "tama",
    "132250": "inagi",
    "132276": "hamura",
    "132284": "akiruno",
    "132292": "nishitokyo",
    "133035": "mizuho",
    "133051": "hinode",
    "133078": "hinohara",
    "133086": "okutama",
    "133612": "oshima",
    "133647": "niijima",
    "133817": "miyake",
}
HOSTKEYS = {
    "chiyoda": "131016",
    "city.chuo.lg": "131024",
    "minato": "131032",
    "shinjuku": "131041",
    "bunkyo": "131059",
    "taito": "131067",
    "sumida": "131075",
    "city.koto": "131083",
    "shinagawa": "131091",
    "meguro": "131105",
    "city.ota": "131113",
    "setagaya": "131121",
    "shibuya": "131130",
    "nakano": "131148",
    "suginami": "131156",
    "toshima": "131164",
    "city.kita": "131172",
    "arakawa": "131181",
    "itabashi": "131199",
    "nerima": "131202",
    "adachi": "131211",
    "katsushika": "131229",
    "edogawa": "131237",
    "hachioji": "132012",
    "tachikawa": "132021",
    "musashino": "132039",
    "mitaka": "132047",
    "city.fuchu.tokyo": "132063",
    "chofu": "132080",
    "machida": "132098",
    "koganei": "132101",
    "kodaira": "132110",
    "higashimurayama": "132136",
    "kokubunji": "132144",
    "komae": "132195",
    "higashiyamato": "132209",
    "akiruno": "132284",
    "nishitokyo": "132292",
    "town.mizuho": "133035",
    "hinohara": "133078",
    "town.miyake": "133817",
    "city.tama": "132241",
}
OFFICE_JA = {}


def muni_of(url):
    host = urlparse(url).netloc + urlparse(url).path[:60]
    if "tokyo" not in host and ".lg.jp" not in host and "city-hc" not in host and "metro" not in host:
        return None
    if "metro.tokyo" in host:
        return None
    for k, c in HOSTKEYS.items():
        if k in host:
            return c
    return None


def main():
    used = set()
    for f in glob.glob(str(ROOT / "_src" / "pages" / "*.yaml")):
        for p in yaml.safe_load(Path(f).read_text(encoding="utf-8"))["pages"]:
            used.add(p["url"])
    for f in glob.glob(str(DATA / "offices" / "*.yaml")):
        for o in yaml.safe_load(Path(f).read_text(encoding="utf-8")) or []:
            OFFICE_JA[o["id"]] = o["name"]["ja"]
    munis = {m["code"]: m for m in yaml.safe_load((DATA / "municipalities.yaml").read_text(encoding="utf-8"))}
    out = []
    for f in sorted(glob.glob(str(DATA / "procedures" / "*.yaml"))):
        for p in yaml.safe_load(Path(f).read_text(encoding="utf-8")) or []:
            for s in p.get("sources") or []:
                url = s["url"]
                if url in used or not url.startswith("http"):
                    continue
                # skip sources outside Tokyo municipalities when a municipal-looking host is not Tokyo
                host = urlparse(url).netloc
                code = muni_of(url)
                if code is None and re.search(r"city\.|town\.|vill\.", host) and "metro" not in host:
                    continue  # another prefecture's municipality: not a Tokyo seed page
                used.add(url)
                page = {
                    "id": p["id"],
                    "url": url,
                    "title": s["title"].replace(" (heading not shown)", ""),
                    "page_date": s.get("page_date"),
                    "code": code,
                    "romaji": ROMAJI.get(code) if code else "tokyo",
                    "muni_name": munis[code]["name"] if code in munis else None,
                    "heading": p["title"]["ja"],
                    "summary": p["summary"]["ja"].strip(),
                    "who": (p.get("who") or {}).get("ja"),
                    "office": OFFICE_JA.get(p.get("office"), p.get("office")),
                    "deadline": ((p.get("deadline") or {}).get("text") or {}).get("ja"),
                    "amounts": [
                        [a["label"]["ja"], a.get("yen"), (a.get("per") or {}).get("ja")]
                        for a in p.get("amounts") or []
                    ],
                    "online": (p.get("online") or {}).get("url"),
                    "online_note": ((p.get("online") or {}).get("note") or {}).get("ja"),
                    "legal_basis": p.get("legal_basis"),
                    "source_file": Path(f).name,
                }
                out.append(page)
                break  # one seed page per procedure keeps the corpus balanced
    with open(ROOT / "_src" / "catalog_pages.yaml", "w", encoding="utf-8") as fh:
        fh.write(
            "# Generated by seeds/_gen_catalog_pages.py from knowledge/data/procedures (facts + own-words summaries).\n"
        )
        fh.write(
            "# One page per catalog procedure, restating the first cited page not already used by a hand-written seed.\n"
        )
        yaml.safe_dump(out, fh, allow_unicode=True, sort_keys=False, width=200)
    print(len(out), "pages;", sum(1 for o in out if o["code"]), "municipal")


if __name__ == "__main__":
    main()
