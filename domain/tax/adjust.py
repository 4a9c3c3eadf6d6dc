"""A tax clerk's adjustment of a computed bill: named lines get new amounts, totals follow.

Where the tax department decides by hand, the clerk confirms the engine's bill or corrects
it (a land-VAT referral assessed at the desk, a corrected tax base). A line is named by its
code and payer: a tax line by its tax kind (a :class:`TaxKind` value, ``deed_tax``), a fee
line by its fee kind (a :class:`FeeKind` value, ``registration_fee``); the engine bills at
most one line per code and payer. A tax the engine did not compute may be added (land VAT
after a referral); a fee follows a registration part of the case, so it may be changed but
never added. Every total is recomputed by :func:`make_bill`, as the engine's are.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from domain.tax.bill import FeeLine, TaxBill, TaxLine, charge, make_bill
from domain.tax.enums import FeeKind, Payer, TaxKind
from domain.tax.money import to_fen

TAX_DESK_RULE = "assessed at the tax desk"
"""The rule of a line the clerk added: the engine did not compute it."""
TAX_DESK_VERSION = "tax-desk"

_ORDER = {tax: i for i, tax in enumerate(TaxKind)}
TAX_CODES = frozenset(t.value for t in TaxKind)
FEE_CODES = frozenset(f.value for f in FeeKind)
LINE_CODES = TAX_CODES | FEE_CODES
"""Every code a bill line can have: the tax kinds and the fee kinds (no value is both)."""
L = TypeVar("L", TaxLine, FeeLine)


class NotAdjustable(ValueError):
    """An adjusted line the bill cannot take; ``index`` is its place in the adjustment."""

    def __init__(self, index: int, message: str) -> None:
        self.index = index
        super().__init__(message)


@dataclass(frozen=True)
class LineChange:
    """One line's amount before and after; ``before`` is None for a line the clerk added."""

    code: str
    payer: Payer
    before: Decimal | None
    after: Decimal


def line_code(line: TaxLine | FeeLine) -> str:
    """The code that names a line in an adjustment: its tax kind or its fee kind."""
    return line.tax.value if isinstance(line, TaxLine) else line.fee.value


def adjust(
    bill: TaxBill, amounts: Sequence[tuple[str, Payer, Decimal]]
) -> tuple[TaxBill, list[LineChange]]:
    """The bill with the named lines at the clerk's amounts, and what changed.

    ``amounts`` are (code, payer, amount in yuan); a line whose amount stays the same is
    not a change. A line that now owes something is no longer marked exempt.

    Raises:
        NotAdjustable: a code that names no tax or fee, a fee line the bill does not
            have, or a code and payer that name more than one line.
    """
    lines = list(bill.lines)
    fees = list(bill.fees)
    changes: list[LineChange] = []
    for index, (code, payer, amount) in enumerate(amounts):
        after = to_fen(amount)
        if code in TAX_CODES:
            found = [i for i, x in enumerate(lines) if x.tax.value == code and x.payer is payer]
            if not found:
                if payer is Payer.LENDER:
                    raise NotAdjustable(
                        index, f"the lender owes no tax, only its mortgage's fee: not {code}"
                    )
                lines.append(_desk_line(TaxKind(code), payer, after))
                changes.append(LineChange(code, payer, None, after))
                continue
            before = _replace(lines, found, after, index)
        elif code in FEE_CODES:
            found = [i for i, y in enumerate(fees) if y.fee.value == code and y.payer is payer]
            if not found:
                raise NotAdjustable(
                    index,
                    f"the bill has no {code} line for the {payer.value}; a fee follows a "
                    "registration of the case and cannot be added at the tax desk",
                )
            before = _replace(fees, found, after, index)
        else:
            raise NotAdjustable(index, f"{code!r} is neither a tax nor a fee")
        if before is not None:
            changes.append(LineChange(code, payer, before, after))
    lines.sort(key=lambda x: (_ORDER[x.tax], x.payer is Payer.SELLER))
    return make_bill(bill.business_type, bill.rules_as_of, lines, bill.referrals, fees), changes


def _replace(pool: list[L], found: list[int], after: Decimal, index: int) -> Decimal | None:
    """Put the one found line at ``after``; its old amount, or None if it stays the same."""
    if len(found) > 1:
        code, payer = line_code(pool[found[0]]), pool[found[0]].payer.value
        raise NotAdjustable(index, f"{code} for the {payer} names {len(found)} lines, not one")
    old = pool[found[0]]
    if old.amount == after:
        return None
    update: dict[str, object] = {"amount": after}
    if after > 0 and old.exempt:  # the exemption's reason stays in the computed bill
        update |= {"exempt": False, "exemption_reason": None}
    pool[found[0]] = old.model_copy(update=update)
    return old.amount


def _desk_line(tax: TaxKind, payer: Payer, amount: Decimal) -> TaxLine:
    """A tax the engine left to the desk: the clerk's amount is its whole trace."""
    return charge(
        tax, payer, base=amount, rate=Decimal(1), rule=TAX_DESK_RULE, rule_version=TAX_DESK_VERSION
    )
