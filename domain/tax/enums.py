"""Closed vocabularies of the tax engine, shared by the API and the workflows."""

from enum import StrEnum

from domain.parties import PartyKind

__all__ = ["PartyKind", "Payer", "TaxKind", "Usage"]


class Usage(StrEnum):
    """Planned use of the unit: the housing reliefs apply to residential units only."""

    RESIDENTIAL = "residential"
    NON_RESIDENTIAL = "non_residential"


class Payer(StrEnum):
    """Side of the transfer that owes a line: buyer (transferee) or seller (transferor)."""

    BUYER = "buyer"
    SELLER = "seller"


class TaxKind(StrEnum):
    """Every tax the one window estimates."""

    DEED = "deed_tax"
    VAT = "vat"
    URBAN_CONSTRUCTION = "urban_construction_tax"
    EDUCATION = "education_surcharge"
    LOCAL_EDUCATION = "local_education_surcharge"
    PIT = "individual_income_tax"
    STAMP = "stamp_duty"
    LAND_VAT = "land_value_added_tax"


TAX_NAMES: dict[TaxKind, tuple[str, str]] = {
    TaxKind.DEED: ("契税", "deed tax"),
    TaxKind.VAT: ("增值税", "value-added tax"),
    TaxKind.URBAN_CONSTRUCTION: ("城市维护建设税", "urban maintenance and construction tax"),
    TaxKind.EDUCATION: ("教育费附加", "education surcharge"),
    TaxKind.LOCAL_EDUCATION: ("地方教育附加", "local education surcharge"),
    TaxKind.PIT: ("个人所得税", "individual income tax"),
    TaxKind.STAMP: ("印花税", "stamp duty"),
    TaxKind.LAND_VAT: ("土地增值税", "land value-added tax"),
}
