"""Addresses typed or pasted into an invitation form, as a mail program copies them: only the
address is kept, and what is no address is named (app.accounts.addresses)."""

import pytest

from app.accounts.addresses import address_of, entries, one_address
from app.errors import InvalidInput

OUTLOOK = "Amina Yusuf <amina@tolga.kommune.no>; Per Berg <per@tolga.kommune.no>"


def addresses(text: str) -> list[str]:
    return [address_of(entry) for entry in entries(text)]


def test_names_from_a_mail_program_are_dropped():
    assert addresses(OUTLOOK + ";\nlise.dahl@tolga.kommune.no") == [
        "amina@tolga.kommune.no",
        "per@tolga.kommune.no",
        "lise.dahl@tolga.kommune.no",
    ]


def test_a_quoted_name_may_hold_a_comma():
    assert addresses('"Berg, Per" <Per@A.no>, "Yusuf, Amina" <amina@a.no>') == [
        "per@a.no",
        "amina@a.no",
    ]


def test_outlooks_unquoted_last_first_name_stays_with_its_address():
    typed = "Berg, Per <per@a.no>; Yusuf, Amina <amina@a.no>"
    assert addresses(typed) == ["per@a.no", "amina@a.no"]


def test_plain_addresses_still_split_at_spaces_commas_semicolons_and_lines():
    assert addresses("a@a.no b@a.no,c@a.no;d@a.no\r\ne@a.no") == [
        "a@a.no",
        "b@a.no",
        "c@a.no",
        "d@a.no",
        "e@a.no",
    ]


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("Amina", "«Amina»"),  # a name without its address
        ("Per Berg <per@>", "«Per Berg <per@>»"),
        ("Amina <a@a.no> <b@a.no>", "«Amina <a@a.no> <b@a.no>»"),  # which one?
    ],
)
def test_what_is_no_address_is_named(typed, named):
    with pytest.raises(InvalidInput, match=f"{named} er ikke en gyldig e-postadresse"):
        addresses(typed)


def test_a_line_break_ends_an_unclosed_quote():
    assert entries('"Berg, Per <per@a.no>\nlise@a.no, ola@a.no') == [
        '"Berg, Per <per@a.no>',
        "lise@a.no",
        "ola@a.no",
    ]


def test_one_address_takes_a_name_with_it():
    assert one_address("  Kari Nordmann <Kari@A.no> ") == "kari@a.no"


def test_one_address_refuses_two_and_says_why():
    with pytest.raises(InvalidInput, match="Skriv bare én e-postadresse"):
        one_address("kari@a.no, ola@a.no")


@pytest.mark.parametrize("typed", ["", "kari @a.no", "kari@a..no", "Kari <kari@>", "ny@a.no\nBcc:"])
def test_one_address_gives_the_fields_own_message_for_a_typing_error(typed):
    with pytest.raises(InvalidInput, match="Skriv en gyldig e-postadresse"):
        one_address(typed)


def test_a_mistyped_address_before_a_named_one_is_named_not_dropped():
    with pytest.raises(InvalidInput, match="kari.kommune.no"):
        addresses("kari.kommune.no, Per Berg <per@x.no>")
    with pytest.raises(InvalidInput, match="kari2"):
        addresses("kari2, Per Berg <per@x.no>")
