"""The new people's addresses on the create-round form: lines, commas, repeats and the cap."""

import pytest

from app.rounds.invitees import MAX_NEW, AddressProblem, parse_addresses


def test_lines_commas_and_semicolons_all_separate_and_repeats_go():
    typed = " Ny@A.no,ny2@a.no\r\n\n ny3@a.no; NY@a.no \n"
    assert parse_addresses(typed) == ["ny@a.no", "ny2@a.no", "ny3@a.no"]


def test_nothing_typed_is_no_address():
    assert parse_addresses(" \n, ") == []


def test_a_bad_address_is_named():
    with pytest.raises(AddressProblem, match="«ola@» er ikke en gyldig"):
        parse_addresses("kari@a.no\nola@")


def test_the_cap_counts_distinct_addresses():
    at_cap = [f"p{i}@a.no" for i in range(MAX_NEW)]
    assert len(parse_addresses("\n".join(at_cap + at_cap))) == MAX_NEW
    with pytest.raises(AddressProblem, match=f"høyst {MAX_NEW} nye personer"):
        parse_addresses("\n".join([*at_cap, "en.til@a.no"]))


def test_addresses_pasted_from_a_mail_program_keep_only_the_address():
    typed = 'Amina Yusuf <Amina@A.no>; "Berg, Per" <per@a.no>\nny3@a.no; amina@a.no'
    assert parse_addresses(typed) == ["amina@a.no", "per@a.no", "ny3@a.no"]


def test_a_name_without_its_address_is_named():
    with pytest.raises(AddressProblem, match="«Amina» er ikke en gyldig"):
        parse_addresses("Amina; Per Berg <per@a.no>")
