"""How a finished step describes itself on the progress page.

One place for the words, shared by the workflow (its live progress) and the step activities
(the read side they write), so both say the same of the same result.
"""

from __future__ import annotations

from decimal import Decimal

from models.payloads import PushResult, RegistrationResult, TransactionCheckResult


def pushed(result: PushResult) -> str:
    return f"{result.documents} documents → {', '.join(result.departments)}"


def checked(result: TransactionCheckResult) -> str:
    contract = [f"contract {result.contract_no}"] if result.contract_no else []
    return "; ".join([*contract, *result.mortgages, *result.notes])


def assessed(total: Decimal) -> str:
    return f"total ¥{total}"


def registered(result: RegistrationResult) -> str:
    """Every number printed: an exchange one certificate per unit (the case's own first), a
    lien a proof for its lender; a cancellation prints nothing."""
    numbers = [result.certificate_no, *result.certificate_nos, *result.proof_nos]
    return "、".join(dict.fromkeys(n for n in numbers if n))
