"""Every content text is in bokmål, nynorsk and English, and the term list is complete.

A missing translation stops the content check and start-up with the file, the line, the item
and the language; snapshots of old rounds still load, and a fallback says its language.
"""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.content.loader import ContentError, from_snapshot, load_guidance, load_terms, snapshot
from app.content.schema import Text
from tests.unit.content_tree import write_tree

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path)


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems(call) -> list[str]:
    with pytest.raises(ContentError) as exc:
        call()
    return exc.value.problems


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


def test_it_loads_a_complete_tree(tree):
    guidance = load_guidance(tree)
    assert [a.id for a in guidance.areas] == ["kjerne", "modul", "annen"]


def test_it_names_file_line_item_and_language_of_a_missing_nynorsk_level(tree):
    path = tree / "v1" / "areas" / "02-modul.yaml"
    edit(path, lambda d: d["statements"][1]["levels"][2].pop("nn"))
    found = problems(lambda: load_guidance(tree))
    line = line_of(path, "modul-b 3 (nb)")
    assert found == [
        f"{path}:{line}: modul: modul-b: statements.1.levels.2: missing nn (nynorsk) text"
    ]


def test_it_treats_a_blank_translation_as_missing(tree):
    path = tree / "v1" / "advice" / "rad.yaml"
    edit(path, lambda d: d[3]["text"].update(nn="  ", en=""))
    found = problems(lambda: load_guidance(tree))
    assert len(found) == 1
    assert found[0].startswith(f"{path}:")
    assert found[0].endswith("modul-svak: text: missing nn (nynorsk) and en (English) text")


def test_it_requires_english_source_titles(tree):
    path = tree / "v1" / "sources.yaml"
    edit(path, lambda d: d[0]["title"].pop("en"))
    assert problems(lambda: load_guidance(tree)) == [
        f"{path}:{line_of(path, 'loven (nb)')}: loven: title: missing en (English) text"
    ]


def test_the_check_command_fails_on_a_missing_translation(tree):
    edit(tree / "v1" / "areas" / "01-kjerne.yaml", lambda d: d["intro"].pop("nn"))
    result = subprocess.run(
        [sys.executable, "-m", "app.content.check", str(tree)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert "01-kjerne.yaml:" in result.stderr
    assert "kjerne: intro: missing nn (nynorsk) text" in result.stderr


def test_the_check_command_passes_a_complete_tree(tree):
    result = subprocess.run(
        [sys.executable, "-m", "app.content.check", str(tree)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "3 areas (2 optional)" in result.stdout
    assert "1 terms" in result.stdout


def test_a_snapshot_of_an_old_round_without_translations_still_loads(tree):
    guidance = load_guidance(tree)
    body = snapshot(guidance).replace('"nn":"kjerne (nn)",', "")
    old = from_snapshot(body)
    assert old.area("kjerne").title.nn is None


def test_pick_says_which_language_it_returned():
    both = Text(nb="Deltaker", nn="Deltakar")
    assert both.pick("nn") == ("Deltakar", "nn")
    assert both.pick("en") == ("Deltaker", "nb")
    assert both.pick("nb") == ("Deltaker", "nb")
    assert both.pick("xx") == ("Deltaker", "nb")
    assert Text(nb="Deltaker", nn=" ").pick("nn") == ("Deltaker", "nb")
    assert both["en"] == "Deltaker"


def test_the_real_term_list_is_complete():
    terms = load_terms(ROOT / "guidance")
    assert len(terms) >= 25
    names = {t.nb for t in terms}
    for needed in ("deltaker", "integreringsplan", "kvalifisering", "Nav", "sluttmål", "tolk"):
        assert needed in names


def test_a_term_without_nynorsk_is_refused_with_its_line(tree):
    path = tree / "terms.yaml"
    edit(path, lambda d: d.append({"nb": "tolk", "en": "interpreter"}))
    found = problems(lambda: load_terms(tree))
    assert found == [f"{path}:{line_of(path, 'nb: tolk')}: nn: Field required"]


def test_a_duplicate_term_is_refused(tree):
    path = tree / "terms.yaml"
    edit(path, lambda d: d.append({"nb": "Deltaker", "nn": "deltakar", "en": "participant"}))
    assert "duplicate term 'Deltaker'" in problems(lambda: load_terms(tree))[0]
