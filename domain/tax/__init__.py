"""Tax engine of the one window: deed tax, VAT and surcharges, income tax, stamp duty, land VAT,
and the registration fees billed with them.

Rates come from ``domain/data/tax_rates.toml`` keyed by effective date, the switches per
business type from ``domain/data/tax_treatments.toml``, the fees from
``domain/data/fees.toml``; :func:`assess` applies the rules in force on the case's
acceptance date and traces every line.
:func:`tax_input_from_case` is the one way a case's facts become the engine's input, for
the desk's estimate and for the case's bill alike.
"""

from domain.tax.bill import FeeLine, Referral, TaxBill, TaxLine
from domain.tax.district import is_city_district
from domain.tax.engine import assess
from domain.tax.enums import FeeKind, PartyKind, Payer, TaxKind, Usage
from domain.tax.errors import NoRulesInForce, UnknownTreatment
from domain.tax.fee_table import FeeTable, default_fees, parse_fees
from domain.tax.fees import FeeFacts, fee_lines
from domain.tax.from_case import CaseFacts, TaxDeclaration, side_kind, tax_input_from_case
from domain.tax.holding import years_held
from domain.tax.inputs import TaxInput
from domain.tax.rates import RateBook, default_rates, parse_rates
from domain.tax.referred import referred_bill
from domain.tax.relationship import Relationship
from domain.tax.treatments import Treatments, default_treatments, parse_treatments

__all__ = [
    "CaseFacts",
    "FeeFacts",
    "FeeKind",
    "FeeLine",
    "FeeTable",
    "NoRulesInForce",
    "PartyKind",
    "Payer",
    "RateBook",
    "Referral",
    "Relationship",
    "TaxBill",
    "TaxDeclaration",
    "TaxInput",
    "TaxKind",
    "TaxLine",
    "Treatments",
    "UnknownTreatment",
    "Usage",
    "assess",
    "default_fees",
    "default_rates",
    "default_treatments",
    "fee_lines",
    "is_city_district",
    "parse_fees",
    "parse_rates",
    "parse_treatments",
    "referred_bill",
    "side_kind",
    "tax_input_from_case",
    "years_held",
]
