"""`concierge knowledge check` and the coverage report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from knowledge.catalog import Catalog, default_catalog
from knowledge.models import Condition, LifeEvent, Procedure, Source

EXPECTED_KINDS = {"ward": 23, "city": 26, "town": 5, "village": 8}
# Minimum coverage promised by the catalog issue.
MIN_EVENTS = 14
MIN_PROCEDURES = 80


def is_official(url: str, cat: Catalog | None = None) -> bool:
    """True only for the official kinds (municipal, metropolitan, national, public body): see publishers.yaml."""
    prov = (cat or default_catalog()).provenance(url)
    return bool(prov and prov.official)


@dataclass
class CheckReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _condition_problems(cond: Condition | None, where: str, cat: Catalog) -> list[str]:
    if cond is None:
        return []
    return [f"{where}: condition uses unknown fact {f!r}" for f in sorted(cond.facts() - set(cat.facts))]


def _procedure_problems(p: Procedure, where: str, cat: Catalog) -> list[str]:
    out = []
    if not p.sources:
        out.append(f"{where}: no sources")
    if p.office not in cat.offices:
        out.append(f"{where}: unknown office {p.office!r}")
    for d in p.documents:
        if d not in cat.documents:
            out.append(f"{where}: unknown document {d!r}")
    for rule_name in ("deadline", "opens"):
        rule = getattr(p, rule_name)
        if rule is not None and not (rule.sources or p.sources):
            out.append(f"{where}.{rule_name}: no sources")
    if p.deadline is not None and not p.deadline.sources:
        out.append(f"{where}.deadline: no sources")
    for a in p.amounts:
        if not a.sources:
            out.append(f"{where}.amount {a.label.ja}: no sources")
    out += _condition_problems(p.conditions, where, cat)
    return out


def check_catalog(cat: Catalog, *, strict_counts: bool = True) -> CheckReport:
    """Schema, references between ids, sources on every fact, all 62 municipalities, no duplicates."""
    rep = CheckReport()
    rep.errors += cat.load_errors + cat.duplicates
    rep.errors += _municipality_problems(cat)
    rep.errors += _calendar_and_office_problems(cat)
    for p in cat.procedures.values():
        rep.errors += _procedure_problems(p, f"procedure {p.id}", cat)
    for e in cat.events.values():
        errors, warnings = _event_problems(e, cat)
        rep.errors += errors
        rep.warnings += warnings
    rep.errors += _override_problems(cat)
    errors, warnings = _source_problems(cat)
    rep.errors += errors
    rep.warnings += warnings
    if strict_counts:
        rep.errors += _coverage_problems(cat)
    return rep


def _municipality_problems(cat: Catalog) -> list[str]:
    """All 62 municipalities by kind, each sourced and with a Tokyo code."""
    out: list[str] = []
    kinds: Counter[str] = Counter(str(m.kind) for m in cat.municipalities.values())
    for kind, n in EXPECTED_KINDS.items():
        if kinds.get(kind, 0) != n:
            out.append(f"municipalities: expected {n} of kind {kind}, found {kinds.get(kind, 0)}")
    for m in cat.municipalities.values():
        if not m.sources:
            out.append(f"municipality {m.code} {m.name}: no sources")
        if not m.code.startswith("13"):
            out.append(f"municipality {m.code} {m.name}: not a Tokyo code")
    return out


def _calendar_and_office_problems(cat: Catalog) -> list[str]:
    out: list[str] = []
    if cat.calendar is None:
        out.append("calendar.yaml: missing (closed days of municipal windows)")
    elif not cat.calendar.sources:
        out.append("calendar.yaml: no sources")
    for o in cat.offices.values():
        if o.kind == "online" and not (o.url and o.sources):
            out.append(f"office {o.id}: an online service needs url and sources")
    return out


def _event_problems(e: LifeEvent, cat: Catalog) -> tuple[list[str], list[str]]:
    """(errors, warnings) of one life event: its questions, procedures, their order and conditions, milestones."""
    errors: list[str] = []
    where = f"event {e.id}"
    for q in e.questions:
        if q not in cat.facts:
            errors.append(f"{where}: question uses unknown fact {q!r}")
    ids = [ep.id for ep in e.procedures]
    for dup, n in Counter(ids).items():
        if n > 1:
            errors.append(f"{where}: procedure {dup!r} listed {n} times")
    for ep in e.procedures:
        if ep.id not in cat.procedures:
            errors.append(f"{where}: unknown procedure {ep.id!r}")
        for a in ep.after:
            if a not in ids:
                errors.append(f"{where}: {ep.id} depends on {a!r}, which the event does not list")
        errors += _condition_problems(ep.when, f"{where}.{ep.id}", cat)
    for ms in e.milestones:
        if not ms.sources:
            errors.append(f"{where}.milestone {ms.id}: no sources")
        target = cat.procedures.get(ms.deadline_of) if ms.deadline_of else None
        if ms.deadline_of and (target is None or target.deadline is None):
            errors.append(f"{where}.milestone {ms.id}: deadline_of {ms.deadline_of!r} has no deadline")
    if not e.procedures:
        errors.append(f"{where}: triggers no procedures")
    warnings = [] if e.synonyms.ja else [f"{where}: no Japanese synonyms"]
    return errors, warnings


def _override_problems(cat: Catalog) -> list[str]:
    """Per-municipality overrides: known ids, sources on every patch, local name and program."""
    out: list[str] = []
    seen_programs: set[str] = set()
    for code, ov in cat.overrides.items():
        where = f"override {code}"
        if code not in cat.municipalities:
            out.append(f"{where}: unknown municipality")
        for pid, patch in ov.procedures.items():
            if pid not in cat.procedures:
                out.append(f"{where}: patches unknown procedure {pid!r}")
            has_source = bool(patch.sources) or all(a.sources for a in patch.amounts or [])
            if not has_source or (patch.amounts is not None and not all(a.sources for a in patch.amounts)):
                out.append(f"{where}.{pid}: no sources")
            for d in patch.documents or []:
                if d not in cat.documents:
                    out.append(f"{where}.{pid}: unknown document {d!r}")
        for key, local in {**ov.windows, **ov.local_names}.items():
            if key not in cat.offices:
                out.append(f"{where}: local name for unknown office {key!r}")
            if not local.sources:
                out.append(f"{where}.{key}: no sources")
        for prog in ov.programs:
            out += _program_problems(prog, f"{where}.program {prog.id}", cat, seen_programs)
    return out


def _program_problems(prog: Procedure, where: str, cat: Catalog, seen: set[str]) -> list[str]:
    """A municipality's own program: a unique id, a valid procedure, known life events (``seen`` collects ids)."""
    out: list[str] = []
    if prog.id in cat.procedures or prog.id in seen:
        out.append(f"{where}: id collides with another procedure")
    seen.add(prog.id)
    out += _procedure_problems(prog, where, cat)
    if not prog.events:
        out.append(f"{where}: names no life events")
    for ev in prog.events:
        if ev not in cat.events:
            out.append(f"{where}: unknown life event {ev!r}")
    return out


def _source_problems(cat: Catalog) -> tuple[list[str], list[str]]:
    """(errors, warnings): cited hosts without a publisher; entries citing a non-official source."""
    errors: list[str] = []
    warnings: list[str] = []
    undecided = cat.publishers.unknown_hosts(src.url for _, src in cat.iter_sources())
    if undecided:
        errors.append(
            f"{len(undecided)} cited hosts have no publisher in publishers.yaml (classify each once): "
            + ", ".join(undecided)
        )
    unofficial = sorted(
        {path.split(".")[0] for path, src in cat.iter_sources() if not is_official(src.url, cat)}
    )
    if unofficial:
        warnings.append(
            f"{len(unofficial)} catalog entries cite a non-official source (replace when an official page is found): "
            + ", ".join(unofficial[:12])
            + (" …" if len(unofficial) > 12 else "")
        )
    return errors, warnings


def _coverage_problems(cat: Catalog) -> list[str]:
    out: list[str] = []
    if len(cat.events) < MIN_EVENTS:
        out.append(f"coverage: {len(cat.events)} life events, at least {MIN_EVENTS} expected")
    n_procs = len(cat.all_procedure_ids())
    if n_procs < MIN_PROCEDURES:
        out.append(f"coverage: {n_procs} procedures, at least {MIN_PROCEDURES} expected")
    return out


OVERRIDE_FACTS = {
    "nhi-funeral": lambda ov: "nhi-funeral-benefit" in ov.procedures,
    "late-elderly-funeral": lambda ov: "late-elderly-funeral-benefit" in ov.procedures,
    "support-centre-name": lambda ov: "community-support-center" in ov.local_names,
    "child-program": lambda ov: any({"birth", "pregnancy"} & set(p.events) for p in ov.programs),
}


FACT_KINDS = ("deadlines", "amounts", "windows / offices", "local names", "documents / procedure sources")


def official_coverage(cat: Catalog) -> dict[str, tuple[int, int]]:
    """Per kind of fact: (facts resting on at least one official source, facts). Official = municipal, metropolitan,
    national or public body (publishers.yaml); a stored copy or a private site alone does not count.

    Also ``local amounts`` (amounts in overrides: patches and local programmes) and ``葬祭費 amounts`` (the funeral
    benefit amounts of the national-health-insurance and late-elderly schemes, baseline and overrides).
    Entries without any source (generic office and document descriptions) are not counted as facts.
    """
    facts: dict[str, list[list[Source]]] = {k: [] for k in (*FACT_KINDS, "local amounts", "葬祭費 amounts")}
    funeral = {"nhi-funeral-benefit", "late-elderly-funeral-benefit"}

    def procedure(p: Procedure, local: bool) -> None:
        facts["documents / procedure sources"].append(p.sources)
        if p.deadline is not None:
            facts["deadlines"].append(p.deadline.sources or p.sources)
        for a in p.amounts:
            facts["amounts"].append(a.sources)
            if local:
                facts["local amounts"].append(a.sources)
            if p.id in funeral:
                facts["葬祭費 amounts"].append(a.sources)

    for p in cat.procedures.values():
        procedure(p, local=False)
    for d in cat.documents.values():
        facts["documents / procedure sources"].append(d.sources)
    for o in cat.offices.values():
        facts["windows / offices"].append(o.sources)
    for m in cat.municipalities.values():
        for entry in m.offices:
            facts["windows / offices"].append(entry.sources)
    for ov in cat.overrides.values():
        for local in ov.windows.values():
            facts["windows / offices"].append(local.sources)
        for local in ov.local_names.values():
            facts["local names"].append(local.sources)
        for pid, patch in ov.procedures.items():
            if patch.sources and (
                patch.documents is not None or patch.summary or patch.online or patch.office_name
            ):
                facts["documents / procedure sources"].append(patch.sources)
            for a in patch.amounts or []:
                for key in ("amounts", "local amounts"):
                    facts[key].append(a.sources)
                if pid in funeral:
                    facts["葬祭費 amounts"].append(a.sources)
        for prog in ov.programs:
            procedure(prog, local=True)
    return {
        kind: (
            sum(1 for srcs in lists if any(is_official(s.url, cat) for s in srcs)),
            sum(1 for srcs in lists if srcs),
        )
        for kind, lists in facts.items()
    }


def coverage_report(cat: Catalog) -> str:
    """A text table: counts, then municipality x (overrides present, local programs per life event)."""
    kinds: Counter[str] = Counter(str(m.kind) for m in cat.municipalities.values())
    munis = list(cat.municipalities.values())
    field_counts = [
        ("website", sum(1 for m in munis if m.website)),
        ("phone", sum(1 for m in munis if m.phone)),
        ("registration window", sum(1 for m in munis if m.offices)),
    ]
    override_counts = []
    for name, check in OVERRIDE_FACTS.items():
        have = [m.kind for m in munis if (ov := cat.overrides.get(m.code)) and check(ov)]
        override_counts.append((name, have.count("ward"), have.count("city")))
    lines = [
        f"catalog version {cat.version}",
        f"life events: {len(cat.events)}  procedures: {len(cat.all_procedure_ids())} "
        f"(baseline {len(cat.procedures)})  offices: {len(cat.offices)}  documents: {len(cat.documents)}",
        "municipalities: "
        + ", ".join(f"{k} {kinds.get(k, 0)}/{n}" for k, n in EXPECTED_KINDS.items())
        + f"  overrides: {len(cat.overrides)}",
        f"sourced facts: {sum(1 for _ in cat.iter_sources())}",
        "municipality fields: "
        + "  ".join(f"{name} {n}/{len(cat.municipalities)}" for name, n in field_counts),
        "overrides (wards / cities): "
        + "  ".join(
            f"{name} {wards}/{EXPECTED_KINDS['ward']} / {cities}" for name, wards, cities in override_counts
        ),
        "resting on at least one official source: "
        + "  ".join(f"{kind} {n}/{total}" for kind, (n, total) in official_coverage(cat).items()),
        "",
    ]
    events = sorted(cat.events)
    head = ["code", "name", "website", "phone", "window", *OVERRIDE_FACTS, *events]
    lines.append("\t".join(head))
    for code in sorted(cat.municipalities):
        m = cat.municipalities[code]
        ov = cat.overrides.get(code)
        cells = [code, m.name, *("y" if x else "-" for x in (m.website, m.phone, m.offices))]
        cells += ["y" if ov and check(ov) else "-" for check in OVERRIDE_FACTS.values()]
        for ev in events:
            base = len(cat.events[ev].procedures)
            local = sum(1 for p in cat.programs(code) if ev in p.events)
            cells.append(f"{base}+{local}" if local else str(base))
        lines.append("\t".join(cells))
    return "\n".join(lines)
