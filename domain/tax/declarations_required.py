"""Which declarations a case must carry for its bill: checked at intake, not at the tax step.

A gift declared as being to a close relative needs the relationship (it decides which
exemptions apply), and an exchange needs the price difference (the deed-tax base). Missing,
the tax step could only refuse the case after the applicant has queued; at intake the
clerk gets a 422 naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.tax.from_case import TaxDeclaration
from domain.tax.relationship import Relationship
from domain.tax.treatments import DeedBase, Treatment

CLOSE_RELATIVE_FACT = "close_relative_gift"


def missing_declarations(
    treatment: Treatment | None, conditions: Mapping[str, bool], declared: TaxDeclaration
) -> list[tuple[str, str]]:
    """Each missing declaration as (field of the tax facts, the rule it breaks)."""
    missing = []
    if (
        treatment is not None
        and treatment.relationship_exempt
        and conditions.get(CLOSE_RELATIVE_FACT)
        and declared.relationship is None
    ):
        kinds = ", ".join(r.value for r in Relationship)
        missing.append(
            (
                "relationship",
                f"required when {CLOSE_RELATIVE_FACT} is declared: one of {kinds}",
            )
        )
    if (
        treatment is not None
        and treatment.deed_base == DeedBase.PRICE_DIFFERENCE
        and declared.exchange_price_difference is None
    ):
        missing.append(
            (
                "exchange_price_difference",
                "required for an exchange: what the transferee pays on top (0 if none)",
            )
        )
    return missing
