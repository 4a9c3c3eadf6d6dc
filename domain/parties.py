"""Kinds of party: one vocabulary for the catalog (who may apply) and the tax engine (rates)."""

from enum import StrEnum


class PartyKind(StrEnum):
    """Natural person or enterprise: decides which taxes and identity documents apply."""

    PERSON = "person"
    ENTERPRISE = "enterprise"


# The identifier a party shows decides its kind: an identity card or a credit code.
PARTY_KIND_BY_ID: dict[str, PartyKind] = {
    "resident_id": PartyKind.PERSON,
    "credit_code": PartyKind.ENTERPRISE,
}
