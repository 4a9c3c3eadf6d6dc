"""VAT (增值税) of an individual selling a unit: levy rate on the VAT-inclusive amount.

Housing: on the price, exempt after the holding period. Other units (a shop, a parking
space), where the treatment computes them: on the price less the proved purchase price.
Enterprise sellers are referred to the tax desk by the engine.
"""

from decimal import Decimal

from domain.tax.bill import TaxLine, charge, exemption
from domain.tax.enums import Payer, TaxKind
from domain.tax.holding import years_text
from domain.tax.money import ZERO, pct, to_fen
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


def individual_non_housing_vat(
    row: VatRates, price: Decimal, original_price: Decimal | None
) -> TaxLine:
    """VAT on an individual's sale of a non-residential unit (公告2016年第14号 art. 4).

    The simplified levy applies to the price less the purchase price where the cost is
    proved, else to the whole price; both include VAT, so VAT = amount ÷ (1 + rate) × rate.
    The line's base is that amount excluding VAT.
    """
    rate = row.individual_non_housing_rate
    if original_price is None:
        sales, what = price, "price (purchase price not proved)"
    else:
        sales = max(price - original_price, ZERO)
        what = f"price {price} − purchase price {original_price}"
    amount = to_fen(sales * rate / (1 + rate))
    rule = f"individual, non-housing: ({what}) ÷ (1 + {pct(rate)}) × {pct(rate)}"
    return charge(TaxKind.VAT, Payer.SELLER, sales - amount, rate, rule, row.id, amount=amount)
