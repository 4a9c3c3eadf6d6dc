"""The business-type catalog and the unified material catalog, packaged and hand-written."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from domain.business_types import Applicants, BusinessType, DeadlineStep, Department
from domain.catalog import (
    Catalog,
    CatalogError,
    UnknownBusinessType,
    UnknownFact,
    UnknownMaterial,
    get_catalog,
    load_catalog,
)
from domain.departments import PARTICIPANTS
from domain.flows import Flow
from domain.materials import Material

CODES = [
    "new_home_sale",
    "existing_home_sale",
    "existing_home_sale_with_new_mortgage",
    "transfer_with_mortgage",
    "gift_transfer",
    "inheritance_transfer",
    "divorce_division_transfer",
    "spouse_change",
    "court_order_transfer",
    "judicial_auction_transfer",
    "commissioned_auction_transfer",
    "arbitral_award_transfer",
    "exchange_transfer",
    "capital_contribution_transfer",
    "debt_settlement_transfer",
    "enterprise_restructuring_transfer",
    "bankruptcy_transfer",
    "public_housing_sale",
    "affordable_housing_sale",
    "resettlement_transfer",
    "advance_notice_conversion",
    "land_use_right_transfer",
    "land_use_right_first_registration",
    "enterprise_non_residential_sale",
    "mortgage_registration",
    "mortgage_cancellation",
    "share_transfer",
    "individual_non_residential_sale",
]

CORE_MATERIALS = [
    "application_form",
    "id_document",
    "title_certificate",
    "sales_contract",
    "marital_status",
    "family_housing_record",
    "seller_acquisition_invoice",
    "sale_invoice",
    "power_of_attorney",
]

# A small, valid pair of files; each fault test breaks one thing in a copy.
MATERIALS = """
[[material]]
code = "application_form"
name_zh = "申请表"
name_en = "Application form"
departments = ["housing", "tax", "registration"]

[[material]]
code = "gift_contract"
name_zh = "赠与合同"
name_en = "Gift contract"
departments = ["tax", "registration"]

[[material]]
code = "family_housing_record"
name_zh = "家庭住房情况查询结果"
name_en = "Family housing record"
departments = ["tax"]

[[material]]
code = "power_of_attorney"
name_zh = "授权委托书"
name_en = "Power of attorney"
departments = ["housing", "tax", "registration"]
"""

BUSINESS_TYPES = """
[defaults.deadlines]
transaction_check = 1
tax_assessment = 1
payment = 10
registration = 3
collection = 10
overall = 5

[facts.agent_acts]
name_zh = "委托代理人办理的"
name_en = "an agent acts"

[registration_kinds.transfer]
name_zh = "转移登记"
name_en = "transfer registration"

[[business_type]]
code = "gift_transfer"
name_zh = "赠与转移登记"
name_en = "Transfer by gift"
departments = ["tax", "registration"]
registration_kind = "transfer"
applicants = "joint"
party_kinds = { buyer = ["person"], seller = ["person"] }
materials = [
  "application_form",
  "gift_contract",
  { material = "power_of_attorney", required_when = "agent_acts" },
]
flow = "transfer_gratuitous"

[[business_type]]
code = "existing_home_sale"
name_zh = "存量房买卖转移登记"
name_en = "Transfer on sale of existing housing"
departments = ["housing", "tax", "registration"]
registration_kind = "transfer"
applicants = "joint"
party_kinds = { buyer = ["person", "enterprise"], seller = ["person"] }
materials = ["application_form", "family_housing_record", "power_of_attorney"]
deadlines = { overall = 7 }
flow = "transfer_sale"
"""


def write_catalog(
    tmp_path: Path, materials: str = MATERIALS, business_types: str = BUSINESS_TYPES
) -> Catalog:
    materials_file = tmp_path / "materials.toml"
    types_file = tmp_path / "business_types.toml"
    materials_file.write_text(materials, encoding="utf-8")
    types_file.write_text(business_types, encoding="utf-8")
    return load_catalog(materials_file, types_file)


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"test setup: {old!r} should occur once"
    return text.replace(old, new)


# --- the packaged catalog ------------------------------------------------------


def test_packaged_catalog_has_the_28_business_types_in_order() -> None:
    assert list(get_catalog().business_types) == CODES


def test_packaged_catalog_is_loaded_once() -> None:
    assert get_catalog() is get_catalog()


def test_every_business_type_material_exists_in_the_material_catalog() -> None:
    catalog = get_catalog()
    for business_type in catalog.business_types.values():
        for requirement in business_type.materials:
            assert requirement.material in catalog.materials, (business_type.code, requirement)
            if requirement.required_when is not None:
                assert requirement.required_when in catalog.facts


def test_core_nine_materials_are_defined_once() -> None:
    catalog = get_catalog()
    assert set(CORE_MATERIALS) <= set(catalog.materials)
    assert all(isinstance(m, Material) for m in catalog.materials.values())


def test_every_business_type_has_names_registration_and_id_and_form() -> None:
    for business_type in get_catalog().business_types.values():
        assert business_type.name_zh and business_type.name_en
        assert business_type.takes_part(Department.REGISTRATION)
        # Tax-involved matters, and the mortgages that often ride with them (no tax: the
        # registration fee is their bill, or nothing for a cancellation).
        assert business_type.takes_part(Department.TAX) or business_type.flow is Flow.MORTGAGE
        assert {"application_form", "id_document"} <= set(business_type.material_codes)


def test_existing_home_sale_materials_and_conditions() -> None:
    business_type = get_catalog().business_type("existing_home_sale")
    conditions = {req.material: req.required_when for req in business_type.materials}
    assert conditions == {
        "application_form": None,
        "id_document": None,
        "title_certificate": None,
        "sales_contract": None,
        "marital_status": "family_home_relief",
        "family_housing_record": "family_home_relief",
        "seller_acquisition_invoice": "seller_cost_verified",
        "power_of_attorney": "agent_acts",
    }
    assert business_type.departments == frozenset(PARTICIPANTS)
    assert business_type.applicants is Applicants.JOINT
    assert business_type.registration_kind == "transfer"


def test_new_home_sale_needs_the_developer_invoice_not_a_title_certificate() -> None:
    codes = get_catalog().business_type("new_home_sale").material_codes
    assert "sale_invoice" in codes
    assert "title_certificate" not in codes


def test_single_party_matters_follow_the_regulation() -> None:
    catalog = get_catalog()
    for code in ("inheritance_transfer", "court_order_transfer", "arbitral_award_transfer"):
        assert catalog.business_type(code).applicants is Applicants.SINGLE
    assert catalog.business_type("land_use_right_first_registration").registration_kind == "first"


def test_existing_home_sale_hands_in_far_fewer_papers_at_one_window() -> None:
    counts = get_catalog().material_counts("existing_home_sale")
    assert (counts.one_window, counts.separately) == (8, 20)


def test_one_window_never_asks_more_than_the_departments_separately() -> None:
    catalog = get_catalog()
    for code in catalog.business_types:
        counts = catalog.material_counts(code)
        if len(catalog.business_type(code).departments) > 1:
            assert 0 < counts.one_window < counts.separately, code
        else:  # one department: nothing to share
            assert 0 < counts.one_window == counts.separately, code


def test_deadlines_of_the_packaged_catalog() -> None:
    catalog = get_catalog()
    for business_type in catalog.business_types.values():
        overall = business_type.deadlines[DeadlineStep.OVERALL]
        assert 0 < overall <= 30
        housing_step = DeadlineStep.TRANSACTION_CHECK in business_type.deadlines
        assert housing_step == business_type.takes_part(Department.HOUSING), business_type.code
    assert catalog.business_type("existing_home_sale").deadlines[DeadlineStep.OVERALL] == 5


def test_unconfirmed_values_are_marked_in_the_data_files() -> None:
    data = resources.files("domain") / "data"
    for name in ("materials.toml", "business_types.toml"):
        assert "# unconfirmed" in (data / name).read_text(encoding="utf-8"), name


def test_unknown_business_type_names_the_code_and_the_valid_ones() -> None:
    with pytest.raises(UnknownBusinessType) as caught:
        get_catalog().business_type("second_hand_sale")
    message = str(caught.value)
    assert "'second_hand_sale'" in message
    assert "existing_home_sale" in message and "new_home_sale" in message
    assert isinstance(caught.value, ValueError)
    assert caught.value.valid == CODES


def test_unknown_material_names_the_code() -> None:
    with pytest.raises(UnknownMaterial, match="'id_card'"):
        get_catalog().material("id_card")


def test_check_facts_refuses_a_typo() -> None:
    with pytest.raises(UnknownFact, match="'agent_act'"):
        get_catalog().check_facts({"agent_act": True})


# --- a hand-written catalog ----------------------------------------------------


def test_small_catalog_loads_with_defaults_and_overrides(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path)
    gift = catalog.business_type("gift_transfer")
    sale = catalog.business_type("existing_home_sale")
    assert isinstance(gift, BusinessType)
    assert gift.deadlines == {
        DeadlineStep.TAX_ASSESSMENT: 1,
        DeadlineStep.PAYMENT: 10,
        DeadlineStep.REGISTRATION: 3,
        DeadlineStep.COLLECTION: 10,
        DeadlineStep.OVERALL: 5,
    }
    assert sale.deadlines[DeadlineStep.OVERALL] == 7
    assert sale.deadlines[DeadlineStep.TRANSACTION_CHECK] == 1
    assert not gift.takes_part(Department.HOUSING)
    assert gift.materials[2].required_when == "agent_acts"


def test_material_counts_sum_each_departments_own_list(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path)
    # gift: tax and registration each use all three papers.
    gift = catalog.material_counts("gift_transfer")
    assert (gift.one_window, gift.separately) == (3, 6)
    # sale: housing 2 (form, attorney), tax 3, registration 2.
    sale = catalog.material_counts("existing_home_sale")
    assert (sale.one_window, sale.separately) == (3, 7)


BROKEN_TYPES = [
    pytest.param(
        '  "gift_contract",\n',
        '  "gift_contrat",\n',
        "business_types.toml: entry 'gift_transfer': field 'materials': "
        "unknown material 'gift_contrat'",
        id="unknown-material",
    ),
    pytest.param(
        'code = "existing_home_sale"',
        'code = "gift_transfer"',
        "entry 'gift_transfer': field 'code': duplicate code 'gift_transfer'",
        id="duplicate-code",
    ),
    pytest.param(
        'departments = ["tax", "registration"]',
        'departments = ["tax", "registraton"]',
        "business_types.toml: entry 'gift_transfer': field 'departments': "
        "unknown department 'registraton'; valid: housing, tax, registration",
        id="unknown-department",
    ),
    pytest.param(
        'departments = ["tax", "registration"]',
        'departments = ["tax"]',
        "entry 'gift_transfer': field 'departments': must include 'registration'",
        id="no-registration",
    ),
    pytest.param(
        "deadlines = { overall = 7 }",
        "deadlines = { overall = 31 }",
        "entry 'existing_home_sale': field 'deadlines': step 'overall': 31 working days "
        "exceeds the statutory limit of 30",
        id="overall-above-30",
    ),
    pytest.param(
        "deadlines = { overall = 7 }",
        "deadlines = { payment = 0 }",
        "entry 'existing_home_sale': field 'deadlines': step 'payment': "
        "expected a positive whole number, got 0",
        id="deadline-zero",
    ),
    pytest.param(
        "deadlines = { overall = 7 }",
        "deadlines = { registration = -2 }",
        "field 'deadlines': step 'registration': expected a positive whole number, got -2",
        id="deadline-negative",
    ),
    pytest.param(
        "deadlines = { overall = 7 }",
        "deadlines = { overall = 2.5 }",
        "field 'deadlines': step 'overall': expected a positive whole number, got 2.5",
        id="deadline-fraction",
    ),
    pytest.param(
        "deadlines = { overall = 7 }",
        'deadlines = { overall = "5" }',
        "field 'deadlines': step 'overall': expected a positive whole number, got '5'",
        id="deadline-text",
    ),
    pytest.param(
        "deadlines = { overall = 7 }",
        "deadlines = { overall = true }",
        "field 'deadlines': step 'overall': expected a positive whole number, got True",
        id="deadline-bool",
    ),
    pytest.param(
        "deadlines = { overall = 7 }",
        "deadlines = { overal = 7 }",
        "field 'deadlines': unknown step 'overal'",
        id="deadline-unknown-step",
    ),
    pytest.param(
        'applicants = "joint"\nparty_kinds = { buyer = ["person"], seller = ["person"] }\n'
        "materials = [\n",
        'applicants = "joint"\nparty_kinds = { buyer = ["person"], seller = ["person"] }\n'
        "deadlines = { transaction_check = 2 }\nmaterials = [\n",
        "entry 'gift_transfer': field 'deadlines': step 'transaction_check' given but "
        "housing does not take part",
        id="deadline-for-absent-department",
    ),
    pytest.param(
        'name_zh = "赠与转移登记"\n',
        "",
        "entry 'gift_transfer': field 'name_zh': missing (required)",
        id="missing-name-zh",
    ),
    pytest.param(
        'name_en = "Transfer by gift"',
        'name_en = "  "',
        "entry 'gift_transfer': field 'name_en': String should have at least 1 character",
        id="blank-name-en",
    ),
    pytest.param(
        'required_when = "agent_acts"',
        'required_when = "agent_act"',
        "entry 'gift_transfer': field 'materials': material 'power_of_attorney': "
        "unknown fact 'agent_act' in required_when",
        id="unknown-fact",
    ),
    pytest.param(
        'code = "gift_transfer"\nname_zh = "赠与转移登记"\nname_en = "Transfer by gift"\n'
        'departments = ["tax", "registration"]\nregistration_kind = "transfer"',
        'code = "gift_transfer"\nname_zh = "赠与转移登记"\nname_en = "Transfer by gift"\n'
        'departments = ["tax", "registration"]\nregistration_kind = "tranfer"',
        "entry 'gift_transfer': field 'registration_kind': unknown registration kind 'tranfer'",
        id="unknown-registration-kind",
    ),
    pytest.param(
        'code = "existing_home_sale"\nname_zh = "存量房买卖转移登记"\n'
        'name_en = "Transfer on sale of existing housing"\n'
        'departments = ["housing", "tax", "registration"]\nregistration_kind = "transfer"\n'
        'applicants = "joint"',
        'code = "existing_home_sale"\nname_zh = "存量房买卖转移登记"\n'
        'name_en = "Transfer on sale of existing housing"\n'
        'departments = ["housing", "tax", "registration"]\nregistration_kind = "transfer"\n'
        'applicants = "both"',
        "entry 'existing_home_sale': field 'applicants': Input should be 'joint' or 'single'",
        id="unknown-applicants",
    ),
    pytest.param(
        'party_kinds = { buyer = ["person"], seller = ["person"] }',
        'party_kinds = { buyer = ["persn"], seller = ["person"] }',
        "entry 'gift_transfer': field 'party_kinds': buyer[1]: Input should be 'person' or "
        "'enterprise'",
        id="unknown-party-kind",
    ),
    pytest.param(
        'applicants = "joint"\nparty_kinds = { buyer = ["person"], seller = ["person"] }\n'
        "materials = [\n",
        'applicants = "joint"\nparty_kinds = { buyer = ["person"], seller = ["person"] }\n'
        'departmens = ["tax"]\nmaterials = [\n',
        "entry 'gift_transfer': field 'departmens': unknown field",
        id="misspelt-field",
    ),
    pytest.param(
        'materials = ["application_form", "family_housing_record", "power_of_attorney"]',
        'materials = ["application_form", "power_of_attorney", "application_form"]',
        "entry 'existing_home_sale': field 'materials': material 'application_form' listed twice",
        id="material-listed-twice",
    ),
    pytest.param(
        "overall = 5\n",
        "overall = 45\n",
        "business_types.toml: [defaults] field 'deadlines': step 'overall': 45 working days",
        id="default-overall-above-30",
    ),
    pytest.param(
        'name_en = "an agent acts"',
        "",
        "[facts] entry 'agent_acts': field 'name_en': missing (required)",
        id="fact-without-name",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), BROKEN_TYPES)
def test_broken_business_types_file_is_refused(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    with pytest.raises(CatalogError, match=re.escape(expected)):
        write_catalog(tmp_path, business_types=replace_once(BUSINESS_TYPES, old, new))


BROKEN_MATERIALS = [
    pytest.param(
        'code = "gift_contract"',
        'code = "application_form"',
        "materials.toml: entry 'application_form': field 'code': duplicate code 'application_form'",
        id="duplicate-code",
    ),
    pytest.param(
        'departments = ["tax", "registration"]',
        'departments = ["tax", "land_bureau"]',
        "materials.toml: entry 'gift_contract': field 'departments': "
        "unknown department 'land_bureau'; valid: housing, tax, registration",
        id="unknown-department",
    ),
    pytest.param(
        'departments = ["tax"]',
        "departments = []",
        "materials.toml: entry 'family_housing_record': field 'departments': "
        "at least one department must use the material",
        id="no-department",
    ),
    pytest.param(
        'name_zh = "赠与合同"\n',
        "",
        "materials.toml: entry 'gift_contract': field 'name_zh': missing (required)",
        id="missing-name",
    ),
    pytest.param(
        'code = "gift_contract"',
        'code = "Gift Contract"',
        "materials.toml: entry 'Gift Contract': field 'code': String should match pattern",
        id="bad-code",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), BROKEN_MATERIALS)
def test_broken_materials_file_is_refused(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    with pytest.raises(CatalogError, match=re.escape(expected)):
        write_catalog(tmp_path, materials=replace_once(MATERIALS, old, new))


def test_bad_department_is_the_only_fault_reported(tmp_path: Path) -> None:
    broken = replace_once(BUSINESS_TYPES, '["tax", "registration"]', '["tax", "registraton"]')
    with pytest.raises(CatalogError) as caught:
        write_catalog(tmp_path, business_types=broken)
    assert str(caught.value).endswith("valid: housing, tax, registration")


def test_material_used_by_no_department_taking_part_is_refused(tmp_path: Path) -> None:
    materials = MATERIALS + (
        '\n[[material]]\ncode = "sales_contract"\nname_zh = "买卖合同"\n'
        'name_en = "Sales contract"\ndepartments = ["housing"]\n'
    )
    business_types = replace_once(BUSINESS_TYPES, '  "gift_contract",\n', '  "sales_contract",\n')
    with pytest.raises(
        CatalogError,
        match=re.escape(
            "entry 'gift_transfer': field 'materials': material 'sales_contract' is used only by "
            "housing, which does not take part"
        ),
    ):
        write_catalog(tmp_path, materials=materials, business_types=business_types)


def test_invalid_toml_is_refused_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"^materials\.toml: not valid TOML"):
        write_catalog(tmp_path, materials=MATERIALS + "\n[[material]\n")


def test_missing_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "materials.toml").write_text(MATERIALS, encoding="utf-8")
    with pytest.raises(CatalogError, match=r"^business_types\.toml: cannot read the file"):
        load_catalog(tmp_path / "materials.toml", tmp_path / "business_types.toml")


def test_file_without_entries_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=re.escape("materials.toml: no [[material]] entries")):
        write_catalog(tmp_path, materials="")


def test_unknown_top_level_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="unknown top-level key 'business_types'"):
        write_catalog(
            tmp_path,
            business_types=BUSINESS_TYPES.replace("[[business_type]]", "[[business_types]]"),
        )
