"""What the catalog says about billing a business type: taxed or not, how it is registered.

The engine reads it by the business-type code, so the desk's estimate and the case's bill
take it from the same place and the estimate request does not restate it.
"""

from dataclasses import dataclass

from domain.business_types import Department
from domain.catalog import get_catalog


@dataclass(frozen=True)
class BillingProfile:
    """A catalog entry's billing facts.

    Attributes:
        taxed: the tax department takes part (a type without it is billed its fees alone).
        registration_kind: what the case records (transfer, mortgage_first, ...).
        fee_exempt: no registration fee is charged (a cancellation).
    """

    taxed: bool
    registration_kind: str
    fee_exempt: bool


def billing_profile(code: str) -> BillingProfile | None:
    """The billing facts of the catalog entry ``code``; None for a code it does not know."""
    bt = get_catalog().business_types.get(code)
    if bt is None:
        return None
    return BillingProfile(
        taxed=bt.takes_part(Department.TAX),
        registration_kind=bt.registration_kind,
        fee_exempt=bt.fee_exempt,
    )
