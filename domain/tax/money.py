"""Money arithmetic: Decimal only, rounded to the fen per line."""

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def to_fen(amount: Decimal) -> Decimal:
    """Round to 0.01 yuan, half up, as the worked example of the reference does."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def pct(rate: Decimal) -> str:
    """Format a rate as a percentage for rule texts: ``Decimal("0.015")`` → ``"1.5%"``."""
    text = f"{rate * 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"
