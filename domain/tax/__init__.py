"""Tax engine of the one window: deed tax, VAT and surcharges, income tax, stamp duty, land VAT.

Rates come from ``domain/data/tax_rates.toml`` keyed by effective date, and the switches
per business type from ``domain/data/tax_treatments.toml``; :func:`assess` applies the
rules in force on the case's acceptance date and traces every line.
"""

from domain.tax.bill import Referral, TaxBill, TaxLine
from domain.tax.engine import assess
from domain.tax.enums import PartyKind, Payer, TaxKind, Usage
from domain.tax.errors import NoRulesInForce, UnknownTreatment
from domain.tax.holding import years_held
from domain.tax.inputs import TaxInput
from domain.tax.rates import RateBook, default_rates, parse_rates
from domain.tax.treatments import Treatments, default_treatments, parse_treatments

__all__ = [
    "NoRulesInForce",
    "PartyKind",
    "Payer",
    "RateBook",
    "Referral",
    "TaxBill",
    "TaxInput",
    "TaxKind",
    "TaxLine",
    "Treatments",
    "UnknownTreatment",
    "Usage",
    "assess",
    "default_rates",
    "default_treatments",
    "parse_rates",
    "parse_treatments",
    "years_held",
]
