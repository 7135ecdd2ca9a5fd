import pytest

from app.rounds.pii import contains_national_id, is_national_id


def make_valid(first_nine: str) -> str | None:
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
