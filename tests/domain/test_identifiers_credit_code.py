import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.identifiers import InvalidIdentifier, validate_credit_code

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [3**i % 31 for i in range(17)]


def check_char(code17: str) -> str:
    c = 31 - sum(ALPHABET.index(ch) * w for ch, w in zip(code17, WEIGHTS, strict=True)) % 31
    return ALPHABET[0 if c == 31 else c]


@st.composite
def credit_codes(draw: st.DrawFn) -> str:
    head = draw(st.text(ALPHABET, min_size=2, max_size=2))
    division = draw(st.text("0123456789", min_size=6, max_size=6))
    organisation = draw(st.text(ALPHABET, min_size=9, max_size=9))
    code17 = head + division + organisation
    return code17 + check_char(code17)


def test_reference_examples() -> None:
    assert validate_credit_code("91420100MA4K2B3C05") == "91420100MA4K2B3C05"
    assert validate_credit_code("91420100ma4k2b3c05") == "91420100MA4K2B3C05"
    with pytest.raises(InvalidIdentifier) as caught:
        validate_credit_code("91420100MA4K2B3C00")
    assert caught.value.rule == "check character should be 5, got 0"
    assert "unified social credit code 91420100MA4K2B3C00" in str(caught.value)


def test_pilot_era_code_only_with_the_reviewed_override() -> None:
    with pytest.raises(InvalidIdentifier, match="check character should be 1, got M"):
        validate_credit_code("91350100M0001TGQXM")
    assert (
        validate_credit_code("91350100M0001TGQXM", allow_pilot_exception=True)
        == "91350100M0001TGQXM"
    )


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("91420100MA4K2B3C0", "must be 18 characters, got 17"),
        ("9142A100MA4K2B3C05", "characters 3-8 must be a 6-digit division code, got 42A100"),
        ("91420100MA4K2B3CO5", "character 17 (O) is not allowed"),
    ],
)
def test_shape_errors_hold_even_with_the_override(value: str, rule: str) -> None:
    for allow in (False, True):
        with pytest.raises(InvalidIdentifier) as caught:
            validate_credit_code(value, allow_pilot_exception=allow)
        assert caught.value.rule.startswith(rule)


@given(credit_codes())
def test_valid_codes_pass(code: str) -> None:
    assert validate_credit_code(code) == code
    assert validate_credit_code(f"{code[:8]} {code[8:]}".lower()) == code


@given(credit_codes(), st.data())
def test_any_single_character_change_is_caught(code: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=17))
    replacement = data.draw(
        st.sampled_from(ALPHABET + "IOSVZ").filter(lambda c: c != code[position])
    )
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(InvalidIdentifier):
        validate_credit_code(changed)
