"""The catalog, the tax treatments and the fee table describe the same business types."""

from __future__ import annotations

from domain.business_types import Department
from domain.catalog import get_catalog
from domain.tax import default_fees, default_treatments

CATALOG = get_catalog()
TAXED = {code for code, bt in CATALOG.business_types.items() if bt.takes_part(Department.TAX)}


def test_every_taxed_business_type_has_a_treatment_and_no_treatment_is_orphaned() -> None:
    treated = set(default_treatments().types)
    assert TAXED - treated == set(), "business types with tax but without a treatment"
    assert treated - set(CATALOG.business_types) == set(), "treatments for unknown types"


def test_a_type_the_tax_department_takes_no_part_in_has_no_treatment() -> None:
    untaxed = set(CATALOG.business_types) - TAXED
    assert {"mortgage_registration", "mortgage_cancellation"} <= untaxed
    assert untaxed & set(default_treatments().types) == set(), "treatment for an untaxed type"


def test_every_business_type_is_billed_unless_fee_exempt_without_tax() -> None:
    for code, bt in CATALOG.business_types.items():
        assert bt.materials, f"{code}: has no materials"
        assert bt.billed == (code in TAXED or not bt.fee_exempt), code
    assert not CATALOG.business_type("mortgage_cancellation").billed
    assert CATALOG.business_type("mortgage_registration").billed


def test_the_fee_table_knows_every_registration_kind_and_type_it_names() -> None:
    fees = default_fees()
    assert set(CATALOG.registration_kinds) <= set(fees.registration_kinds)
    assert set(fees.registration_kinds) <= set(CATALOG.registration_kinds)
    assert set(fees.business_types) <= set(CATALOG.business_types)
