"""Stamp duty (印花税) on the transfer deed, owed by each party."""

from decimal import Decimal

from domain.tax.bill import TaxLine, charge, exemption
from domain.tax.enums import PartyKind, Payer, TaxKind, Usage
from domain.tax.money import pct
from domain.tax.rates import StampRates


def stamp_line(
    row: StampRates,
    payer: Payer,
    kind: PartyKind,
    usage: Usage,
    base: Decimal,
    *,
    relief: bool,
    base_note: str,
) -> TaxLine:
    """One party's stamp duty.

    Individuals selling or buying housing are exempt while the row says so; ``relief`` is
    False for transfers that are not a sale (a gift, an exchange), which that exemption
    does not cover.
    """
    rule = f"property-transfer deed: {pct(row.rate)} of the {base_note}"
    individual_housing = kind is PartyKind.PERSON and usage is Usage.RESIDENTIAL
    if row.individual_housing_exempt and individual_housing:
        if relief:
            reason = "individuals selling or buying housing are exempt (财税〔2008〕137号 art. 2)"
            return exemption(TaxKind.STAMP, payer, base, rule, row.id, reason)
        rule += "; 财税〔2008〕137号 exempts sales and purchases only, not this transfer"
    return charge(TaxKind.STAMP, payer, base, row.rate, rule, row.id)
