"""What the editor console reads and writes: ingest run records, catalog facts to review, re-verification
records, the audit log of editor actions, the coverage matrix and the latest evaluation report.

Files (all under ``settings.data_dir``): ``index/runs/*.json`` (written by ingest), ``editor/reverified.json``,
``editor/audit.jsonl`` (or the PostgreSQL ``audit_log`` table by session URL: ``web.state``), ``eval/report.json``
(written by ``concierge eval --out``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.catalog import Catalog
from knowledge.check import OVERRIDE_FACTS
from knowledge.settings import Settings
from web.state import open_audit_log

log = logging.getLogger(__name__)
audit_log = logging.getLogger("concierge.editor.audit")

PAGE_LISTS = ("added", "changed", "removed", "failed")
OVERRIDE_NAMES = {
    "nhi-funeral": "国保 葬祭費",
    "late-elderly-funeral": "後期高齢 葬祭費",
    "support-centre-name": "包括支援センター名",
    "child-program": "独自の子育て制度",
}


JST = dt.timezone(dt.timedelta(hours=9), "JST")
AUDIT_FIELDS = ("at", "who", "role", "ip", "action", "detail")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def now_jst() -> str:
    return dt.datetime.now(JST).isoformat(timespec="seconds")


def to_jst(stamp: str) -> str:
    """'2026-12-07T01:02:03+00:00' -> '2026-12-07 10:02 JST' (unparseable text is returned as it is)."""
    try:
        t = dt.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(JST).strftime("%Y-%m-%d %H:%M JST")


def _count(value: Any) -> int:
    if isinstance(value, list):
        return len(value)
    return value if isinstance(value, int) else 0


@dataclass
class RunView:
    run_id: str
    started: str
    finished: str
    status: str
    sources: list[str]
    counts: dict[str, int]
    pages: dict[str, list[dict[str, Any]]]
    pages_total: int
    chunks_total: int
    error: str
    facts_to_review: list[dict[str, Any]] = field(default_factory=list)
    duration_s: float = 0.0


@dataclass
class ReviewItem:
    fact: str
    url: str
    title: str
    verified: str
    reason: str
    run_id: str
    flagged_at: str


@dataclass
class CoverageMatrix:
    override_columns: list[str]
    events: list[tuple[str, str]]  # (id, name)
    rows: list[
        dict[str, Any]
    ]  # code, name, overrides: ['official' | 'unofficial' | None], events: [(base, local)]


def _norm(url: str) -> str:
    from knowledge.urls import page_key

    return page_key(url)


def _same_url(a: str, b: str) -> bool:
    from knowledge.urls import page_key

    return page_key(a) == page_key(b)


def _entry(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return item
    return {"location": str(item), "url": str(item)}


class Editorial:
    def __init__(self, settings: Settings, catalog: Catalog) -> None:
        self.settings = settings
        self.catalog = catalog
        self.folder = settings.data_dir / "editor"
        self.audit_log = open_audit_log(settings)  # editor/audit.jsonl, or PostgreSQL by session URL
        self._lock = threading.Lock()

    # ---- ingest runs --------------------------------------------------------------------------------------
    @property
    def runs_dir(self) -> Path:
        return self.settings.index_dir / "runs"

    def runs(self, limit: int = 30) -> list[RunView]:
        """Run records, newest first (run ids sort by start time); unreadable records are skipped and logged."""
        from ingest.records import read_runs

        out = []
        for path, rec in read_runs(self.settings.index_dir, limit):
            pages = {k: [_entry(x) for x in rec.get(k) or [] if x] for k in PAGE_LISTS}
            counts = {k: _count(rec.get(k)) for k in (*PAGE_LISTS, "unchanged")}
            out.append(
                RunView(
                    run_id=str(rec.get("run_id") or path.stem),
                    started=str(rec.get("started") or ""),
                    finished=str(rec.get("finished") or ""),
                    status=str(rec.get("status") or "unknown"),
                    sources=[str(s) for s in rec.get("sources") or []],
                    counts=counts,
                    pages=pages,
                    pages_total=int(rec.get("pages_total") or 0),
                    chunks_total=int(rec.get("chunks_total") or 0),
                    error=str(rec.get("error") or ""),
                    facts_to_review=[f for f in rec.get("facts_to_review") or [] if isinstance(f, dict)],
                    duration_s=float((rec.get("timings_s") or {}).get("total") or 0.0),
                )
            )
        return out

    def run(self, run_id: str) -> RunView | None:
        return next((r for r in self.runs(limit=200) if r.run_id == run_id), None)

    def page_diff(self, run_id: str, index: int) -> dict[str, Any] | None:
        """The stored old and new text of the run's ``index``-th changed page, side by side (line pairs)."""
        import difflib

        from ingest.pipeline import PageTexts

        run = self.run(run_id)
        if run is None or not 0 <= index < len(run.pages["changed"]):
            return None
        page = run.pages["changed"][index]
        texts = PageTexts(self.settings.index_dir)
        old = (
            texts.load(str(page.get("url", "")), str(page.get("old_hash", "")))
            if page.get("old_hash")
            else None
        )
        new = (
            texts.load(str(page.get("url", "")), str(page.get("new_hash", "")))
            if page.get("new_hash")
            else None
        )
        rows: list[tuple[str, str, str]] = []  # (tag, old line, new line)
        if old is not None and new is not None:
            a, b = old.splitlines(), new.splitlines()
            for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
                left, right = a[i1:i2], b[j1:j2]
                for k in range(max(len(left), len(right))):
                    rows.append((tag, left[k] if k < len(left) else "", right[k] if k < len(right) else ""))
        facts = [
            f for f in run.facts_to_review if f.get("url") and _same_url(str(f["url"]), str(page.get("url")))
        ]
        return {
            "run": run,
            "page": page,
            "index": index,
            "rows": rows,
            "available": bool(rows),
            "facts": facts,
        }

    # ---- facts to review ----------------------------------------------------------------------------------
    @property
    def reverified_path(self) -> Path:
        return self.folder / "reverified.json"

    def reverified(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.reverified_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as err:
            log.warning("unreadable %s: %s", self.reverified_path, err)
            return {}
        return data if isinstance(data, dict) else {}

    @property
    def todos_path(self) -> Path:
        return self.folder / "todos.json"

    def todos(self) -> list[dict[str, str]]:
        """Catalog edits an editor said are needed (newest first)."""
        try:
            data = json.loads(self.todos_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as err:
            log.warning("unreadable %s: %s", self.todos_path, err)
            return []
        return [t for t in data if isinstance(t, dict)][::-1] if isinstance(data, list) else []

    def add_todo(
        self, fact: str, url: str, who: str, *, note: str = "", role: str = "", ip: str = ""
    ) -> dict[str, str]:
        """Record that ``fact`` needs a catalog edit (a to-do); it leaves the review list; audited."""
        with self._lock:
            data = self.todos()[::-1]
            todo = {"fact": fact, "url": url, "who": who, "at": _now(), "note": note, "status": "open"}
            data.append(todo)
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.todos_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, self.todos_path)
        self.audit(
            who,
            "edit_needed",
            {"fact": fact, "url": url, **({"note": note} if note else {})},
            role=role,
            ip=ip,
        )
        return todo

    def review_items(self) -> list[dict[str, Any]]:
        """The review list for the console: each fact in words, its current value, a Japanese reason and a link to
        the diff of its cited page in the run that flagged it."""
        from web.review import describe, reason_ja

        out = []
        diffs: dict[str, dict[str, int]] = {}
        for item in self.to_review():
            if item.run_id not in diffs:
                run = self.run(item.run_id)
                diffs[item.run_id] = (
                    {_norm(str(p.get("url", ""))): i for i, p in enumerate(run.pages["changed"])}
                    if run
                    else {}
                )
            index = diffs[item.run_id].get(_norm(item.url))
            words, value = describe(self.catalog, item.fact)
            out.append(
                {
                    **item.__dict__,
                    "words": words,
                    "value": value,
                    "reason_ja": reason_ja(item.reason),
                    "diff_url": f"/editor/runs/{item.run_id}/diff/{index}" if index is not None else "",
                }
            )
        return out

    def to_review(self) -> list[ReviewItem]:
        """Facts whose source page changed in a run after their last re-verification (newest flag wins);
        facts an editor sent to the to-do list since are left out."""
        done = dict(self.reverified())
        for t in self.todos():
            key = f"{t.get('fact', '')}|{t.get('url', '')}"
            if t.get("at", "") > done.get(key, {}).get("at", ""):
                done[key] = t
        seen: set[str] = set()
        out = []
        for run in self.runs(limit=200):
            flagged_at = run.finished or run.started
            for f in run.facts_to_review:
                key = f"{f.get('fact', '')}|{f.get('url', '')}"
                if key in seen:
                    continue
                seen.add(key)
                rec = done.get(key)
                if rec and rec.get("at", "") >= flagged_at:
                    continue
                out.append(
                    ReviewItem(
                        fact=str(f.get("fact", "")),
                        url=str(f.get("url", "")),
                        title=str(f.get("title", "")),
                        verified=str(f.get("verified", "")),
                        reason=str(f.get("reason", "")),
                        run_id=run.run_id,
                        flagged_at=flagged_at,
                    )
                )
        return out

    def mark_reverified(
        self, fact: str, url: str, who: str, *, role: str = "", ip: str = "", note: str = ""
    ) -> dict[str, str]:
        """Record that ``who`` re-checked ``fact`` against ``url`` now (atomic write), with an optional note."""
        with self._lock:
            data = self.reverified()
            rec = {"fact": fact, "url": url, "who": who, "at": _now(), **({"note": note} if note else {})}
            data[f"{fact}|{url}"] = rec
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.reverified_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, self.reverified_path)
        self.audit(
            who, "reverify", {"fact": fact, "url": url, **({"note": note} if note else {})}, role=role, ip=ip
        )
        return rec

    # ---- audit --------------------------------------------------------------------------------------------
    @property
    def audit_path(self) -> Path:
        return self.folder / "audit.jsonl"

    def audit(
        self, who: str, action: str, detail: dict[str, Any] | None = None, *, role: str = "", ip: str = ""
    ) -> None:
        """Append who (user, role, IP) did what when (JST), also to the log; never a password or token."""
        entry = {
            "at": now_jst(),
            "who": who,
            "role": role,
            "ip": ip,
            "action": action,
            **({"detail": detail} if detail else {}),
        }
        audit_log.info(
            "editor %s by %s at %s %s", action, who, entry["at"], json.dumps(detail or {}, ensure_ascii=False)
        )
        self.audit_log.append(entry)

    def audit_entries(
        self, who: str = "", action: str = "", since: str = "", until: str = "", limit: int = 0
    ) -> list[dict[str, Any]]:
        """Audit entries, newest first, filtered by user (substring), action and JST dates (YYYY-MM-DD)."""
        return self.audit_log.entries(who, action, since, until, limit)

    def audit_tail(self, n: int = 20) -> list[dict[str, Any]]:
        return self.audit_entries(limit=n)

    def audit_csv(self, entries: list[dict[str, Any]]) -> str:
        import csv
        import io

        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["日時(JST)", "ユーザー", "役割", "IP", "操作", "詳細"])
        for e in entries:
            detail = e.get("detail")
            w.writerow(
                [
                    to_jst(str(e.get("at", ""))),
                    e.get("who", ""),
                    e.get("role", ""),
                    e.get("ip", ""),
                    e.get("action", ""),
                    json.dumps(detail, ensure_ascii=False) if detail else "",
                ]
            )
        return buf.getvalue()

    # ---- coverage and evaluation --------------------------------------------------------------------------
    def coverage(self) -> CoverageMatrix:
        """The data of ``knowledge.check.coverage_report`` as a matrix: overrides present, procedures per event."""
        cat = self.catalog
        events = sorted(cat.events)
        rows = []
        for code in sorted(cat.municipalities):
            m = cat.municipalities[code]
            ov = cat.overrides.get(code)
            cells = []
            for ev in events:
                local = sum(1 for p in cat.programs(code) if ev in p.events)
                cells.append((len(cat.events[ev].procedures), local))
            rows.append(
                {
                    "code": code,
                    "name": m.name,
                    "kind": m.kind,
                    "overrides": [
                        self._override_state(ov, name) if ov and check(ov) else None
                        for name, check in OVERRIDE_FACTS.items()
                    ],
                    "events": cells,
                }
            )
        return CoverageMatrix(
            override_columns=[OVERRIDE_NAMES.get(k, k) for k in OVERRIDE_FACTS],
            events=[(e, cat.events[e].name.ja) for e in events],
            rows=rows,
        )

    def _override_state(self, ov: Any, name: str) -> str:
        """'official' when every source of that local fact is an official page, else 'unofficial'."""
        sources: list[Any] = []
        if name in ("nhi-funeral", "late-elderly-funeral"):
            patch = ov.procedures.get(
                "nhi-funeral-benefit" if name == "nhi-funeral" else "late-elderly-funeral-benefit"
            )
            if patch is not None:
                sources = [*patch.sources, *(s for a in patch.amounts or [] for s in a.sources)]
        elif name == "support-centre-name":
            local = ov.local_names.get("community-support-center")
            sources = list(local.sources) if local else []
        else:
            sources = [s for prog in ov.programs for s in prog.sources]
        provs = [self.catalog.provenance(s.url) for s in sources]
        return "official" if provs and all(p is not None and p.official for p in provs) else "unofficial"

    @property
    def eval_path(self) -> Path:
        return self.settings.data_dir / "eval" / "report.json"

    def eval_report(self) -> dict[str, Any] | None:
        """The latest ``concierge eval`` report, or None when there is none (or it is unreadable, logged)."""
        try:
            data = json.loads(self.eval_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as err:
            log.warning("unreadable evaluation report %s: %s", self.eval_path, err)
            return None
        return data if isinstance(data, dict) else None
