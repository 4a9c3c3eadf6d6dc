"""Pre-review (预审): every missing or unfit paper in one notice."""

from __future__ import annotations

import pytest

from domain.catalog import UnknownBusinessType, UnknownFact, get_catalog
from domain.prereview import PreReviewResult, pre_review

ALWAYS = ["application_form", "id_document", "title_certificate", "sales_contract"]


def review(presented: list[str], **facts: bool) -> PreReviewResult:
    return pre_review(get_catalog(), "existing_home_sale", presented, facts)


def test_complete_set_passes_and_says_so() -> None:
    result = review(ALWAYS)
    assert result.complete
    assert result.missing == [] and result.unexpected == []
    assert result.required == ALWAYS
    assert "已齐全" in result.notice_zh
    assert "all 4 required materials are present" in result.notice_en


def test_nothing_presented_lists_every_missing_item_at_once() -> None:
    result = review([], agent_acts=True, family_home_relief=True, seller_cost_verified=True)
    catalog = get_catalog()
    expected = [*ALWAYS, "marital_status", "family_housing_record"]
    expected += ["seller_acquisition_invoice", "power_of_attorney"]
    assert not result.complete
    assert [issue.code for issue in result.missing] == expected
    assert {issue.reason for issue in result.missing} == {"missing"}
    assert "尚缺以下8项材料" in result.notice_zh
    assert "8 materials are missing" in result.notice_en
    for number, code in enumerate(expected, start=1):
        material = catalog.material(code)
        assert f"{number}. {material.name_zh}" in result.notice_zh
        assert f"{number}. {material.name_en}" in result.notice_en


def test_conditional_material_needed_only_when_its_fact_holds() -> None:
    without_agent = review(ALWAYS)
    with_agent = review(ALWAYS, agent_acts=True)
    said_no = review(ALWAYS, agent_acts=False)
    assert "power_of_attorney" not in without_agent.required
    assert said_no.complete and without_agent.complete
    assert [issue.code for issue in with_agent.missing] == ["power_of_attorney"]
    assert with_agent.missing[0].required_when == "agent_acts"
    assert "授权委托书及代理人身份证明（委托代理人办理的）" in with_agent.notice_zh


def test_family_home_relief_needs_both_family_papers() -> None:
    result = review([*ALWAYS, "marital_status"], family_home_relief=True)
    assert [issue.code for issue in result.missing] == ["family_housing_record"]


def test_duplicates_and_order_of_presented_papers_do_not_matter() -> None:
    result = review(list(reversed(ALWAYS)) + ["id_document", "id_document"])
    assert result.complete
    assert result.unexpected == []


def test_unknown_and_superfluous_papers_are_reported_without_blocking() -> None:
    result = review([*ALWAYS, "gift_contract", "hukou_scan", "power_of_attorney"])
    reasons = {issue.code: issue.reason for issue in result.unexpected}
    assert result.complete
    assert reasons == {
        "gift_contract": "not needed for this business type",
        "hukou_scan": "unknown material code",
        "power_of_attorney": "not needed unless 'agent_acts' applies",
    }
    assert "赠与合同" in result.notice_zh and "hukou_scan" in result.notice_zh
    assert "Unknown material codes: hukou_scan." in result.notice_en


def test_unknown_fact_is_an_error_naming_it() -> None:
    with pytest.raises(UnknownFact, match="unknown fact 'agent_act'") as caught:
        review(ALWAYS, agent_act=True)
    assert caught.value.fact == "agent_act"
    assert "agent_acts" in caught.value.valid


def test_fact_value_must_be_true_or_false() -> None:
    with pytest.raises(ValueError, match="fact 'agent_acts': expected true or false, got 'yes'"):
        pre_review(get_catalog(), "existing_home_sale", ALWAYS, {"agent_acts": "yes"})  # type: ignore[dict-item]


def test_unknown_business_type_is_an_error_naming_it() -> None:
    with pytest.raises(UnknownBusinessType, match="unknown business type 'second_hand'"):
        pre_review(get_catalog(), "second_hand", ALWAYS)


def test_a_single_string_is_not_taken_for_a_list_of_codes() -> None:
    with pytest.raises(ValueError, match="presented: expected a list"):
        pre_review(get_catalog(), "existing_home_sale", "application_form")


def test_notes_of_the_business_type_appear_in_the_notice() -> None:
    result = pre_review(get_catalog(), "divorce_division_transfer", ["application_form"])
    marital = next(issue for issue in result.missing if issue.code == "marital_status")
    assert marital.note_zh == "离婚证"
    assert "婚姻状况证明（结婚证、离婚证或书面声明）及户口簿（离婚证）" in result.notice_zh


def test_every_business_type_is_complete_with_its_unconditional_papers() -> None:
    catalog = get_catalog()
    for code, business_type in catalog.business_types.items():
        always = [req.material for req in business_type.materials if not req.conditional]
        result = pre_review(catalog, code, always)
        assert result.complete, code
        assert result.required == always
