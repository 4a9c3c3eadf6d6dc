"""The one way a case's facts become the engine's input, for the estimate and for the bill.

The service desk's estimate (``POST /tax/estimate``) gathers the facts from the request
body, the tax activity from the archive and the register; both hand them to
:func:`tax_input_from_case`, so that for the same facts the bill equals the estimate to the
fen. Neither side decides anything about taxes while gathering.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from domain.tax.enums import PartyKind, Usage
from domain.tax.inputs import TaxInput
from domain.tax.relationship import Relationship


class TaxDeclaration(BaseModel):
    """What the applicant declares for the taxes that the register does not hold.

    A case keeps it under ``facts["tax"]``. Every key is named here: an unknown one is
    refused, so a fact added to the case form cannot be silently left out of the bill.
    The rules (at least one home, no negative amounts, ...) are :class:`TaxInput`'s.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    buyer_home_count: int = 1
    seller_family_only_home: bool = False
    seller_original_taxes: Decimal = Decimal("0")
    relationship: Relationship | None = None
    exchange_price_difference: Decimal | None = None
    seller_invoice_vat: Decimal | None = None
    transferee_small_micro: bool = False


@dataclass(frozen=True)
class CaseFacts:
    """Everything a case knows that decides its taxes, however it was gathered.

    Attributes:
        business_type: the catalog code.
        price: declared price, VAT-inclusive (a gift: the assessed value).
        accepted_on: the acceptance date in the hall's time zone; its rules apply.
        area_m2, usage, city_district: the unit, as the register describes it.
        buyers, sellers: the kind of each party on each side (none: no transferor); the
            number of buyers is the number of certificates the title prints.
        seller_acquired_on: since when the sellers hold the unit (the holding tests).
        seller_original_price: the acquisition cost, only when it is proved.
        declared: the applicant's declaration.
        lenders: the kind of each lender registered for a mortgage (none: no mortgage).
    """

    business_type: str
    price: Decimal
    accepted_on: date
    area_m2: Decimal
    usage: Usage
    city_district: bool
    buyers: tuple[PartyKind, ...]
    sellers: tuple[PartyKind, ...]
    seller_acquired_on: date | None
    seller_original_price: Decimal | None
    declared: TaxDeclaration
    lenders: tuple[PartyKind, ...] = ()


def side_kind(kinds: Iterable[PartyKind]) -> PartyKind:
    """An enterprise on a side makes that side's taxes the enterprise ones.

    A side with no party (land granted by the state) counts as a person; no business type
    without a transferor computes the transferor's taxes.
    """
    return PartyKind.ENTERPRISE if PartyKind.ENTERPRISE in set(kinds) else PartyKind.PERSON


def tax_input_from_case(case: CaseFacts) -> TaxInput:
    """The engine's input for ``case``.

    Raises:
        pydantic.ValidationError: a fact breaks a rule of :class:`TaxInput`; each error's
            location is the ``TaxInput`` field, which the estimate request names alike.
    """
    declared = case.declared
    return TaxInput(
        business_type=case.business_type,
        price=case.price,
        area_m2=case.area_m2,
        usage=case.usage,
        buyer_kind=side_kind(case.buyers),
        seller_kind=side_kind(case.sellers),
        buyer_home_count=declared.buyer_home_count,
        sale_date=case.accepted_on,
        city_district=case.city_district,
        relationship=declared.relationship,
        seller_family_only_home=declared.seller_family_only_home,
        seller_acquired_on=case.seller_acquired_on,
        seller_original_price=case.seller_original_price,
        seller_original_taxes=declared.seller_original_taxes,
        exchange_price_difference=declared.exchange_price_difference,
        seller_invoice_vat=declared.seller_invoice_vat,
        transferees=len(case.buyers),
        lender_kind=side_kind(case.lenders) if case.lenders else None,
        transferee_small_micro=declared.transferee_small_micro,
    )
