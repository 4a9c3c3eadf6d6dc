"""Whether a unit lies in a city district: it sets the urban construction tax rate."""

import re

_DIVISION = re.compile(r"[0-9]{6}")


def is_city_district(division: str) -> bool:
    """True unless the county-level division code (GB/T 2260) names a county (县).

    城市维护建设税法 art. 4: 7 % in a city (市区), 5 % in a county seat or town. In GB/T 2260
    the last two digits 01-20 number a prefecture's districts (市辖区), 21-80 its counties,
    81-99 its county-level cities, whose urban area is a city too (unconfirmed: a unit
    outside any city, county seat or town, at 1 %, is not offered at this window).

    Raises:
        ValueError: ``division`` is not six digits.
    """
    if not _DIVISION.fullmatch(division):
        raise ValueError(f"division: {division!r} is not a six-digit GB/T 2260 code")
    return not 21 <= int(division[4:]) <= 80
