"""Optional modules beside the core, and the KS phase each piece of advice belongs to."""

import re
from pathlib import Path

import pytest

from app.content.loader import load_guidance, load_terms
from app.content.schema import PHASES, Guidance
from tests.unit.content_tree import write_tree

ROOT = Path(__file__).resolve().parents[2]
# The study's own sources: a module rests on the law, KS's phase pages or IMDi, never on these.
STUDY = {"ostlandsforskning-2018", "ks-nyhet-funn-2018"}


@pytest.fixture
def guidance(tmp_path: Path) -> Guidance:
    return load_guidance(write_tree(tmp_path))


@pytest.fixture(scope="module")
def real() -> Guidance:
    # Translations are checked by the content check; here only the modules' structure counts.
    return load_guidance(ROOT / "guidance", require_translations=False)


def rule_ids(guidance: Guidance) -> set[str]:
    return {r.id for r in guidance.rules}


def test_the_modules_are_the_optional_areas(guidance):
    assert [m.id for m in guidance.modules] == ["modul", "annen"]


def test_without_modules_a_round_gets_exactly_the_core(guidance):
    core = guidance.with_modules(())
    assert [a.id for a in core.areas] == ["kjerne"]
    assert core.modules == ()
    assert rule_ids(core) == {"kjerne-svak", "kjerne-a-lav", "kjerne-begge-lav", "vet-ikke-alt"}


def test_a_chosen_module_brings_its_advice_and_leaves_the_others_out(guidance):
    chosen = guidance.with_modules(["modul"])
    assert [a.id for a in chosen.areas] == ["kjerne", "modul"]
    assert "modul-svak" in rule_ids(chosen)
    assert "vet-ikke-modul" in rule_ids(chosen)  # no area of its own, but it looks at modul-a
    assert "annen-a-lav" not in rule_ids(chosen)
    assert chosen.sources == guidance.sources
    # The result passes the same cross-reference check as content loaded from disk.
    assert Guidance.model_validate(chosen.model_dump(by_alias=True)) == chosen


def test_choosing_every_module_gives_the_whole_content(guidance):
    assert guidance.with_modules(m.id for m in guidance.modules) == guidance


def test_it_refuses_a_module_that_does_not_exist(guidance):
    with pytest.raises(ValueError, match="unknown module"):
        guidance.with_modules(["finnes-ikke"])
    with pytest.raises(ValueError, match="kjerne"):
        guidance.with_modules(["kjerne"])  # core areas are always in; they are not modules


def test_an_explicit_phase_wins(guidance):
    assert guidance.phase_of(guidance.rule("modul-svak")) == "underveis"


def test_a_statement_rule_takes_its_statements_phase(guidance):
    assert guidance.phase_of(guidance.rule("kjerne-a-lav")) == "oppstart"
    assert guidance.phase_of(guidance.rule("modul-b-lav")) == "mot-slutten"
    assert guidance.phase_of(guidance.rule("vet-ikke-modul")) == "oppstart"


def test_advice_without_one_phase_belongs_to_the_whole_programme(guidance):
    assert guidance.phase_of(guidance.rule("kjerne-svak")) is None  # area level
    assert guidance.phase_of(guidance.rule("kjerne-begge-lav")) is None  # two phases
    assert guidance.phase_of(guidance.rule("annen-a-lav")) is None  # statement has no phase
    assert guidance.phase_of(guidance.rule("vet-ikke-alt")) is None


def test_the_real_content_has_at_least_three_modules_beside_the_five_core_areas(real):
    assert len([a for a in real.areas if a.core]) == 5
    assert len(real.modules) >= 3
    core = real.with_modules(())
    assert all(a.core for a in core.areas)
    assert not [r for r in core.rules if r.area in {m.id for m in real.modules}]


def test_every_real_module_is_complete_and_rests_on_the_law_ks_or_imdi(real):
    for module in real.modules:
        assert 4 <= len(module.statements) <= 6, module.id
        assert all(s.phase in PHASES for s in module.statements), module.id
        cited = set(module.sources).union(*(s.sources for s in module.statements))
        assert cited, module.id
        assert not cited & STUDY, module.id
        assert "ikke på studien for KS" in module.intro.nb, module.id
        advice = [r for r in real.rules if r.area == module.id]
        assert {"area_score"} <= {c.metric for r in advice for c in r.when}, module.id
        for rule in advice:
            assert rule.phase is not None, rule.id
            assert not set(rule.sources) & STUDY, rule.id


def test_the_modules_use_the_term_list(real):
    """A bokmål word in a nynorsk or English module text is a missed translation."""
    terms = load_terms(ROOT / "guidance")
    modules = {m.id for m in real.modules}
    texts = [t for m in real.modules for t in _texts_of_area(m)]
    texts += [t for r in real.rules if r.area in modules for t in (r.title, r.text)]
    for term in terms:
        for lang in ("nn", "en"):
            if getattr(term, lang).lower() == term.nb.lower():
                continue
            bokmal = re.compile(rf"\b{re.escape(term.nb)}", re.IGNORECASE)
            wrong = [getattr(t, lang) for t in texts if bokmal.search(getattr(t, lang) or "")]
            assert not wrong, f"{lang} text uses bokmål '{term.nb}': {wrong[0]}"


def _texts_of_area(area):
    yield area.title
    yield area.intro
    for st in area.statements:
        yield st.text
        yield from st.levels
