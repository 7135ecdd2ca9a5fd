"""A small, complete guidance tree (every text in nb, nn and en) for tests that must not depend
on the real content: one core area, one optional module, and advice of every kind."""

from pathlib import Path
from typing import Any

import yaml


def text(word: str) -> dict[str, str]:
    return {"nb": f"{word} (nb)", "nn": f"{word} (nn)", "en": f"{word} (en)"}


def statement(sid: str, phase: str | None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": sid,
        "text": text(sid),
        "levels": [text(f"{sid} {n}") for n in range(1, 5)],
    }
    if phase:
        found["phase"] = phase
    return found


def area(aid: str, order: int, core: bool, statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": aid,
        "order": order,
        "core": core,
        "weight": 1.0,
        "title": text(aid),
        "intro": text(f"{aid} intro"),
        "sources": ["loven"],
        "statements": statements,
    }


def rule(rid: str, when: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "id": rid,
        **extra,
        "when": when,
        "title": text(rid),
        "text": text(f"{rid} råd"),
        "sources": ["loven"],
    }


AREAS = {
    "01-kjerne.yaml": area(
        "kjerne", 1, True, [statement("kjerne-a", "oppstart"), statement("kjerne-b", "underveis")]
    ),
    "02-modul.yaml": area(
        "modul", 2, False, [statement("modul-a", "oppstart"), statement("modul-b", "mot-slutten")]
    ),
    "03-annen.yaml": area("annen", 3, False, [statement("annen-a", None)]),
}

RULES = [
    rule("kjerne-svak", [{"metric": "area_score", "area": "kjerne", "below": 50}], area="kjerne"),
    rule(
        "kjerne-a-lav",
        [{"metric": "statement_score", "statement": "kjerne-a", "below": 50}],
        area="kjerne",
    ),
    rule(
        "kjerne-begge-lav",
        [
            {"metric": "statement_score", "statement": "kjerne-a", "below": 50},
            {"metric": "statement_score", "statement": "kjerne-b", "below": 50},
        ],
        area="kjerne",
    ),
    rule(
        "modul-svak",
        [{"metric": "area_score", "area": "modul", "below": 50}],
        area="modul",
        phase="underveis",
    ),
    rule(
        "modul-b-lav",
        [{"metric": "statement_score", "statement": "modul-b", "below": 50}],
        area="modul",
    ),
    rule("vet-ikke-modul", [{"metric": "dont_know_share", "statement": "modul-a", "above": 40}]),
    rule("vet-ikke-alt", [{"metric": "dont_know_share", "above": 40}]),
    rule(
        "annen-a-lav",
        [{"metric": "statement_score", "statement": "annen-a", "below": 50}],
        area="annen",
    ),
]


def write_tree(root: Path) -> Path:
    """Write the tree under root/guidance and return that folder."""
    version = root / "guidance" / "v1"
    (version / "areas").mkdir(parents=True)
    (version / "advice").mkdir()
    dump(version / "meta.yaml", {"version": "test"})
    dump(
        version / "sources.yaml",
        [{"id": "loven", "title": text("loven"), "publisher": "Stortinget", "year": 2020}],
    )
    for name, data in AREAS.items():
        dump(version / "areas" / name, data)
    dump(version / "advice" / "rad.yaml", RULES)
    dump(
        root / "guidance" / "terms.yaml",
        [{"nb": "deltaker", "nn": "deltakar", "en": "participant"}],
    )
    return root / "guidance"


def dump(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
