"""Individual income tax (个人所得税) on a home changing hands: seller's gain or donee's gift."""

from decimal import Decimal

from domain.tax.bill import TaxLine, charge, exemption
from domain.tax.enums import Payer, TaxKind
from domain.tax.holding import years_text
from domain.tax.money import ZERO, pct
from domain.tax.rates import PitRates


def seller_pit(
    row: PitRates,
    *,
    price_net: Decimal,
    held_years: int | None,
    family_only_home: bool,
    original_price: Decimal | None,
    deductible_taxes: Decimal,
    housing: bool = True,
) -> TaxLine:
    """The individual seller's income tax on the sale of housing or of another unit.

    Args:
        row: the income-tax row in force.
        price_net: price excluding the VAT of this sale.
        held_years: whole years held, None when unknown.
        family_only_home: the seller's family has no other home.
        original_price: proved acquisition cost; None selects the assessed (核定) method.
        deductible_taxes: taxes paid on acquisition and on this sale (surcharges, stamp duty).
        housing: the unit is housing; otherwise the non-housing assessed rate applies.

    Returns:
        The exemption line for 满五唯一, otherwise the verified or the assessed line.
    """
    years = row.only_home_exempt_after_years
    if family_only_home and held_years is not None and held_years >= years:
        rule = f"family's only home held {years_text(held_years)} (≥ {years})"
        reason = f"seller's family's only home held at least {years} years (满五唯一)"
        return exemption(TaxKind.PIT, Payer.SELLER, price_net, rule, row.id, reason)
    if original_price is None:
        rate = row.assessed_rate if housing else row.non_housing_assessed_rate
        what = "original price" if housing else "non-housing, original price"
        rule = f"assessed (核定): {what} not proved, {pct(rate)} of the price excl. VAT"
        return charge(TaxKind.PIT, Payer.SELLER, price_net, rate, rule, row.id)
    gain = price_net - original_price - deductible_taxes
    rule = (
        f"verified: {pct(row.rate)} × (price excl. VAT {price_net} − original price "
        f"{original_price} − taxes paid {deductible_taxes})"
    )
    if gain <= 0:
        rule += ": no gain"
    return charge(TaxKind.PIT, Payer.SELLER, max(gain, ZERO), row.rate, rule, row.id)


def donee_pit(row: PitRates, *, value: Decimal, donee_taxes: Decimal) -> TaxLine:
    """Income tax of a donee outside close relatives: rate × (value − taxes the donee paid)."""
    base = max(value - donee_taxes, ZERO)
    rule = (
        f"donee of a gift: {pct(row.rate)} × (value {value} − taxes paid by the donee "
        f"{donee_taxes})"
    )
    return charge(TaxKind.PIT, Payer.BUYER, base, row.rate, rule, row.id)
