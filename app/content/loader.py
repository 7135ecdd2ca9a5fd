"""Load guidance/<version>/ from YAML into a validated `Guidance`.

Every problem is reported as "file:line: item: problem", with the line taken from the YAML
parser's node marks, so whoever edits the content can go straight to the mistake.
"""

import hashlib
import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from app.content.schema import (
    STRICT,
    Area,
    Guidance,
    Meta,
    Rule,
    Source,
    Term,
    reference_problems,
)

M = TypeVar("M", bound=BaseModel)
# libyaml's parser where PyYAML was built with it: the same nodes and line marks, 15× faster
# (reading one content version took 2.4 s in pure Python, which every start and demo paid).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ContentError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def latest_version_dir(root: Path) -> Path:
    """The content version to load: the highest vN folder under guidance/."""
    versions = [p for p in root.iterdir() if p.is_dir() and re.fullmatch(r"v\d+", p.name)]
    if not versions:
        raise ContentError([f"{root}: no content version folder (v1, v2, …) found"])
    return max(versions, key=lambda p: int(p.name[1:]))


def load_guidance(root: Path, *, require_translations: bool = True) -> Guidance:
    """Load and validate the latest content version; raise ContentError listing every problem.

    Every text must have bokmål, nynorsk and English unless `require_translations` is off.
    """
    folder = latest_version_dir(root) if not (root / "meta.yaml").exists() else root
    run = _Run(STRICT if require_translations else None)

    meta = run.one(folder / "meta.yaml", Meta)
    sources = run.many(folder / "sources.yaml", Source, "source")
    areas = []
    for path in sorted((folder / "areas").glob("*.yaml")):
        area = run.one(path, Area)
        if area is not None:
            areas.append(area)
            run.where[("area", area.id)] = _rel(path)
            for st in area.statements:
                run.where[("statement", st.id)] = _rel(path)
    if not areas and not run.problems:
        run.problems.append(f"{_rel(folder / 'areas')}: no area files found")
    rules: list[Rule] = []
    for path in sorted((folder / "advice").glob("*.yaml")):
        rules += run.many(path, Rule, "advice rule")

    for p in reference_problems(tuple(sources), tuple(areas), tuple(rules)):
        if p.ref not in run.broken:  # already reported where the broken item is
            run.problems.append(f"{run.where.get((p.kind, p.item), _rel(folder))}: {p.message}")
    if run.problems or meta is None:
        raise ContentError(run.problems)
    areas.sort(key=lambda a: a.order)
    return Guidance(meta=meta, sources=tuple(sources), areas=tuple(areas), rules=tuple(rules))


def load_terms(root: Path) -> tuple[Term, ...]:
    """The term list (guidance/terms.yaml): every term in bokmål, nynorsk and English."""
    path = (root.parent if (root / "meta.yaml").exists() else root) / "terms.yaml"
    run = _Run()
    terms = run.many(path, Term, "term")
    seen: set[str] = set()
    for term in terms:
        if term.id in seen:
            run.problems.append(f"{run.where[('term', term.id)]}: duplicate term '{term.nb}'")
        seen.add(term.id)
    if run.problems:
        raise ContentError(run.problems)
    return tuple(terms)


class _Run:
    """One load: the problems found, where each item is, and the ids of items that failed."""

    def __init__(self, context: dict[str, Any] | None = None) -> None:
        self.context = context
        self.problems: list[str] = []
        self.where: dict[tuple[str, str], str] = {}  # (kind, id) -> "file:line"
        self.broken: set[str] = set()

    def one(self, path: Path, model: type[M]) -> M | None:
        data, node = _parse(path, self.problems)
        if node is None:
            return None
        return self._validate(path, model, data, node)

    def many(self, path: Path, model: type[M], kind: str) -> list[M]:
        data, node = _parse(path, self.problems)
        if node is None:
            return []
        if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
            self.problems.append(f"{_rel(path)}:1: expected a list of {kind}s")
            return []
        items = []
        for item_data, item_node in zip(data, node.value, strict=True):
            item = self._validate(path, model, item_data, item_node)
            if item is not None:
                items.append(item)
                where = f"{_rel(path)}:{item_node.start_mark.line + 1}"
                self.where[(kind, item.id)] = where  # type: ignore[attr-defined]
        return items

    def _validate(self, path: Path, model: type[M], data: Any, node: yaml.Node) -> M | None:
        try:
            return model.model_validate(data, context=self.context)
        except ValidationError as exc:
            self.problems += _explain(path, node, exc)
            self.broken |= _ids(data)
            return None


def checksum(guidance: Guidance) -> str:
    return hashlib.sha256(snapshot(guidance).encode()).hexdigest()


def snapshot(guidance: Guidance) -> str:
    """The content as JSON, stored with a round so it renders the same later."""
    return guidance.model_dump_json(by_alias=True, exclude_none=True)


def from_snapshot(body: str) -> Guidance:
    return Guidance.model_validate_json(body)


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _parse(path: Path, problems: list[str]) -> tuple[Any, yaml.Node | None]:
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=SAFE_LOADER)
        return yaml.load(text, Loader=SAFE_LOADER), node
    except FileNotFoundError:
        problems.append(f"{_rel(path)}: file is missing")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problems.append(f"{_rel(path)}{line}: not valid YAML: {getattr(exc, 'problem', exc)}")
    return None, None


def _explain(path: Path, node: yaml.Node, exc: ValidationError) -> list[str]:
    out = []
    errors = exc.errors()
    for err in errors:
        if _knock_on(err["type"], err["loc"], errors):
            continue
        found, ids = _follow(node, err["loc"])
        label = "".join(f"{i}: " for i in ids[-2:])  # the item and, within it, the statement
        field = ".".join(str(p) for p in err["loc"]) or "(top level)"
        out.append(f"{_rel(path)}:{found.start_mark.line + 1}: {label}{field}: {err['msg']}")
    return out


def _ids(data: Any) -> set[str]:
    """Every id in a piece of raw YAML data (an area's own and its statements')."""
    if isinstance(data, dict):
        found = {str(data["id"])} if "id" in data else set()
        return found.union(*(_ids(v) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(_ids(v) for v in data))
    return set()


def _knock_on(kind: str, loc: tuple[int | str, ...], errors: list[Any]) -> bool:
    """pydantic counts only the valid items of a list, so a list whose every item is wrong is
    also "too short"; that says nothing new."""
    inner = [e for e in errors if len(e["loc"]) > len(loc) and e["loc"][: len(loc)] == loc]
    return kind == "too_short" and bool(inner)


def _item_id(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "id" and isinstance(value, yaml.ScalarNode):
                return str(value.value)
    return None


def _follow(node: yaml.Node, loc: tuple[int | str, ...]) -> tuple[yaml.Node, list[str]]:
    """Follow a pydantic error location through the YAML node tree: the node it ends at and
    the ids of the items passed on the way (so a message can name the statement)."""
    ids = [i] if (i := _item_id(node)) else []
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if k.value == part]
            if not match:
                break
            node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
        else:
            break
        if (i := _item_id(node)) is not None:
            ids.append(i)
    return node, ids
