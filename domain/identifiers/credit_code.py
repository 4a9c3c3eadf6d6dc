"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

18 characters from the 31-symbol alphabet ``0-9A-Z`` without I, O, S, V, Z;
the last is a weighted MOD 31 check character computed by python-stdnum.
The embedded 9-character organisation code (positions 9-17) has its own
GB 11714 check at position 17; it is not enforced here, because codes
assigned directly under GB 32100 (the ``MA…`` series) are not all known to
follow it.
"""

from __future__ import annotations

from stdnum.cn import uscc

from domain.identifiers.errors import InvalidIdentifier

_KIND = "credit_code"
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def validate_credit_code(value: str, *, allow_pilot_exception: bool = False) -> str:
    """Check a unified social credit code and return it normalised (upper case).

    Args:
        value: The code as typed; spaces and hyphens are ignored.
        allow_pilot_exception: Accept a wrong check character. Some codes
            issued in the pilot regions before GB 32100 settled (for example
            91350100M0001TGQXM, whose standard check is 1) are lawful yet fail
            the check; a clerk who has confirmed the code with the business
            registry sets this flag. Length and alphabet are still enforced.

    Returns:
        The 18-character code in upper case.

    Raises:
        InvalidIdentifier: Naming the broken rule, e.g.
            ``check character should be 5, got 0``.
    """
    code = uscc.compact(value)
    if len(code) != 18:
        raise InvalidIdentifier(_KIND, value, f"must be 18 characters, got {len(code)}")
    if not code[2:8].isascii() or not code[2:8].isdigit():
        raise InvalidIdentifier(
            _KIND, value, f"characters 3-8 must be a 6-digit division code, got {code[2:8]}"
        )
    for position, char in enumerate(code, start=1):
        if char not in _ALPHABET:
            raise InvalidIdentifier(
                _KIND,
                value,
                f"character {position} ({char}) is not allowed; "
                "use 0-9 and A-Z without I, O, S, V, Z",
            )
    expected = uscc.calc_check_digit(code[:17])
    if code[17] != expected and not allow_pilot_exception:
        raise InvalidIdentifier(
            _KIND, value, f"check character should be {expected}, got {code[17]}"
        )
    return code
