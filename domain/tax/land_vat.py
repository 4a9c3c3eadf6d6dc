"""Land value-added tax (土地增值税): only the individual-housing exemption is decided here.

The progressive tax itself needs the deductible items of the project, which the tax
desk computes; the engine refers every taxable case there.
"""

from decimal import Decimal

from domain.tax.bill import TaxLine, exemption
from domain.tax.enums import Payer, TaxKind
from domain.tax.rates import LandVatRates


def individual_housing_land_vat(row: LandVatRates, price: Decimal) -> TaxLine | None:
    """The exemption line for an individual selling housing, or None if it is taxable."""
    if not row.individual_housing_exempt:
        return None
    reason = "individuals selling housing are exempt (财税〔2008〕137号 art. 3)"
    rule = "individual selling housing"
    return exemption(TaxKind.LAND_VAT, Payer.SELLER, price, rule, row.id, reason)
