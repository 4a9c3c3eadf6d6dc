"""Kinds of party: one vocabulary for the catalog (who may apply) and the tax engine (rates)."""

from enum import StrEnum


class PartyKind(StrEnum):
    """Natural person or enterprise: decides which taxes and identity documents apply."""

    PERSON = "person"
    ENTERPRISE = "enterprise"
