"""The bill: one traced line per tax and per fee, totals per payer, referrals to the tax desk."""

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, field_validator

from domain.tax.enums import FEE_NAMES, TAX_NAMES, FeeKind, Payer, TaxKind
from domain.tax.money import ZERO, to_fen


class Charge(BaseModel):
    """What a tax line and a fee line share: who owes how much, under which rule."""

    model_config = ConfigDict(frozen=True)

    name_zh: str
    name_en: str
    payer: Payer
    amount: Decimal
    rule: str
    rule_version: str
    exempt: bool = False
    exemption_reason: str | None = None

    @field_validator("amount")
    @classmethod
    def _to_fen(cls, value: Decimal) -> Decimal:
        return to_fen(value)


class TaxLine(Charge):
    """One tax owed (or exempted) by one party, with how it was computed.

    ``base``, ``rate``, ``rule`` and ``rule_version`` are the trace an applicant or an
    auditor follows: amount = base × rate, rounded to the fen, under the rate-table row
    named by ``rule_version``.
    """

    tax: TaxKind
    base: Decimal
    rate: Decimal


def charge(
    tax: TaxKind,
    payer: Payer,
    base: Decimal,
    rate: Decimal,
    rule: str,
    rule_version: str,
    amount: Decimal | None = None,
) -> TaxLine:
    """A line that is due: amount = base × rate unless the formula differs (VAT)."""
    zh, en = TAX_NAMES[tax]
    return TaxLine(
        tax=tax,
        name_zh=zh,
        name_en=en,
        payer=payer,
        base=base,
        rate=rate,
        amount=base * rate if amount is None else amount,
        rule=rule,
        rule_version=rule_version,
    )


def exemption(
    tax: TaxKind, payer: Payer, base: Decimal, rule: str, rule_version: str, reason: str
) -> TaxLine:
    """A zero line that tells the applicant why nothing is due."""
    zh, en = TAX_NAMES[tax]
    return TaxLine(
        tax=tax,
        name_zh=zh,
        name_en=en,
        payer=payer,
        base=base,
        rate=Decimal("0"),
        amount=ZERO,
        rule=rule,
        rule_version=rule_version,
        exempt=True,
        exemption_reason=reason,
    )


class FeeLine(Charge):
    """One fee owed (or waived) by one party: amount = quantity × unit amount.

    A fee is not a tax: the registration bureau charges it, so it stays out of
    :attr:`TaxBill.lines` but counts in the payer's total. ``registration`` is the part of
    the case it pays for (title, mortgage); ``rule`` says how the amount was found,
    ``rule_version`` and ``source`` name the fee-table row and its authority.
    """

    fee: FeeKind
    registration: str
    quantity: int
    unit_amount: Decimal
    source: str


def fee_line(
    fee: FeeKind,
    payer: Payer,
    registration: str,
    quantity: int,
    unit_amount: Decimal,
    rule: str,
    rule_version: str,
    *,
    source: str,
    exemption_reason: str | None = None,
) -> FeeLine:
    """A fee line; with ``exemption_reason`` a zero line saying why nothing is due."""
    zh, en = FEE_NAMES[fee]
    exempt = exemption_reason is not None
    return FeeLine(
        fee=fee,
        name_zh=zh,
        name_en=en,
        payer=payer,
        registration=registration,
        quantity=quantity,
        unit_amount=unit_amount,
        amount=ZERO if exempt else quantity * unit_amount,
        rule=rule,
        rule_version=rule_version,
        source=source,
        exempt=exempt,
        exemption_reason=exemption_reason,
    )


class Referral(BaseModel):
    """A matter for the dedicated tax desk, flagged rather than computed."""

    model_config = ConfigDict(frozen=True)

    code: str
    reason_zh: str
    reason_en: str


class TaxBill(BaseModel):
    """The estimate for one case under the rules in force on ``rules_as_of``.

    ``lines`` are the taxes, ``fees`` the registration fees; ``totals`` (every payer, zero
    included) and ``total`` add up both.
    """

    model_config = ConfigDict(frozen=True)

    business_type: str
    rules_as_of: date
    lines: list[TaxLine]
    # Empty in bills stored before fees were billed.
    fees: list[FeeLine] = []
    totals: dict[Payer, Decimal]
    total: Decimal
    referrals: list[Referral]

    def line(self, tax: TaxKind, payer: Payer | None = None) -> TaxLine:
        """The only line of ``tax`` (for ``payer`` if given).

        Raises:
            KeyError: there is no such line, or more than one.
        """
        found = [x for x in self.lines if x.tax is tax and (payer is None or x.payer is payer)]
        if len(found) != 1:
            raise KeyError(f"{tax} ({payer or 'any payer'}): {len(found)} lines")
        return found[0]

    def fee(self, fee: FeeKind, payer: Payer | None = None) -> FeeLine:
        """The only fee line of ``fee`` (for ``payer`` if given).

        Raises:
            KeyError: there is no such line, or more than one.
        """
        found = [x for x in self.fees if x.fee is fee and (payer is None or x.payer is payer)]
        if len(found) != 1:
            raise KeyError(f"{fee} ({payer or 'any payer'}): {len(found)} lines")
        return found[0]


def make_bill(
    business_type: str,
    rules_as_of: date,
    lines: list[TaxLine],
    referrals: list[Referral],
    fees: list[FeeLine] | None = None,
) -> TaxBill:
    """Assemble a bill, summing each payer's taxes and fees (every payer always present)."""
    charged: list[TaxLine | FeeLine] = [*lines, *(fees or [])]
    totals = {p: sum((x.amount for x in charged if x.payer is p), ZERO) for p in Payer}
    unique = list({r.code: r for r in referrals}.values())
    return TaxBill(
        business_type=business_type,
        rules_as_of=rules_as_of,
        lines=lines,
        fees=fees or [],
        totals=totals,
        total=sum(totals.values(), ZERO),
        referrals=unique,
    )
