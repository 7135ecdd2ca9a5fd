"""The lineage map (guidance/lineage.yaml): for each statement of a content version, what it
is in the version before it, so trends can be drawn across versions and a change of wording
is never passed off as a change in practice.

    v2:
      previous: v1
      statements:
        tillit-fast-veileder: same              # same id, same wording
        oppfolging-plan-sammen: reworded        # same id, new wording: not directly comparable
        arbeidsliv-praksis-start: {split-from: arbeidsliv-tidlig-praksis}
        oppfolging-digital: new
      retired:
        handlingsrom-tid: "Why it was taken out"

Every statement of the version must be listed, and every statement of the previous version
must be kept (same/reworded), split, or retired.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from app.content.loader import load_guidance
from app.content.schema import Guidance, Statement

Kind = Literal["same", "reworded", "split-from", "new"]
KINDS: tuple[Kind, ...] = ("same", "reworded", "split-from", "new")
FILE = "lineage.yaml"


@dataclass(frozen=True)
class Origin:
    kind: Kind
    previous: str | None  # the statement's id in the previous version (None when new)


@dataclass(frozen=True)
class Step:
    """From one content version to the next (meta versions, e.g. "2026.1" -> "2027.1")."""

    folder: str
    previous_folder: str
    version: str
    previous_version: str
    statements: dict[str, Origin]
    retired: dict[str, str]  # previous statement id -> why it was taken out


@dataclass(frozen=True)
class Traced:
    statement_id: str | None  # the id in the earlier version, None if it did not exist
    changed: bool  # reworded or split on the way: not directly comparable


@dataclass(frozen=True)
class Lineage:
    steps: tuple[Step, ...] = ()  # oldest first
    problems: tuple[str, ...] = field(default=())

    def _order(self, version: str) -> int | None:
        chain = [s.previous_version for s in self.steps[:1]] + [s.version for s in self.steps]
        return chain.index(version) if version in chain else None

    def trace(self, statement_id: str, later: str, earlier: str) -> Traced:
        """What a statement of version `later` is in version `earlier` (an older one)."""
        start, stop = self._order(later), self._order(earlier)
        if later == earlier or start is None or stop is None:
            return Traced(statement_id, False)  # unknown versions: ids are stable
        current: str | None = statement_id
        changed = False
        for step in reversed(self.steps[stop:start]):
            origin = step.statements.get(current or "")
            if current is None or origin is None:
                return Traced(None, changed)
            if origin.kind == "new":
                return Traced(None, changed)
            changed = changed or origin.kind != "same"
            current = origin.previous
        return Traced(current, changed)


def load_versions(root: Path) -> dict[str, Guidance]:
    """Every content version folder under guidance/ (v1, v2, …), loaded and validated."""
    folders = [p for p in root.iterdir() if p.is_dir() and re.fullmatch(r"v\d+", p.name)]
    return {p.name: load_guidance(p) for p in folders}


def load_lineage(root: Path, versions: dict[str, Guidance]) -> Lineage:
    """The lineage map under `root`, checked against the versions' content (folder -> content);
    an empty Lineage when there is only one version and no map."""
    path = root / FILE
    if not path.exists():
        missing = sorted(f for f in versions if f != _first(versions))
        return Lineage((), tuple(f"{path}: no entry for content version {f}" for f in missing))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        return Lineage((), (f"{path}: not valid YAML: {exc}",))
    if not isinstance(data, dict):
        return Lineage((), (f"{path}: expected a map of content versions (v2: …)",))
    problems: list[str] = []
    steps = []
    for folder in sorted(versions, key=_number):
        if folder == _first(versions):
            continue
        entry = data.get(folder)
        if not isinstance(entry, dict):
            problems.append(f"{path}: no entry for content version {folder}")
            continue
        step = _step(f"{path}: {folder}", folder, entry, versions, problems)
        if step is not None:
            steps.append(step)
    problems += [f"{path}: {k}: no such content version folder" for k in data if k not in versions]
    return Lineage(tuple(steps), tuple(problems))


def _first(versions: dict[str, Guidance]) -> str:
    return min(versions, key=_number)


def _number(folder: str) -> int:
    return int(folder[1:])


def _step(
    where: str, folder: str, entry: dict[str, Any], versions: dict[str, Guidance], out: list[str]
) -> Step | None:
    previous = entry.get("previous")
    if previous not in versions or _number(str(previous)) >= _number(folder):
        out.append(f"{where}: previous: '{previous}' is not an earlier content version")
        return None
    new, old = versions[folder], versions[str(previous)]
    raw = entry.get("statements") or {}
    retired = {str(k): str(v) for k, v in (entry.get("retired") or {}).items()}
    statements = {
        str(sid): _origin(f"{where}: {sid}", sid, value, out) for sid, value in raw.items()
    }
    origins = {k: v for k, v in statements.items() if v is not None}
    out += check_step(where, new, old, origins, retired)
    return Step(folder, str(previous), new.meta.version, old.meta.version, origins, retired)


def _origin(where: str, sid: str, value: Any, out: list[str]) -> Origin | None:
    if value in ("same", "reworded"):
        return Origin(value, sid)
    if value == "new":
        return Origin("new", None)
    if isinstance(value, dict) and list(value) == ["split-from"]:
        return Origin("split-from", str(value["split-from"]))
    out.append(f"{where}: must be same, reworded, new or {{split-from: <id>}}, not {value!r}")
    return None


def check_step(
    where: str, new: Guidance, old: Guidance, origins: dict[str, Origin], retired: dict[str, str]
) -> list[str]:
    """Problems with one step of the map (pure, so tests can feed it broken maps)."""
    new_ids = {s.id: s for a in new.areas for s in a.statements}
    old_ids = {s.id: s for a in old.areas for s in a.statements}
    out = [f"{where}: {sid}: not listed" for sid in new_ids if sid not in origins]
    out += [
        f"{where}: {sid}: no such statement in {new.meta.version}"
        for sid in origins
        if sid not in new_ids
    ]
    for sid, origin in origins.items():
        if sid in new_ids:
            out += _origin_problems(f"{where}: {sid}", sid, origin, new_ids, old_ids)
    split = [o.previous for o in origins.values() if o.kind == "split-from"]
    for parent in set(split):
        if split.count(parent) < 2:
            out.append(f"{where}: {parent}: split into only one statement (use reworded)")
    kept = {o.previous for o in origins.values() if o.kind in ("same", "reworded")}
    for sid in old_ids:
        if sid not in kept and sid not in split and sid not in retired:
            out.append(f"{where}: {sid} (previous version): neither kept, split nor retired")
    for sid, reason in retired.items():
        if sid not in old_ids or sid in new_ids:
            out.append(f"{where}: retired: {sid}: not a statement only the previous version has")
        if not reason.strip():
            out.append(f"{where}: retired: {sid}: give the reason it was taken out")
    return out


def _origin_problems(
    where: str, sid: str, origin: Origin, new: dict[str, Statement], old: dict[str, Statement]
) -> list[str]:
    if origin.kind == "new":
        return [f"{where}: marked new, but the previous version has this id"] if sid in old else []
    if origin.previous not in old:
        return [f"{where}: {origin.kind}: {origin.previous} is not in the previous version"]
    if origin.kind == "split-from":
        return (
            [f"{where}: split from {origin.previous}, which is still there"]
            if origin.previous in new
            else []
        )
    same_text = new[sid].text == old[sid].text and new[sid].levels == old[sid].levels
    if origin.kind == "same" and not same_text:
        return [f"{where}: marked same, but its wording changed (use reworded)"]
    if origin.kind == "reworded" and same_text:
        return [f"{where}: marked reworded, but its wording is unchanged (use same)"]
    return []
