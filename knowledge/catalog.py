"""Load the curated catalog from YAML, layer municipal overrides over the Tokyo-wide baseline, validate it.

Example::

    >>> cat = load_catalog()
    >>> cat.municipality_by_name("世田谷区").code
    '131121'
    >>> cat.procedure("nhi-funeral-benefit", "131121").amounts[0].yen  # the ward's own amount
    70000
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.models import (
    Document,
    Fact,
    LifeEvent,
    Municipality,
    Office,
    OfficeCalendar,
    OfficeEntry,
    Override,
    Procedure,
    Source,
    Text,
)
from knowledge.provenance import DATA as PUBLISHERS
from knowledge.provenance import Provenance, Publishers

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).with_name("data")

# Generic office ids answered by a municipality's own window (municipalities.yaml `offices[].handles`).
REGISTRATION_HANDLES = {
    "municipal-resident-registration": "resident_registration",
    "municipal-family-register": "family_register",
}


class CatalogError(ValueError):
    """The catalog files cannot be read or do not match the schema; the message names the file."""


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError) as err:
        raise CatalogError(f"{path}: {err}") from None


def _load_list(paths: Iterable[Path], model: type[BaseModel], errors: list[str]) -> list[Any]:
    out = []
    for path in paths:
        data = _read_yaml(path) or []
        if isinstance(data, dict):
            data = [data]
        for i, item in enumerate(data):
            try:
                out.append(model.model_validate(item))
            except ValidationError as err:
                ident = item.get("id") or item.get("code") if isinstance(item, dict) else i
                for e in err.errors():
                    loc = ".".join(str(p) for p in e["loc"])
                    errors.append(f"{path.name}[{ident}].{loc}: {e['msg']}")
    return out


def _files(root: Path, name: str) -> list[Path]:
    """``root/name.yaml`` and every ``root/name/*.yaml``, sorted."""
    files = []
    single = root / f"{name}.yaml"
    if single.exists():
        files.append(single)
    folder = root / name
    if folder.is_dir():
        files += sorted(folder.glob("*.yaml"))
    return files


@dataclass
class Catalog:
    municipalities: dict[str, Municipality]
    offices: dict[str, Office]
    documents: dict[str, Document]
    facts: dict[str, Fact]
    procedures: dict[str, Procedure]
    events: dict[str, LifeEvent]
    overrides: dict[str, Override]
    calendar: OfficeCalendar | None = None
    load_errors: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    root: Path = DATA_DIR

    @cached_property
    def publishers(self) -> Publishers:
        """Who publishes each cited host (publishers.yaml + the 62 municipalities' own hosts)."""
        path = self.root / "publishers.yaml"
        return Publishers.load(path if path.exists() else PUBLISHERS, self.municipalities.values())

    def provenance(self, url: str) -> Provenance | None:
        return self.publishers.classify(url)

    # ---- look-ups -------------------------------------------------------------------------------------------
    def municipality_by_name(self, name: str) -> Municipality | None:
        for m in self.municipalities.values():
            if name in (m.name, m.kana, m.en, m.short_en, m.code):
                return m
        return None

    def programs(self, code: str | None) -> list[Procedure]:
        ov = self.overrides.get(code or "")
        return list(ov.programs) if ov else []

    def all_procedure_ids(self) -> set[str]:
        ids = set(self.procedures)
        for ov in self.overrides.values():
            ids |= {p.id for p in ov.programs}
        return ids

    def procedure(self, proc_id: str, code: str | None = None) -> Procedure:
        """The procedure as it applies in municipality ``code`` (override fields win only there)."""
        for prog in self.programs(code):
            if prog.id == proc_id:
                return prog.model_copy(update={"municipality": code})
        base = self.procedures.get(proc_id)
        if base is None:
            for ov in self.overrides.values():
                for prog in ov.programs:
                    if prog.id == proc_id:
                        return prog.model_copy(update={"municipality": ov.municipality})
            raise KeyError(proc_id)
        local = self.overrides.get(code or "")
        patch = local.procedures.get(proc_id) if local else None
        if patch is None:
            return base
        update: dict[str, Any] = {"municipality": code}
        for name in ("title", "summary", "amounts", "online", "documents"):
            value = getattr(patch, name)
            if value is not None:
                update[name] = value
        update["sources"] = [*patch.sources, *base.sources]
        return base.model_copy(update=update)

    def office_name(self, office_id: str, code: str | None = None) -> Text:
        """The office's name; for municipal windows the local name (and the municipality) when known."""
        office = self.offices.get(office_id)
        ov = self.overrides.get(code or "")
        if ov:
            local = ov.windows.get(office_id) or ov.local_names.get(office_id)
            if local:
                return local.name
        if office is None:
            return Text(ja=office_id, en=office_id)
        muni = self.municipalities.get(code or "")
        window = self.registration_window(office_id, code)
        if muni and window:
            en = (office.name.en or office.name.ja).split(" (")[0]
            return Text(ja=window.name, en=f"{muni.en}: {en} ({window.name})")
        if muni and office.kind in ("municipal", "health_center"):
            ja = office.name.ja.split("（")[0]
            en = (office.name.en or office.name.ja).split(" (")[0]
            return Text(ja=f"{muni.name} {ja}", en=f"{muni.en}: {en}")
        return office.name

    def registration_window(self, office_id: str, code: str | None) -> OfficeEntry | None:
        """The municipality's own window for the generic registration office id, when the catalog names one."""
        handle = REGISTRATION_HANDLES.get(office_id)
        muni = self.municipalities.get(code or "")
        if not handle or not muni:
            return None
        return next((o for o in muni.offices if handle in o.handles), None)

    def local_name_sources(self, office_id: str, code: str | None) -> list[Source]:
        ov = self.overrides.get(code or "")
        local = (ov.windows.get(office_id) or ov.local_names.get(office_id)) if ov else None
        if local:
            return list(local.sources)
        window = self.registration_window(office_id, code)
        return list(window.sources) if window else []

    def events_for_procedure(self, proc_id: str) -> list[str]:
        out = [e.id for e in self.events.values() if any(p.id == proc_id for p in e.procedures)]
        for ov in self.overrides.values():
            for prog in ov.programs:
                if prog.id == proc_id:
                    out += [e for e in prog.events if e not in out]
        return out

    def iter_sources(self) -> Iterator[tuple[str, Source]]:
        """(fact path, source) for every sourced fact, e.g. ('procedure:birth-registration.deadline', src)."""
        for s in self.calendar.sources if self.calendar else []:
            yield "calendar", s
        for m in self.municipalities.values():
            for s in m.sources:
                yield f"municipality:{m.code}", s
            for i, entry in enumerate(m.offices):
                for s in entry.sources:
                    yield f"municipality:{m.code}.office:{i}", s
        for o in self.offices.values():
            for s in o.sources:
                yield f"office:{o.id}", s
        for p in self.procedures.values():
            yield from _procedure_sources(p, f"procedure:{p.id}")
        for e in self.events.values():
            for ms in e.milestones:
                for s in ms.sources:
                    yield f"event:{e.id}.milestone:{ms.id}", s
        for code, ov in self.overrides.items():
            for key, local in {**ov.windows, **ov.local_names}.items():
                for s in local.sources:
                    yield f"override:{code}.{key}", s
            for pid, patch in ov.procedures.items():
                for s in patch.sources:
                    yield f"override:{code}.{pid}", s
                for a in patch.amounts or []:
                    for s in a.sources:
                        yield f"override:{code}.{pid}.amount", s
            for prog in ov.programs:
                yield from _procedure_sources(prog, f"override:{code}.program:{prog.id}")

    @property
    def version(self) -> str:
        """A short hash of the whole catalog content: changes whenever any fact changes."""
        return catalog_version(self)


def _procedure_sources(p: Procedure, path: str) -> Iterator[tuple[str, Source]]:
    for s in p.sources:
        yield path, s
    if p.deadline:
        for s in p.deadline.sources:
            yield f"{path}.deadline", s
    for a in p.amounts:
        for s in a.sources:
            yield f"{path}.amount", s


def catalog_version(cat: Catalog) -> str:
    h = hashlib.sha256()
    groups = (
        cat.municipalities,
        cat.offices,
        cat.documents,
        cat.procedures,
        cat.events,
        cat.overrides,
        cat.facts,
    )
    for group in groups:
        for key in sorted(group):
            h.update(
                json.dumps(group[key].model_dump(mode="json"), sort_keys=True, ensure_ascii=False).encode()
            )
    if cat.calendar is not None:  # closed days move deadlines
        h.update(
            json.dumps(cat.calendar.model_dump(mode="json"), sort_keys=True, ensure_ascii=False).encode()
        )
    return h.hexdigest()[:12]


def _index(items: list[Any], key: str, kind: str, dups: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        k = getattr(item, key)
        if k in out:
            dups.append(f"duplicate {kind} id {k!r}")
        out[k] = item
    return out


def _fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(root.rglob("*.yaml")) if p.is_file()
    )


_CACHE: dict[Path, tuple[tuple[tuple[str, int, int], ...], Catalog]] = {}


def load_catalog(root: Path | None = None) -> Catalog:
    """Read every YAML file of the catalog (cached per directory until a file changes).

    Schema errors are collected in ``load_errors`` (see ``check``).
    """
    root = (Path(root) if root else DATA_DIR).resolve()
    if not root.is_dir():
        raise CatalogError(f"catalog directory not found: {root}")
    fp = _fingerprint(root)
    cached = _CACHE.get(root)
    if cached and cached[0] == fp:
        return cached[1]
    cat = _load_catalog(root)
    _CACHE[root] = (fp, cat)
    return cat


def _load_catalog(root: Path) -> Catalog:
    if not root.is_dir():
        raise CatalogError(f"catalog directory not found: {root}")
    errors: list[str] = []
    dups: list[str] = []
    munis = _load_list(_files(root, "municipalities"), Municipality, errors)
    offices = _load_list(_files(root, "offices"), Office, errors)
    docs = _load_list(_files(root, "documents"), Document, errors)
    facts = _load_list(_files(root, "facts"), Fact, errors)
    procs = _load_list(_files(root, "procedures"), Procedure, errors)
    events = _load_list(_files(root, "events"), LifeEvent, errors)
    overrides = _load_list(_files(root, "overrides"), Override, errors)
    calendars = _load_list(_files(root, "calendar"), OfficeCalendar, errors)
    return Catalog(
        municipalities=_index(munis, "code", "municipality", dups),
        offices=_index(offices, "id", "office", dups),
        documents=_index(docs, "id", "document", dups),
        facts=_index(facts, "id", "fact", dups),
        procedures=_index(procs, "id", "procedure", dups),
        events=_index(events, "id", "event", dups),
        overrides=_index(overrides, "municipality", "override", dups),
        calendar=calendars[0] if calendars else None,
        load_errors=errors,
        duplicates=dups,
        root=root,
    )


@cache
def default_catalog() -> Catalog:
    """The packaged catalog, loaded once per process."""
    return load_catalog()
