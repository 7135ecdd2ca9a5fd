"""Check the guidance content and the term list without starting the server.

    python -m app.content.check [guidance/]

Exits 0 and prints a summary when the content is valid, or 1 with every problem listed.
Every text must be in bokmål, nynorsk and English, as at start-up.
"""

import sys
from pathlib import Path

from app.content.lineage import load_lineage, load_versions
from app.content.loader import ContentError, latest_version_dir, load_guidance, load_terms
from app.content.schema import Guidance, Term


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path("guidance")
    problems: list[str] = []
    guidance: Guidance | None = None
    terms: tuple[Term, ...] = ()
    try:
        guidance = load_guidance(root)
    except ContentError as exc:
        problems += exc.problems
    try:
        terms = load_terms(root)
    except ContentError as exc:
        problems += exc.problems
    if guidance is not None and not (root / "meta.yaml").exists():
        problems += _lineage_problems(root)
    if problems or guidance is None:
        print(f"Guidance content in {root} has {len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    statements = sum(len(a.statements) for a in guidance.areas)
    folder = latest_version_dir(root) if not (root / "meta.yaml").exists() else root
    print(
        f"OK: {folder} version {guidance.meta.version}: {len(guidance.areas)} areas "
        f"({len(guidance.modules)} optional), {statements} statements, "
        f"{len(guidance.rules)} advice rules, {len(guidance.sources)} sources, {len(terms)} terms"
    )
    return 0


def _lineage_problems(root: Path) -> list[str]:
    """Every version must load, and the lineage map must say what each statement was."""
    try:
        versions = load_versions(root)
    except ContentError as exc:
        return exc.problems
    return list(load_lineage(root, versions).problems)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
