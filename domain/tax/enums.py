"""Closed vocabularies of the tax engine, shared by the API and the workflows."""

from enum import StrEnum

from domain.parties import PartyKind

__all__ = ["FeeKind", "PartyKind", "Payer", "TaxKind", "Usage"]


class Usage(StrEnum):
    """Planned use of the unit: the housing reliefs apply to residential units only."""

    RESIDENTIAL = "residential"
    NON_RESIDENTIAL = "non_residential"


class Payer(StrEnum):
    """Who owes a line: buyer (transferee), seller (transferor) or lender (mortgagee).

    The lender owes no tax here, only the registration fee of the mortgage it is registered
    for (财税〔2016〕79号).
    """

    BUYER = "buyer"
    SELLER = "seller"
    LENDER = "lender"


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


class FeeKind(StrEnum):
    """Every fee the one window bills with the taxes (发改价格规〔2016〕2559号)."""

    REGISTRATION = "registration_fee"
    CERTIFICATE = "certificate_fee"


FEE_NAMES: dict[FeeKind, tuple[str, str]] = {
    FeeKind.REGISTRATION: ("不动产登记费", "real-estate registration fee"),
    FeeKind.CERTIFICATE: ("证书工本费", "fee for an extra certificate"),
}
