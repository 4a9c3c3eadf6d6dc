"""Stamp duty (印花税) on the transfer deed, owed by each party."""

from decimal import Decimal

from domain.tax.bill import TaxLine, charge, exemption
from domain.tax.enums import PartyKind, Payer, TaxKind, Usage
from domain.tax.money import pct
from domain.tax.rates import StampRates


def stamp_line(
    row: StampRates, payer: Payer, kind: PartyKind, usage: Usage, base: Decimal
) -> TaxLine:
    """One party's stamp duty; individuals dealing in housing are exempt while the row says so."""
    rule = f"property-transfer deed: {pct(row.rate)} of the price excl. VAT"
    if row.individual_housing_exempt and kind is PartyKind.PERSON and usage is Usage.RESIDENTIAL:
        reason = "individuals selling or buying housing are exempt (财税〔2008〕137号 art. 2)"
        return exemption(TaxKind.STAMP, payer, base, rule, row.id, reason)
    return charge(TaxKind.STAMP, payer, base, row.rate, rule, row.id)
