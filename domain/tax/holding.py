"""Holding period of the seller, in whole years, for the 2-year and 5-year tests."""

from datetime import date


def add_years(start: date, years: int) -> date:
    """The same calendar day ``years`` later.

    A 29 February start has no corresponding day in a common year; the period then
    ends on the last day of February (民法典 art. 202), i.e. 28 February.
    """
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def years_held(acquired_on: date, sold_on: date) -> int:
    """Whole years between acquisition and sale; the anniversary day counts as a full year.

    Args:
        acquired_on: acquisition date (title certificate or deed-tax receipt).
        sold_on: the sale (acceptance) date, not before ``acquired_on``.

    Returns:
        The number of anniversaries reached on ``sold_on``.
    """
    years = sold_on.year - acquired_on.year
    if add_years(acquired_on, years) > sold_on:
        years -= 1
    return years


def years_text(years: int) -> str:
    """``1`` → ``"1 year"``, ``3`` → ``"3 years"``: for rule texts an applicant reads."""
    return f"{years} year" if years == 1 else f"{years} years"
