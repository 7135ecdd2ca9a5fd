"""The lineage map between content versions: checked by the content check, and what the
trends rely on to tell a change in practice from a change in wording."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.content.lineage import load_lineage, load_versions

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "guidance", tmp_path / "guidance")
    return tmp_path / "guidance"


def edit_map(tree: Path, change) -> None:
    path = tree / "lineage.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data["v2"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def problems(tree: Path) -> str:
    return "\n".join(load_lineage(tree, load_versions(tree)).problems)


def test_the_real_map_is_complete_and_right():
    assert problems(ROOT / "guidance") == ""


def test_a_statement_left_out_of_the_map_is_reported(tree):
    edit_map(tree, lambda v2: v2["statements"].pop("tillit-bli-kjent"))
    assert "v2: tillit-bli-kjent: not listed" in problems(tree)


def test_same_with_changed_wording_is_refused(tree):
    edit_map(tree, lambda v2: v2["statements"].__setitem__("tillit-taushetsplikt", "same"))
    assert "tillit-taushetsplikt: marked same, but its wording changed" in problems(tree)


def test_split_from_a_statement_that_never_was_is_refused(tree):
    edit_map(
        tree,
        lambda v2: v2["statements"].__setitem__(
            "oppfolging-plan-egne-mal", {"split-from": "finnes-ikke"}
        ),
    )
    found = problems(tree)
    assert "split-from: finnes-ikke is not in the previous version" in found
    assert "oppfolging-plan-sammen: split into only one statement" in found


def test_a_previous_statement_neither_kept_nor_retired_is_reported(tree):
    edit_map(tree, lambda v2: v2.pop("retired"))
    assert "oppfolging-samordning (previous version): neither kept, split nor retired" in problems(
        tree
    )


def test_new_may_not_reuse_an_old_id(tree):
    edit_map(tree, lambda v2: v2["statements"].__setitem__("tillit-bli-kjent", "new"))
    assert "tillit-bli-kjent: marked new, but the previous version has this id" in problems(tree)


def test_an_unknown_kind_and_a_missing_version_entry_are_reported(tree):
    edit_map(tree, lambda v2: v2["statements"].__setitem__("tillit-bli-kjent", "omtrent"))
    assert "must be same, reworded, new or {split-from: <id>}" in problems(tree)
    (tree / "lineage.yaml").write_text("v9: {}\n", encoding="utf-8")
    found = problems(tree)
    assert "no entry for content version v2" in found
    assert "v9: no such content version" in found


def test_the_content_check_fails_on_a_broken_map(tree):
    edit_map(tree, lambda v2: v2["statements"].pop("oppfolging-fravaer"))
    result = subprocess.run(
        [sys.executable, "-m", "app.content.check", str(tree)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert "oppfolging-fravaer: not listed" in result.stderr


def test_trace_follows_reworded_and_split_statements_back():
    lineage = load_lineage(ROOT / "guidance", load_versions(ROOT / "guidance"))
    same = lineage.trace("tillit-fast-veileder", "2027.1", "2026.1")
    reworded = lineage.trace("tillit-taushetsplikt", "2027.1", "2026.1")
    half = lineage.trace("oppfolging-plan-egne-mal", "2027.1", "2026.1")
    new = lineage.trace("oppfolging-fravaer", "2027.1", "2026.1")
    assert (same.statement_id, same.changed) == ("tillit-fast-veileder", False)
    assert (reworded.statement_id, reworded.changed) == ("tillit-taushetsplikt", True)
    assert (half.statement_id, half.changed) == ("oppfolging-plan-sammen", True)
    assert new.statement_id is None
