import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rounds.pii import contains_national_id, is_national_id


def make_valid(first_nine: str) -> str | None:
    """A synthetic number with both mod-11 check digits computed (None if there are none)."""
    w1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
    w2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    d = [int(c) for c in first_nine]
    k1 = 11 - sum(a * b for a, b in zip(d, w1, strict=True)) % 11
    k1 = 0 if k1 == 11 else k1
    if k1 == 10:
        return None
    d.append(k1)
    k2 = 11 - sum(a * b for a, b in zip(d, w2, strict=True)) % 11
    k2 = 0 if k2 == 11 else k2
    if k2 == 10:
        return None
    return "".join(map(str, d)) + str(k2)


FNR = make_valid("010190000")  # born 1 January 1990, individual number 000
DNR = make_valid("410190000")  # the D-number form: 4 added to the first digit
assert (FNR, DNR) == ("01019000083", "41019000077")


@pytest.mark.parametrize("nine", ["010101123", "150765005", "311299456", "410190123"])
def test_it_recognises_numbers_passing_both_checks(nine):
    number = make_valid(nine)
    if number is None:
        pytest.skip("this prefix has no valid check digits")
    assert is_national_id(number)
    assert contains_national_id(f"Deltakeren har nr {number} og trenger hjelp")
    assert contains_national_id(f"nr {number[:6]} {number[6:]}.")


def test_it_lets_other_numbers_through():
    number = make_valid("010101123")
    assert number is not None
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not is_national_id(wrong)
    assert not contains_national_id(f"Ring 22334455 eller kontonummer {wrong}")
    assert not contains_national_id("Vi har 12 deltakere og 3 veiledere")
    assert not contains_national_id(f"{number}9")  # 12 digits is not a national id


WRITTEN_WITH_SEPARATORS = {
    "space 6+3+2": "010190 000 83",
    "dotted date": "01.01.90 00083",
    "no-break space": "010190\u00a000083",
    "narrow no-break space": "010190\u202f00083",
    "thin space": "010190\u2009000\u200983",
    "en dash": "010190\u201300083",
    "em dash": "010190\u201400083",
    "spaced hyphen": "010190 - 00083",
    "slash": "010190/00083",
    "underscore": "010190_00083",
    "newline": "010190\n00083",
    "windows newline and indent": "010190\r\n    00083",
    "tab": "010190\t00083",
    "zero-width space": "010190\u200b00083",
    "zero-width space inside a group": "0101\u200b9000083",
    "soft hyphen": "010190\u00ad00083",
    "word joiner": "010190\u206000083",
    "one space between every digit": "0 1 0 1 9 0 0 0 0 8 3",
    "D-number 6+3+2": "410190 000 77",
    "full-width digits": "０１０１９０ ０００８３",
    "Arabic-Indic digits": "٠١٠١٩٠٠٠٠٨٣",
    "after a country code": "+47 010190 00083",
}


@pytest.mark.parametrize("written", WRITTEN_WITH_SEPARATORS.values(), ids=WRITTEN_WITH_SEPARATORS)
def test_it_refuses_a_national_id_written_with_separators(written):
    assert contains_national_id(f"Deltakeren har nummer {written}, og trenger tolk.")
    assert contains_national_id(written)


NUMBERS_PEOPLE_WRITE = {
    "phone numbers": "Ring 22 33 44 55 eller 912 34 567.",
    "phone with country code": "Nås på +47 22 33 44 55 og +47 912 34 567",
    "phone with 00 prefix": "0047 22334455 eller +4791234567",
    "two phone numbers": "Tlf. 22 33 44 55 / 91 23 45 67",
    "amounts": "Budsjettet er kr 12 500 per deltaker, 1 000 000 kroner i alt.",
    "amount with øre": "kr 1 250 000,50",
    "dates": "Fra 01.01.2027 til 31.12.2027, møte 1.1.2027–31.12.2027 kl. 12:30",
    "dates with slashes": "01/01/2027 og 2027-01-01",
    "postcodes": "Postboks 123, 6100 Volda og 0150 Oslo",
    "organisation number": "Org.nr. 974 760 673",
    "counts": "Vi har 12 deltakere, 3 veiledere og 150 timer norsk.",
    "scores": "Poeng: 1, 2, 3, 4, 3, 2, 1",
    "years": "I 2024 og 2025 kom 40 og 55 flyktninger.",
    "a wrong check digit, separated": "010190 000 84",
    "twelve digits in groups": "010190 000 833",
}


@pytest.mark.parametrize("text", NUMBERS_PEOPLE_WRITE.values(), ids=NUMBERS_PEOPLE_WRITE)
def test_it_accepts_the_numbers_people_write(text):
    assert not contains_national_id(text)


SEPARATORS = [" ", ".", "-", "/", "_", "\n", "\u00a0", "\u2013", "\u200b", ". ", " - "]


@st.composite
def written_ids(draw):
    """A valid synthetic number, cut into groups anywhere, with any common separators."""
    number = draw(st.text("0123456789", min_size=9, max_size=9).map(make_valid).filter(lambda n: n))
    cuts = sorted(draw(st.sets(st.integers(1, 10), max_size=10)))
    parts = [number[a:b] for a, b in zip([0, *cuts], [*cuts, 11], strict=True)]
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=10, max_size=10))
    return "".join(p + s for p, s in zip(parts, [*seps[: len(parts) - 1], ""], strict=True))


@given(written=written_ids())
def test_any_grouping_of_a_valid_number_is_refused(written):
    assert contains_national_id(f"Notat: {written} (sjekk)")


@given(
    phone=st.integers(20_000_000, 99_999_999),
    amount=st.integers(0, 99_999_999),
    day=st.integers(1, 28),
    month=st.integers(1, 12),
)
def test_phone_numbers_amounts_and_dates_together_are_accepted(phone, amount, day, month):
    p = str(phone)
    kroner = f"{amount:,}".replace(",", " ")
    text = f"Ring +47 {p[:2]} {p[2:4]} {p[4:6]} {p[6:]} om kr {kroner} innen {day}.{month}.2027."
    assert not contains_national_id(text)
