"""Check the guidance content without starting the server.

    python -m app.content.check [guidance/]

Exits 0 and prints a summary when the content is valid, or 1 with every problem listed.
"""

import sys
from pathlib import Path

from app.content.loader import ContentError, latest_version_dir, load_guidance


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path("guidance")
    try:
        guidance = load_guidance(root)
    except ContentError as exc:
        print(f"Guidance content in {root} has {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    statements = sum(len(a.statements) for a in guidance.areas)
    folder = latest_version_dir(root) if not (root / "meta.yaml").exists() else root
    print(
        f"OK: {folder} version {guidance.meta.version}: {len(guidance.areas)} areas, "
        f"{statements} statements, {len(guidance.rules)} advice rules, "
        f"{len(guidance.sources)} sources"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
