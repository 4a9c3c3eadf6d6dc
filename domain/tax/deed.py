"""Deed tax (契税): paid by the transferee on the transfer price, 契税法 arts. 3-4."""

from decimal import Decimal

from domain.tax.bill import TaxLine, charge
from domain.tax.enums import PartyKind, Payer, TaxKind, Usage
from domain.tax.inputs import TaxInput
from domain.tax.money import pct
from domain.tax.rates import AreaBand, DeedRates
from domain.tax.treatments import DeedRate, Treatment

_ORDINAL = {1: "only", 2: "second"}


def deed_rate(row: DeedRates, inp: TaxInput, treatment: Treatment) -> tuple[Decimal, str]:
    """The rate that applies and the rule that chose it.

    The family-home reliefs are for individuals buying housing; everything else
    (enterprises, non-residential units, third and later homes, gifts) pays the
    provincial general rate.
    """
    general = pct(row.general_rate)
    if treatment.deed_rate is DeedRate.GENERAL:
        return row.general_rate, f"{treatment.name_en}: provincial general rate {general}"
    if inp.buyer_kind is PartyKind.ENTERPRISE:
        return row.general_rate, f"enterprise buyer: provincial general rate {general}"
    if inp.usage is Usage.NON_RESIDENTIAL:
        return row.general_rate, f"non-residential unit: provincial general rate {general}"
    if inp.buyer_home_count >= 3:
        return (
            row.general_rate,
            f"individual, family's home no. {inp.buyer_home_count}: provincial general rate "
            f"{general}",
        )
    bands = row.first_home if inp.buyer_home_count == 1 else row.second_home
    band, area_rule = _band(bands, inp.area_m2)
    which = _ORDINAL[inp.buyer_home_count]
    return band.rate, f"individual, family's {which} home, {area_rule}"


def _band(bands: list[AreaBand], area: Decimal) -> tuple[AreaBand, str]:
    previous: Decimal | None = None
    for band in bands:
        if band.up_to_m2 is None:
            return band, f"area > {previous} ㎡"
        if area <= band.up_to_m2:
            low = f"{previous} ㎡ < " if previous is not None else ""
            return band, f"{low}area ≤ {band.up_to_m2} ㎡"
        previous = band.up_to_m2
    raise AssertionError("the rate file guarantees an open last band")


def deed_line(
    row: DeedRates, inp: TaxInput, treatment: Treatment, base: Decimal, base_note: str
) -> TaxLine:
    """The transferee's deed tax on ``base`` (described by ``base_note``)."""
    rate, rule = deed_rate(row, inp, treatment)
    return charge(TaxKind.DEED, Payer.BUYER, base, rate, f"{rule}; base: {base_note}", row.id)
