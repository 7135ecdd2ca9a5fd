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
    problems: list[str] = []
    where: dict[tuple[str, str], str] = {}  # (kind, id) -> "file:line"
    context = STRICT if require_translations else None

    meta = _load_one(folder / "meta.yaml", Meta, problems)
    sources = _load_list(folder / "sources.yaml", Source, "source", problems, where, context)
    areas = []
    for path in sorted((folder / "areas").glob("*.yaml")):
        area = _load_one(path, Area, problems, context)
        if area is not None:
            areas.append(area)
            where[("area", area.id)] = _rel(path)
            for st in area.statements:
                where[("statement", st.id)] = _rel(path)
    if not areas and not problems:
        problems.append(f"{_rel(folder / 'areas')}: no area files found")
    rules: list[Rule] = []
    for path in sorted((folder / "advice").glob("*.yaml")):
        rules += _load_list(path, Rule, "advice rule", problems, where, context)

    for p in reference_problems(tuple(sources), tuple(areas), tuple(rules)):
        problems.append(f"{where.get((p.kind, p.item), _rel(folder))}: {p.message}")
    if problems or meta is None:
        raise ContentError(problems)
    areas.sort(key=lambda a: a.order)
    return Guidance(meta=meta, sources=tuple(sources), areas=tuple(areas), rules=tuple(rules))


def load_terms(root: Path) -> tuple[Term, ...]:
    """The term list (guidance/terms.yaml): every term in bokmål, nynorsk and English."""
    path = (root.parent if (root / "meta.yaml").exists() else root) / "terms.yaml"
    problems: list[str] = []
    where: dict[tuple[str, str], str] = {}
    terms = _load_list(path, Term, "term", problems, where)
    seen: set[str] = set()
    for term in terms:
        if term.id in seen:
            problems.append(f"{where[('term', term.id)]}: duplicate term '{term.nb}'")
        seen.add(term.id)
    if problems:
        raise ContentError(problems)
    return tuple(terms)


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
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        return yaml.safe_load(text), node
    except FileNotFoundError:
        problems.append(f"{_rel(path)}: file is missing")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problems.append(f"{_rel(path)}{line}: not valid YAML: {getattr(exc, 'problem', exc)}")
    return None, None


def _load_one(
    path: Path, model: type[M], problems: list[str], context: dict[str, Any] | None = None
) -> M | None:
    data, node = _parse(path, problems)
    if node is None:
        return None
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        problems += _explain(path, node, exc)
        return None


def _load_list(
    path: Path,
    model: type[M],
    kind: str,
    problems: list[str],
    where: dict[tuple[str, str], str],
    context: dict[str, Any] | None = None,
) -> list[M]:
    data, node = _parse(path, problems)
    if node is None:
        return []
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        problems.append(f"{_rel(path)}:1: expected a list of {kind}s")
        return []
    items = []
    for item_data, item_node in zip(data, node.value, strict=True):
        try:
            item = model.model_validate(item_data, context=context)
        except ValidationError as exc:
            problems += _explain(path, item_node, exc)
            continue
        items.append(item)
        where[(kind, item.id)] = f"{_rel(path)}:{item_node.start_mark.line + 1}"  # type: ignore[attr-defined]
    return items


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
