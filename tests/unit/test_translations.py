"""Every user-facing string is in the catalogues, and translated into nynorsk and English."""

import re
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


GLUED = re.compile(r"[a-zæøå][.!?]?[A-ZÆØÅ][a-zæøå]")  # "startAnswers": two strings run together
NO_SPACE = re.compile(r"[a-zæøå]{2}[.!?][a-zæøå]{2}")  # "svar.ingen": the same, lower case
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def faults(source: str, translation: str, locale: str) -> list[str]:
    """What is wrong with one translation, judged against its source text."""
    found = []
    if len(translation) > 1.8 * len(source) + 15:
        found.append("much longer than the source")
    if len(GLUED.findall(translation)) > len(GLUED.findall(source)):
        found.append("two sentences run together")
    if len(NO_SPACE.findall(translation)) > len(NO_SPACE.findall(source)):
        found.append("two sentences run together")
    if _repeated_run(translation) > _repeated_run(source):
        found.append("words repeated")
    sentences = [s for s in re.split(r"(?<=[.!?])\s*", translation) if len(s) > 15]
    if len(sentences) != len(set(sentences)):
        found.append("a sentence repeated")
    if sorted(PLACEHOLDER.findall(translation)) != sorted(PLACEHOLDER.findall(source)):
        found.append("other placeholders than the source")
    words = re.findall(r"[^\W\d_]{2,}", PLACEHOLDER.sub("", source))
    if locale == "en" and translation == source and len(words) > 3:
        found.append("left in Norwegian")
    return found


def _repeated_run(text: str, length: int = 5) -> int:
    """How many runs of `length` words appear a second time in the text."""
    words = text.split()
    runs = [tuple(words[i : i + length]) for i in range(len(words) - length + 1)]
    return len(runs) - len(set(runs))


def test_the_checks_find_a_tail_pasted_twice():
    source = "Før det ser ingen andre enn den enkelte sine egne svar."
    pasted = "Før det ser ingen andre enn kvar enkelt sine eigne svar.ingen andre enn kvar enkelt sine eigne svar."
    assert "two sentences run together" in faults(source, pasted, "nn")
    assert "words repeated" in faults(source, pasted.replace(".ingen", ". ingen"), "nn")
    assert faults(source, "Før det ser ingen andre enn kvar enkelt sine eigne svar.", "nn") == []


def test_each_translation_says_its_own_text_once():
    """A merge once ran several translations into one: the audit log's «Svarer lagt til etter
    start» read "Respondent added after the startAnswers are shown only together…"."""
    wrong = [
        (locale, source[:50], fault)
        for locale in ("nn", "en")
        for source, translation in translated(locale)
        for fault in faults(source, translation, locale)
    ]
    assert wrong == []


def test_nynorsk_says_sendt_where_bokmal_does():
    """Nynorsk's participle is «sendt», as the catalogue settled on 2026-12-05; «send» is
    only the imperative, so a translation has it no more often than its bokmål source."""
    bare = re.compile(r"\bsend\b", re.IGNORECASE)
    wrong = [
        translation
        for source, translation in translated("nn")
        if len(bare.findall(translation)) > len(bare.findall(source))
    ]
    assert wrong == []


def test_nynorsk_says_igjen_not_att():
    """The catalogue's adverb is «igjen» (opne igjen, kjenne igjen, logg inn igjen), as in most
    of it; «att» had crept in beside it in a few places. The conjunction is «at»."""
    att = re.compile(r"\batt\b", re.IGNORECASE)
    wrong = [translation for _, translation in translated("nn") if att.search(translation)]
    assert wrong == []


def translated(locale: str) -> list[tuple[str, str]]:
    """Every (bokmål source, translation) pair of a catalogue; a plural form's source is the
    singular for the first form and the plural for the rest."""
    with (ROOT / f"app/locale/{locale}/LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    pairs = []
    for message in catalogue:
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs += [(sources[min(i, len(sources) - 1)], text) for i, text in enumerate(texts)]
    return pairs
