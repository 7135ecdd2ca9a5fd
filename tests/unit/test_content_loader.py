"""Each kind of content error stops loading with the file, the line, the item and the problem."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.content.loader import (
    ContentError,
    from_snapshot,
    latest_version_dir,
    load_guidance,
    snapshot,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "guidance", tmp_path / "guidance")
    return tmp_path / "guidance"


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems(tree: Path) -> str:
    with pytest.raises(ContentError) as exc:
        load_guidance(tree)
    return str(exc.value)


def first_area(tree: Path) -> Path:
    return sorted((latest_version_dir(tree) / "areas").glob("*.yaml"))[0]


def first_advice(tree: Path) -> Path:
    return sorted((latest_version_dir(tree) / "advice").glob("*.yaml"))[0]


def test_the_real_content_loads(tree):
    guidance = load_guidance(tree)
    assert len(guidance.areas) >= 5


def test_it_reports_broken_yaml_with_file_and_line(tree):
    path = first_area(tree)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "  broken: [unclosed")
    path.write_text("\n".join(lines), encoding="utf-8")
    message = problems(tree)
    assert f"{path.name}:" in message
    assert "not valid YAML" in message


def test_it_requires_four_levels_per_statement(tree):
    path = first_area(tree)
    edit(path, lambda d: d["statements"][1]["levels"].pop())
    message = problems(tree)
    statement = yaml.safe_load(path.read_text(encoding="utf-8"))["statements"][1]
    line = _line_of(path, statement["levels"][0]["nb"]) - 1
    assert f"{path.name}:" in message
    assert "statements.1.levels" in message
    assert f":{line}:" in message or f":{line + 1}:" in message


def test_it_refuses_duplicate_statement_ids(tree):
    areas = sorted((latest_version_dir(tree) / "areas").glob("*.yaml"))
    first_id = yaml.safe_load(areas[0].read_text(encoding="utf-8"))["statements"][0]["id"]
    edit(areas[1], lambda d: d["statements"][0].__setitem__("id", first_id))
    assert f"duplicate statement id '{first_id}'" in problems(tree)


def test_it_refuses_an_unknown_source(tree):
    path = first_advice(tree)
    rule_id = yaml.safe_load(path.read_text(encoding="utf-8"))[0]["id"]
    edit(path, lambda d: d[0].__setitem__("sources", ["finnes-ikke"]))
    message = problems(tree)
    assert f"advice rule '{rule_id}' refers to unknown source 'finnes-ikke'" in message
    assert f"{path.name}:" in message


def test_it_refuses_an_unknown_area_in_a_condition(tree):
    path = first_advice(tree)
    edit(
        path,
        lambda d: d[0]["when"].__setitem__(
            0, {"metric": "area_score", "area": "ukjent", "below": 50}
        ),
    )
    assert "unknown area 'ukjent'" in problems(tree)


def test_it_refuses_an_unknown_statement_in_a_condition(tree):
    path = first_advice(tree)
    cond = {"metric": "statement_score", "statement": "ukjent-pastand", "below": 50}
    edit(path, lambda d: d[0]["when"].__setitem__(0, cond))
    assert "unknown statement 'ukjent-pastand'" in problems(tree)


def test_it_refuses_a_test_the_metric_does_not_take(tree):
    path = first_advice(tree)
    edit(
        path,
        lambda d: d[0]["when"].__setitem__(
            0, {"metric": "area_score", "area": "tillit", "above": 50}
        ),
    )
    assert "metric area_score does not take above" in problems(tree)


def test_it_refuses_unknown_fields(tree):
    edit(first_area(tree), lambda d: d.__setitem__("colour", "blue"))
    message = problems(tree)
    assert "colour" in message
    assert "Extra inputs are not permitted" in message


def test_it_refuses_an_advice_without_source(tree):
    edit(first_advice(tree), lambda d: d[0].__setitem__("sources", []))
    assert "sources" in problems(tree)


def test_it_reports_a_missing_meta_file(tree):
    (latest_version_dir(tree) / "meta.yaml").unlink()
    assert "meta.yaml: file is missing" in problems(tree)


def test_it_needs_a_version_folder(tmp_path):
    assert "no content version folder" in problems(tmp_path)


def test_it_loads_the_highest_version(tree):
    latest = latest_version_dir(tree)
    following = tree / f"v{int(latest.name[1:]) + 1}"
    shutil.copytree(latest, following)
    edit(following / "meta.yaml", lambda d: d.__setitem__("version", "2099.1"))
    assert load_guidance(tree).meta.version == "2099.1"


def test_a_snapshot_round_trips(tree):
    guidance = load_guidance(tree)
    assert from_snapshot(snapshot(guidance)) == guidance


def test_the_check_command_reports_without_starting_the_server(tree):
    ok = subprocess.run(
        [sys.executable, "-m", "app.content.check", str(tree)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert ok.returncode == 0
    assert ok.stdout.startswith("OK:")
    edit(first_area(tree), lambda d: d["statements"][0]["levels"].pop())
    bad = subprocess.run(
        [sys.executable, "-m", "app.content.check", str(tree)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert bad.returncode == 1
    assert "levels" in bad.stderr
    assert first_area(tree).name in bad.stderr


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle[:30] in line:
            return number
    raise AssertionError(needle)
