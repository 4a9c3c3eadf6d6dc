"""Who acts on a case: the one department vocabulary, and which department each step is.

The values are stored (the `CaseDepartment` search attribute, the database, recorded workflow
histories), so a value never changes; add a member rather than rename one.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class Department(StrEnum):
    """Who holds a case, or takes part in it: the service desk, the three bodies that share
    the one window (each with its own legal powers), the applicant, or nobody (closed)."""

    SERVICE_DESK = "service_desk"
    HOUSING = "housing"
    TAX = "tax"
    REGISTRATION = "registration"
    APPLICANT = "applicant"
    NONE = "none"


PARTICIPANTS: Final = (Department.HOUSING, Department.TAX, Department.REGISTRATION)
"""The departments a business type can list as taking part, in the order of the case."""


class StepName(StrEnum):
    """The steps of a case as the progress page lists them, in order."""

    PRE_REVIEW = "pre_review"
    PUSH_DOCUMENTS = "push_documents"
    TRANSACTION_CHECK = "transaction_check"
    TAX_ASSESSMENT = "tax_assessment"
    PAYMENT = "payment"
    REGISTRATION = "registration"
    COLLECTION = "collection"


@dataclass(frozen=True)
class StepDepartments:
    """The two departments a step has: who holds the case during it, and whose taking part
    makes it run. Payment is held by the applicant but runs only where tax takes part."""

    holder: Department
    participant: Department | None
    """A member of :data:`PARTICIPANTS`, or None: every case has the step."""


STEP_DEPARTMENTS: Final = MappingProxyType(
    {
        StepName.PRE_REVIEW: StepDepartments(Department.SERVICE_DESK, None),
        StepName.PUSH_DOCUMENTS: StepDepartments(Department.SERVICE_DESK, None),
        StepName.TRANSACTION_CHECK: StepDepartments(Department.HOUSING, Department.HOUSING),
        StepName.TAX_ASSESSMENT: StepDepartments(Department.TAX, Department.TAX),
        StepName.PAYMENT: StepDepartments(Department.APPLICANT, Department.TAX),
        StepName.REGISTRATION: StepDepartments(Department.REGISTRATION, Department.REGISTRATION),
        # The certificate is registration's; every business type includes registration.
        StepName.COLLECTION: StepDepartments(Department.APPLICANT, Department.REGISTRATION),
    }
)
"""The one step → department map: progress, search attributes and deadlines all read it."""


def step_runs(step: StepName, departments: Collection[str]) -> bool:
    """Whether a case whose taking-part departments are ``departments`` runs ``step``.

    Department members or their values (a `CaseInput` carries the values).
    """
    participant = STEP_DEPARTMENTS[step].participant
    return participant is None or participant in departments
