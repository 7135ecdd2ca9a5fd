"""Every user-facing string is in the catalogues, and translated into nynorsk and English."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def msgids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def test_the_template_holds_every_string_in_the_code(tmp_path):
    fresh = tmp_path / "messages.pot"
    command = [
        sys.executable,
        "-m",
        "babel.messages.frontend",
        "extract",
        "-q",
        "-F",
        "pyproject.toml",
    ]
    command += ["-k", "_", "-k", "N_", "-k", "ngettext:1,2", "-o", str(fresh), "."]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:  # older Babel has no -q
        command.remove("-q")
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    missing = msgids(fresh) - msgids(ROOT / "app/locale/messages.pot")
    assert missing == set(), "run `make extract-messages` and translate"


def test_nynorsk_and_english_are_complete():
    for locale in ("nn", "en"):
        with (ROOT / f"app/locale/{locale}/LC_MESSAGES/messages.po").open("rb") as handle:
            catalog = read_po(handle)
        untranslated = [
            m.id
            for m in catalog
            if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
        ]
        assert untranslated == [], locale
