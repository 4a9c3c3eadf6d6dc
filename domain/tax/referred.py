"""The bill of a case the engine cannot assess: nothing computed, all of it to the tax desk."""

from datetime import date

from domain.tax.bill import Referral, TaxBill, make_bill
from domain.tax.treatments import NO_TAX_TREATMENT, Treatments, default_treatments


def referred_bill(
    business_type: str, rules_as_of: date, *, treatments: Treatments | None = None
) -> TaxBill:
    """A bill with no line and one referral saying the tax desk assesses the whole case.

    Its total is zero because nothing was computed, not because nothing is due: readers
    tell the two apart by the ``no_tax_treatment`` referral.
    """
    text = (treatments or default_treatments()).referrals[NO_TAX_TREATMENT]
    referral = Referral(code=NO_TAX_TREATMENT, reason_zh=text.reason_zh, reason_en=text.reason_en)
    return make_bill(business_type, rules_as_of, [], [referral])
