"""The catalog and the tax treatments describe the same business types."""

from __future__ import annotations

from domain.business_types import Department
from domain.catalog import get_catalog
from domain.tax import default_treatments


def test_every_business_type_has_a_tax_treatment_and_no_treatment_is_orphaned() -> None:
    catalog_codes = set(get_catalog().business_types)
    treated = set(default_treatments().types)
    assert catalog_codes - treated == set(), "business types without a tax treatment"
    assert treated - catalog_codes == set(), "tax treatments for unknown business types"


def test_types_assessed_for_tax_take_the_tax_department() -> None:
    catalog = get_catalog()
    for code, bt in catalog.business_types.items():
        assert bt.takes_part(Department.TAX), f"{code}: every catalog entry is tax-involved"
        assert bt.materials, f"{code}: has no materials"
