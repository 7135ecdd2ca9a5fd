"""The guidance content as immutable, validated models (pure: pydantic and stdlib only).

See guidance/README.md for the file format. Cross-references are checked by the root
validator of `Guidance`, so a loaded Guidance is always internally consistent.
"""

from collections.abc import Iterable
from typing import Annotated, Literal, NamedTuple, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
# KS's phases of the guidance, in the order a participant meets them.
Phase = Literal["oppstart", "underveis", "mot-slutten", "etter-programmet"]
PHASES: tuple[Phase, ...] = get_args(Phase)
LANGUAGES = ("nb", "nn", "en")
LANGUAGE_NAMES = {"nb": "bokmål", "nn": "nynorsk", "en": "English"}
# Validation context that makes every Text need all LANGUAGES (the loader sets it for files on
# disk; snapshots of old rounds are read without it, so they still load).
STRICT = {"require_translations": True}
SizeClassName = Literal["liten", "mellomstor", "stor"]
Metric = Literal[
    "area_score",
    "statement_score",
    "area_spread",
    "statement_spread",
    "dont_know_share",
    "municipality_size",
    "participants",
]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(Frozen):
    """A text in bokmål, nynorsk and English (only bokmål is required in old snapshots)."""

    nb: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
    nn: str | None = None
    en: str | None = None

    @model_validator(mode="after")
    def _translated(self, info: ValidationInfo) -> "Text":
        if info.context and info.context.get("require_translations"):
            missing = self.missing()
            if missing:
                names = " and ".join(f"{lang} ({LANGUAGE_NAMES[lang]})" for lang in missing)
                raise PydanticCustomError(
                    "missing_translation", "missing {names} text", {"names": names}
                )
        return self

    def missing(self) -> tuple[str, ...]:
        """The languages this text has no (non-blank) wording in."""
        return tuple(lang for lang in LANGUAGES if not (getattr(self, lang) or "").strip())

    def get(self, locale: str) -> str | None:
        value: str | None = getattr(self, locale, None) if locale in LANGUAGES else None
        return value if value and value.strip() else None

    def pick(self, locale: str) -> tuple[str, str]:
        """The text for `locale` and the language it is really in (bokmål when untranslated),
        so a template can mark a fallback with `lang`."""
        value = self.get(locale)
        return (value, locale) if value is not None else (self.nb, "nb")

    def __getitem__(self, locale: str) -> str:
        return self.pick(locale)[0]


class Source(Frozen):
    id: Id
    title: Text
    publisher: str
    year: int = Field(ge=1900, le=2100)
    url: str | None = None


class Statement(Frozen):
    id: Id
    text: Text
    levels: tuple[Text, Text, Text, Text]
    phase: Phase | None = None
    sources: tuple[Id, ...] = ()


class Area(Frozen):
    id: Id
    order: int
    core: bool
    weight: float = Field(gt=0, le=3)
    title: Text
    intro: Text
    sources: tuple[Id, ...] = ()
    statements: tuple[Statement, ...] = Field(min_length=1)


class Condition(Frozen):
    metric: Metric
    area: Id | None = None
    statement: Id | None = None
    below: float | None = None
    at_least: float | None = None
    above: float | None = None
    in_: tuple[SizeClassName, ...] | None = Field(default=None, alias="in")

    @model_validator(mode="after")
    def _fits_metric(self) -> "Condition":
        needs = {
            "area_score": ("area", ("below", "at_least")),
            "statement_score": ("statement", ("below", "at_least")),
            "area_spread": ("area", ("above",)),
            "statement_spread": ("statement", ("above",)),
            "dont_know_share": (None, ("above",)),
            "municipality_size": (None, ("in_",)),
            "participants": (None, ("below", "at_least")),
        }
        target, tests = needs[self.metric]
        if target and getattr(self, target) is None:
            raise ValueError(f"metric {self.metric} needs '{target}'")
        given = [t for t in ("below", "at_least", "above", "in_") if getattr(self, t) is not None]
        if not given:
            raise ValueError(f"metric {self.metric} needs one of {', '.join(tests)}")
        wrong = [t for t in given if t not in tests]
        if wrong:
            raise ValueError(f"metric {self.metric} does not take {', '.join(wrong)}")
        return self


class Rule(Frozen):
    id: Id
    area: Id | None = None
    weight: float = 1
    phase: Phase | None = None  # when unset, derived from the statements (Guidance.phase_of)
    when: tuple[Condition, ...] = Field(min_length=1)
    title: Text
    text: Text
    sources: tuple[Id, ...] = Field(min_length=1)

    def statements(self) -> tuple[str, ...]:
        """The statements the rule's conditions look at."""
        return tuple(c.statement for c in self.when if c.statement is not None)

    def areas(self) -> tuple[str, ...]:
        """The areas the rule is shown under or looks at."""
        found = [self.area] + [c.area for c in self.when]
        return tuple(a for a in found if a is not None)


class Meta(Frozen):
    version: str = Field(min_length=1, max_length=40)
    min_respondents: int = Field(default=3, ge=1)
    strength_at_least: float = Field(default=70, ge=0, le=100)
    priority_count: int = Field(default=3, ge=1, le=10)


class Guidance(Frozen):
    meta: Meta
    sources: tuple[Source, ...]
    areas: tuple[Area, ...]
    rules: tuple[Rule, ...]

    @model_validator(mode="after")
    def _references_resolve(self) -> "Guidance":
        problems = reference_problems(self.sources, self.areas, self.rules)
        if problems:
            raise ValueError("; ".join(p.message for p in problems))
        return self

    def area(self, area_id: str) -> Area:
        return next(a for a in self.areas if a.id == area_id)

    def statement_area(self) -> dict[str, str]:
        return {s.id: a.id for a in self.areas for s in a.statements}

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)

    @property
    def modules(self) -> tuple[Area, ...]:
        """The optional areas a manager may add to a round (`core: false`)."""
        return tuple(a for a in self.areas if not a.core)

    def with_modules(self, module_ids: Iterable[str]) -> "Guidance":
        """The core areas plus the chosen modules, with only the advice that still applies.

        A rule is kept when every area and statement it names is kept, so the result passes
        the same reference check as the full content.
        """
        chosen = set(module_ids)
        unknown = chosen - {m.id for m in self.modules}
        if unknown:
            raise ValueError(f"unknown module(s): {', '.join(sorted(unknown))}")
        areas = tuple(a for a in self.areas if a.core or a.id in chosen)
        area_ids = {a.id for a in areas}
        statement_ids = {s.id for a in areas for s in a.statements}
        rules = tuple(
            r
            for r in self.rules
            if set(r.areas()) <= area_ids and set(r.statements()) <= statement_ids
        )
        return Guidance(meta=self.meta, sources=self.sources, areas=areas, rules=rules)

    def phase_of(self, rule: Rule) -> Phase | None:
        """The phase a rule's advice belongs to: its own `phase`, else the one phase shared by
        the statements it looks at; None (the whole programme) when there is no single phase."""
        if rule.phase is not None:
            return rule.phase
        phases = {self.statement(s).phase for s in rule.statements()}
        return phases.pop() if len(phases) == 1 else None

    def statement(self, statement_id: str) -> Statement:
        return next(s for a in self.areas for s in a.statements if s.id == statement_id)

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


class Term(Frozen):
    """One entry in the term list translators use (guidance/terms.yaml)."""

    nb: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
    nn: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
    en: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
    note: str | None = None  # when to use it, and what not to say instead

    @property
    def id(self) -> str:
        return self.nb.lower()


class Problem(NamedTuple):
    """A content error: which item (kind and id) and what is wrong with it."""

    kind: str
    item: str
    message: str
    ref: str | None = None  # the id it refers to, when the problem is an unknown reference


def reference_problems(
    sources: tuple[Source, ...], areas: tuple[Area, ...], rules: tuple[Rule, ...]
) -> list[Problem]:
    """Every duplicate id and every reference that does not resolve."""
    problems = _duplicates("source", [s.id for s in sources])
    problems += _duplicates("area", [a.id for a in areas])
    problems += _duplicates("statement", [s.id for a in areas for s in a.statements])
    problems += _duplicates("advice rule", [r.id for r in rules])
    known = {
        "source": {s.id for s in sources},
        "area": {a.id for a in areas},
        "statement": {s.id for a in areas for s in a.statements},
    }

    def check(kind: str, refs: Iterable[str | None], owner: str, owner_id: str) -> None:
        for ref in refs:
            if ref is not None and ref not in known[kind]:
                msg = f"{owner} '{owner_id}' refers to unknown {kind} '{ref}'"
                problems.append(Problem(owner, owner_id, msg, ref))

    for area in areas:
        check("source", area.sources, "area", area.id)
        for st in area.statements:
            check("source", st.sources, "statement", st.id)
    for rule in rules:
        check("source", rule.sources, "advice rule", rule.id)
        check("area", [rule.area], "advice rule", rule.id)
        check("area", [c.area for c in rule.when], "advice rule", rule.id)
        check("statement", [c.statement for c in rule.when], "advice rule", rule.id)
    return problems


def _duplicates(kind: str, ids: list[str]) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for item in ids:
        if item in seen:
            problems.append(Problem(kind, item, f"duplicate {kind} id '{item}'"))
        seen.add(item)
    return problems
