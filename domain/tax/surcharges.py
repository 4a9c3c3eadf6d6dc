"""The three surcharges on VAT (城建税, 教育费附加, 地方教育附加), rounded per line."""

from decimal import Decimal

from domain.tax.bill import TaxLine, charge, exemption
from domain.tax.enums import Payer, TaxKind
from domain.tax.money import pct
from domain.tax.rates import SurchargeRates


def surcharge_lines(row: SurchargeRates, vat: TaxLine, city_district: bool) -> list[TaxLine]:
    """Surcharges on the VAT of ``vat``, one line each, for an individual seller.

    Each line is rounded on its own, as each is a separate tax or fee.
    """
    if city_district:
        ucs = (row.urban_construction_city, "unit in a city district")
    else:
        ucs = (row.urban_construction_other, "unit in a county or town")
    parts: list[tuple[TaxKind, Decimal, str]] = [
        (TaxKind.URBAN_CONSTRUCTION, *ucs),
        (TaxKind.EDUCATION, row.education, "education surcharge"),
        (TaxKind.LOCAL_EDUCATION, row.local_education, "local education surcharge"),
    ]
    lines = []
    for tax, full_rate, what in parts:
        if vat.amount == 0:
            rule = f"{what}: {pct(full_rate)} of VAT"
            reason = "no VAT is due, so no surcharge"
            lines.append(exemption(tax, Payer.SELLER, vat.amount, rule, row.id, reason))
            continue
        rate = full_rate * (1 - row.individual_reduction)
        rule = f"{what}: {pct(full_rate)} of VAT"
        if row.individual_reduction:
            rule += f", cut by {pct(row.individual_reduction)} for individuals (六税两费)"
        lines.append(charge(tax, Payer.SELLER, vat.amount, rate, rule, row.id))
    return lines
