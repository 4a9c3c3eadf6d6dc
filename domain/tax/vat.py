"""VAT (增值税) of an individual selling housing: levy rate on the VAT-inclusive price.

Enterprise sellers and non-residential units are referred to the tax desk by the engine,
so only the individual-housing rule is computed here.
"""

from decimal import Decimal

from domain.tax.bill import TaxLine, charge, exemption
from domain.tax.enums import Payer, TaxKind
from domain.tax.holding import years_text
from domain.tax.money import pct, to_fen
from domain.tax.rates import VatRates


def individual_housing_vat(row: VatRates, price: Decimal, held_years: int) -> TaxLine:
    """VAT on an individual's housing sale held ``held_years`` whole years.

    The price includes VAT, so VAT = price ÷ (1 + rate) × rate; the line's base is the
    price excluding VAT, which is what the deed tax and the income tax are levied on.
    """
    rate = row.individual_housing_rate
    threshold = row.exempt_after_years
    if held_years >= threshold:
        rule = f"individual housing held {years_text(held_years)} (≥ {threshold})"
        reason = f"individual selling housing held at least {threshold} years: VAT exempt"
        return exemption(TaxKind.VAT, Payer.SELLER, price, rule, row.id, reason)
    amount = to_fen(price * rate / (1 + rate))
    rule = (
        f"individual housing held {years_text(held_years)} (< {threshold}): "
        f"price ÷ (1 + {pct(rate)}) × {pct(rate)}"
    )
    return charge(TaxKind.VAT, Payer.SELLER, price - amount, rate, rule, row.id, amount=amount)
