"""Identifiers met at the window: people, companies, units, certificates, parcels, cases.

Every validator raises :class:`InvalidIdentifier` naming the rule that failed,
so the clerk can tell the applicant what to correct.
"""

from domain.identifiers.case_number import CaseNumber, format_case_no, parse_case_no
from domain.identifiers.certificate_number import CertificateKind, CertificateNumber
from domain.identifiers.credit_code import validate_credit_code
from domain.identifiers.errors import InvalidIdentifier
from domain.identifiers.resident_id import validate_resident_id
from domain.identifiers.s10 import S10, make_s10, s10_check_digit, validate_s10
from domain.identifiers.unit_number import UnitNumber, parse_unit_number

__all__ = [
    "S10",
    "CaseNumber",
    "CertificateKind",
    "CertificateNumber",
    "InvalidIdentifier",
    "UnitNumber",
    "format_case_no",
    "make_s10",
    "parse_case_no",
    "parse_unit_number",
    "s10_check_digit",
    "validate_credit_code",
    "validate_resident_id",
    "validate_s10",
]
