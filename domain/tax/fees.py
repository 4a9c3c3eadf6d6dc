"""Registration fees (不动产登记费) of a case: pure rules over the facts and the fee table.

The bureau charges per registration (件) by the unit's usage, plus a fee for every
certificate beyond the first; the party registered as owner pays the title's fee, the party
registered as lender the mortgage's (财税〔2016〕79号). Amounts and parts live in
``domain/data/fees.toml``.
"""

from dataclasses import dataclass
from datetime import date

from domain.tax.bill import FeeLine, fee_line
from domain.tax.enums import FeeKind, Payer, Usage
from domain.tax.fee_table import FeePart, FeeRates, FeeTable, default_fees


@dataclass(frozen=True)
class FeeFacts:
    """What decides a case's fees.

    Attributes:
        business_type: the catalog code (a type may override its kind's parts).
        registration_kind: the catalog's registration kind (transfer, mortgage_first, ...).
        fee_exempt: the catalog exempts the type (a cancellation): nothing is billed.
        usage: the unit's planned use: the per-case amount.
        transferees: how many parties become owners; each beyond the first takes a
            certificate of their own.
        lender_present: a lender is registered: the mortgage part is billed to it.
        on: the acceptance date; the amounts in force on it apply.
        transferee_small_micro: the transferee declared itself a small or micro enterprise.
    """

    business_type: str
    registration_kind: str
    fee_exempt: bool
    usage: Usage
    transferees: int
    lender_present: bool
    on: date
    transferee_small_micro: bool = False


def fee_lines(facts: FeeFacts, table: FeeTable | None = None) -> list[FeeLine]:
    """The fee lines of a case: per part a registration fee, then any certificate fees.

    Raises:
        NoRulesInForce: no amounts were in force on ``facts.on``.
        ValueError: the registration kind has no entry in the fee table.
    """
    if facts.fee_exempt:
        return []
    book = table or default_fees()
    parts = book.parts_of(facts.business_type, facts.registration_kind)
    if not parts:
        return []
    row = book.on(facts.on)
    zero = book.zero_reason(facts.business_type)
    lines: list[FeeLine] = []
    for code in parts:
        part = book.parts[code]
        if part.payer is Payer.LENDER and not facts.lender_present:
            continue  # no lender registered, no mortgage to bill
        lines.extend(_part_lines(code, part, row, facts, zero))
    return lines


def _part_lines(
    code: str, part: FeePart, row: FeeRates, facts: FeeFacts, zero: str | None
) -> list[FeeLine]:
    residential = facts.usage is Usage.RESIDENTIAL
    unit = row.residential if residential else row.non_residential
    usage = "residential" if residential else "non-residential"
    rule = f"{part.name_en}, {usage} unit: {unit} yuan per case, paid by the {part.payer.value}"
    waived = zero
    if (
        waived is None
        and row.small_micro_enterprise_exempt
        and facts.transferee_small_micro
        and part.payer is Payer.BUYER
    ):
        waived = "small and micro enterprises pay no registration fee"
    lines = [
        fee_line(
            FeeKind.REGISTRATION,
            part.payer,
            code,
            1,
            unit,
            rule,
            row.id,
            source=row.source,
            exemption_reason=waived,
        )
    ]
    extra = facts.transferees - 1
    if part.certificates and extra > 0:
        lines.append(
            fee_line(
                FeeKind.CERTIFICATE,
                part.payer,
                code,
                extra,
                row.extra_certificate,
                f"{extra} certificate(s) beyond the first, one per further transferee: "
                f"{row.extra_certificate} yuan each",
                row.id,
                source=row.source,
                exemption_reason=zero,
            )
        )
    return lines
