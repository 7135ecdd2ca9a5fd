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
