"""Liens at intake, through the real app: lenders and the mortgage on the case form.

By the catalog's registration kind: a first mortgage names its lender, amount and term and
no buyers; a cancellation its lender and the proof of the lien it releases; a sale with the
buyer's new mortgage the bank, amount and term; a 带押过户 all of it. Every other matter
refuses lenders and a mortgage. Each bad form is a 422 naming the field and the rule, with
nothing stored; the desk's pre-review names the same gaps.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import httpx
import pytest
from sqlmodel import col, func, select

from api.app import create_app
from api.schemas import CaseCreate
from api.services.case_intake import fingerprint
from devtools.demo_data import FLAT_MORTGAGED, FLAT_SALE, LI_SI, WANG_WU, ZHANG_SAN, ZHAO_LIU
from domain.catalog import get_catalog
from models.archive import Case, Party
from models.holds import PropertyHold
from models.register import Encumbrance, EncumbranceKind
from tests.conftest import Hall, staff_headers
from tests.e2e.walk import sale_body, upload_scans

BANK = "91420100MA4K2B3C05"
OTHER_BANK = "91420100MA4K2B3D06"
PROOF = "鄂(2024)武汉市不动产证明第0200001号"
DEMO_LIEN = "鄂(2015)武汉市不动产证明第0011223号"  # the demo register's lien on FLAT_MORTGAGED
TERMS = {"secured_amount": "800000.00", "term_start": "2026-12-01", "term_end": "2046-11-30"}


def _bank(id_number: str = BANK, name: str = "招商银行武汉分行") -> dict[str, str]:
    return {"name": name, "id_kind": "credit_code", "id_number": id_number, "phone": "13800000007"}


def _person(name: str, id_number: str, phone: str = "13800000009") -> dict[str, str]:
    return {"name": name, "id_number": id_number, "phone": phone}


OWNER = _person("张三", ZHANG_SAN, "13800000001")


def _papers(code: str) -> list[str]:
    return [r.material for r in get_catalog().business_type(code).materials if not r.conditional]


async def _mortgage(api: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    """A first mortgage of FLAT_SALE by its owner to BANK."""
    body: dict[str, Any] = {
        "business_type": "mortgage_registration",
        "unit_number": FLAT_SALE,
        "price": "800000.00",
        "sellers": [OWNER],
        "lenders": [_bank()],
        "mortgage": TERMS,
        "documents": await upload_scans(api, _papers("mortgage_registration")),
    }
    return body | overrides


async def _cancellation(api: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    """The release of BANK's lien PROOF on FLAT_SALE."""
    body: dict[str, Any] = {
        "business_type": "mortgage_cancellation",
        "unit_number": FLAT_SALE,
        "price": "800000.00",
        "sellers": [OWNER],
        "lenders": [_bank()],
        "mortgage": {"releases": PROOF},
        "documents": await upload_scans(api, _papers("mortgage_cancellation")),
    }
    return body | overrides


async def _sale_with_loan(api: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    """FLAT_SALE sold to 李四, who borrows from BANK against it."""
    docs = await upload_scans(api, _papers("existing_home_sale_with_new_mortgage"))
    body = sale_body(
        docs,
        business_type="existing_home_sale_with_new_mortgage",
        lenders=[_bank()],
        mortgage=TERMS,
    )
    return body | overrides


async def _carried(api: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    """带押过户: FLAT_MORTGAGED sold by 王五 to 赵六, the seller's lien released for the
    buyer's bank's new one."""
    docs = await upload_scans(api, _papers("transfer_with_mortgage"))
    body = sale_body(
        docs,
        business_type="transfer_with_mortgage",
        unit=FLAT_MORTGAGED,
        price="1200000.00",
        sellers=[_person("王五", WANG_WU, "13800000003")],
        buyers=[_person("赵六", ZHAO_LIU, "13800000005")],
        lenders=[_bank(OTHER_BANK, "中国银行武汉江汉支行")],
        mortgage=TERMS | {"releases": DEMO_LIEN},
    )
    return body | overrides


def _lien(hall: Hall, reference: str = PROOF, holder_id: str = BANK) -> None:
    """A lien of BANK on FLAT_SALE, in force, for a cancellation to release."""
    with hall.db.session() as session:
        session.add(
            Encumbrance(
                unit_number=FLAT_SALE,
                kind=EncumbranceKind.MORTGAGE,
                holder="招商银行武汉分行",
                reference=reference,
                holder_id_number=holder_id,
                registered_on=date(2024, 3, 1),
            )
        )


def _refused(response: httpx.Response) -> tuple[list[Any], str]:
    assert response.status_code == 422, response.text
    error = response.json()["detail"][0]
    return error["loc"], error["type"]


def _stored(hall: Hall) -> tuple[int, int]:
    """How many cases and parties the archive holds."""
    with hall.db.session() as session:
        cases = session.exec(select(func.count()).select_from(Case)).one()
        parties = session.exec(select(func.count()).select_from(Party)).one()
    return cases, parties


def _parties(hall: Hall, case_no: str) -> list[tuple[str, str, str]]:
    with hall.db.session() as session:
        rows = session.exec(select(Party).where(Party.case_no == case_no).order_by(col(Party.id)))
        return [(p.role, p.id_kind, p.id_number) for p in rows]


def _facts(hall: Hall, case_no: str) -> dict[str, Any]:
    with hall.db.session() as session:
        case = session.get(Case, case_no)
    assert case is not None
    return case.facts


def _without(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in keys}


# --- a first mortgage ------------------------------------------------------------------


async def test_a_mortgage_registration_is_accepted_with_its_lender_and_lien(
    hall: Hall, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        created = await api.post("/cases", json=await _mortgage(api))
        assert created.status_code == 201, created.text
    case_no = created.json()["case_no"]
    assert _parties(hall, case_no) == [
        ("seller", "resident_id", ZHANG_SAN),
        ("lender", "credit_code", BANK),
    ]
    assert _facts(hall, case_no)["mortgage"] == TERMS | {"releases": None}
    with hall.db.session() as session:
        lanes = session.exec(select(PropertyHold.lane).where(PropertyHold.case_no == case_no))
        assert list(lanes) == ["mortgage"]


MORTGAGE_RULES: list[tuple[str, dict[str, Any], list[Any], str]] = [
    ("no lender", {"lenders": []}, ["body", "lenders"], "lender_required"),
    (
        "a buyer",
        {"buyers": [_person("李四", LI_SI)]},
        ["body", "buyers"],
        "transferee_not_admitted",
    ),
    ("no owner", {"sellers": []}, ["body", "sellers"], "transferor_required"),
    (
        "no lien",
        {"mortgage": None},
        ["body", "mortgage", "secured_amount"],
        "secured_amount_required",
    ),
    (
        "no amount",
        {"mortgage": _without(TERMS, "secured_amount")},
        ["body", "mortgage", "secured_amount"],
        "secured_amount_required",
    ),
    (
        "no start",
        {"mortgage": _without(TERMS, "term_start")},
        ["body", "mortgage", "term_start"],
        "term_required",
    ),
    (
        "no end",
        {"mortgage": _without(TERMS, "term_end")},
        ["body", "mortgage", "term_end"],
        "term_required",
    ),
    (
        "ends before it starts",
        {"mortgage": TERMS | {"term_end": "2026-11-30"}},
        ["body", "mortgage", "term_end"],
        "term_order",
    ),
    (
        "ends the day it starts",
        {"mortgage": TERMS | {"term_end": TERMS["term_start"]}},
        ["body", "mortgage", "term_end"],
        "term_order",
    ),
    (
        "releases a lien",
        {"mortgage": TERMS | {"releases": PROOF}},
        ["body", "mortgage", "releases"],
        "releases_not_admitted",
    ),
    (
        "a title number for a proof",
        {"mortgage": TERMS | {"releases": "鄂(2024)武汉市不动产权第0123456号"}},
        ["body", "mortgage", "releases"],
        "string_pattern_mismatch",
    ),
    (
        "a zero amount",
        {"mortgage": TERMS | {"secured_amount": "0"}},
        ["body", "mortgage", "secured_amount"],
        "greater_than",
    ),
    (
        "a person lending",
        {"lenders": [_person("李四", LI_SI)]},
        ["body", "lenders", 0, "id_kind"],
        "value_error",
    ),
    (
        "a lender who is the owner",
        {"lenders": [_bank(), {**OWNER, "phone": "13800000008"}]},
        ["body", "lenders", 1, "id_number"],
        "duplicate_party",
    ),
    (
        "the same lender twice",
        {"lenders": [_bank(), _bank()]},
        ["body", "lenders", 1, "id_number"],
        "duplicate_party",
    ),
    ("six lenders", {"lenders": [_bank()] * 6}, ["body", "lenders"], "too_long"),
]


@pytest.mark.parametrize(
    ("change", "loc", "kind"),
    [rule[1:] for rule in MORTGAGE_RULES],
    ids=[rule[0] for rule in MORTGAGE_RULES],
)
async def test_a_mortgage_registration_breaking_a_rule_is_422_and_stores_nothing(
    hall: Hall, api_url: str, change: dict[str, Any], loc: list[Any], kind: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        response = await api.post("/cases", json=await _mortgage(api, **change))
    assert _refused(response) == (loc, kind)
    assert _stored(hall) == (0, 0)


async def test_a_second_mortgage_waits_for_the_first_but_a_sale_rides_with_it(
    hall: Hall, api_url: str
) -> None:
    # The catalog's rule: a group conflicts with itself, and mortgage rides with title.
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        first = await api.post("/cases", json=await _mortgage(api))
        assert first.status_code == 201, first.text
        second = await api.post("/cases", json=await _mortgage(api, lenders=[_bank(OTHER_BANK)]))
        assert second.status_code == 409, second.text
        error = second.json()["detail"][0]
        assert (error["type"], error["case_no"]) == ("property_held", first.json()["case_no"])
        sale = await api.post(
            "/cases", json=sale_body(await upload_scans(api, _papers("existing_home_sale")))
        )
        assert sale.status_code == 201, sale.text


async def test_a_repeated_mortgage_request_gets_its_case_back(hall: Hall, api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        body = await _mortgage(api)
        key = {"Idempotency-Key": "mortgage-0001"}
        first = await api.post("/cases", json=body, headers=key)
        again = await api.post("/cases", json=body, headers=key)
        other = await api.post(
            "/cases", json=body | {"mortgage": TERMS | {"secured_amount": "1.00"}}, headers=key
        )
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert again.json()["case_no"] == first.json()["case_no"]


def test_a_request_from_before_liens_keeps_its_fingerprint() -> None:
    # Pinned from the form before lenders and mortgage existed: a stored case's repeat
    # must still match it.
    body = CaseCreate.model_validate(
        {
            "business_type": "existing_home_sale",
            "unit_number": FLAT_SALE,
            "price": "2000000.00",
            "sellers": [{"name": "张三", "id_number": ZHANG_SAN, "phone": "13800000001"}],
            "buyers": [{"name": "李四", "id_number": LI_SI, "phone": "13800000002"}],
            "documents": [{"material": "application_form", "blob_key": "sha256/" + "a" * 64}],
            "tax_facts": {"buyer_home_count": 1},
        }
    )
    assert fingerprint(body) == "e5cd9e5469355a8edeacde80b9419a0e7f051ef77f87e3b64ade373faf585b93"


# --- a cancellation --------------------------------------------------------------------


async def test_a_cancellation_names_the_lien_it_releases(hall: Hall, api_url: str) -> None:
    _lien(hall)
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        # Full-width parentheses, as often typed: stored as the register writes them.
        written = PROOF.replace("(", "（").replace(")", "）")
        created = await api.post(
            "/cases", json=await _cancellation(api, mortgage={"releases": written})
        )
        assert created.status_code == 201, created.text
    case_no = created.json()["case_no"]
    assert _parties(hall, case_no) == [
        ("seller", "resident_id", ZHANG_SAN),
        ("lender", "credit_code", BANK),
    ]
    assert _facts(hall, case_no)["mortgage"] == {
        "secured_amount": None,
        "term_start": None,
        "term_end": None,
        "releases": PROOF,
    }


CANCELLATION_RULES: list[tuple[str, dict[str, Any], list[Any], str]] = [
    ("no lender", {"lenders": []}, ["body", "lenders"], "lender_required"),
    ("no proof", {"mortgage": None}, ["body", "mortgage", "releases"], "releases_required"),
    (
        "an amount",
        {"mortgage": {"releases": PROOF, "secured_amount": "800000.00"}},
        ["body", "mortgage", "secured_amount"],
        "secured_amount_not_admitted",
    ),
    (
        "a term",
        {"mortgage": {"releases": PROOF, "term_end": "2046-11-30"}},
        ["body", "mortgage", "term_end"],
        "term_not_admitted",
    ),
    (
        "a buyer",
        {"buyers": [_person("李四", LI_SI)]},
        ["body", "buyers"],
        "transferee_not_admitted",
    ),
    ("no owner", {"sellers": []}, ["body", "sellers"], "transferor_required"),
    (
        "a proof of serial zero",
        {"mortgage": {"releases": "鄂(2024)武汉市不动产证明第0000000号"}},
        ["body", "mortgage", "releases"],
        "value_error",
    ),
]


@pytest.mark.parametrize(
    ("change", "loc", "kind"),
    [rule[1:] for rule in CANCELLATION_RULES],
    ids=[rule[0] for rule in CANCELLATION_RULES],
)
async def test_a_cancellation_breaking_a_rule_is_422_and_stores_nothing(
    hall: Hall, api_url: str, change: dict[str, Any], loc: list[Any], kind: str
) -> None:
    _lien(hall)
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        response = await api.post("/cases", json=await _cancellation(api, **change))
    assert _refused(response) == (loc, kind)
    assert _stored(hall) == (0, 0)


async def test_a_cancellation_is_checked_against_the_register(hall: Hall, api_url: str) -> None:
    # A mortgage has no housing check: the desk asks the register for the lien it releases.
    _lien(hall)
    elsewhere = "鄂(2024)武汉市不动产证明第0200002号"
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        absent = await api.post(
            "/cases", json=await _cancellation(api, mortgage={"releases": elsewhere})
        )
        not_theirs = await api.post(
            "/cases", json=await _cancellation(api, lenders=[_bank(OTHER_BANK)])
        )
    assert _refused(absent) == (["body", "mortgage", "releases"], "mortgage_not_found")
    assert _refused(not_theirs)[0] == ["body", "lenders"]
    assert _stored(hall) == (0, 0)


# --- transfers with a lien -------------------------------------------------------------


async def test_a_sale_with_a_new_mortgage_names_the_buyers_bank(hall: Hall, api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        changes: list[dict[str, Any]] = [
            {"lenders": []},
            {"mortgage": None},
            {"mortgage": TERMS | {"releases": PROOF}},
            {"buyers": []},
        ]
        refusals = [
            await api.post("/cases", json=await _sale_with_loan(api, **change))
            for change in changes
        ]
        assert [_refused(r) for r in refusals] == [
            (["body", "lenders"], "lender_required"),
            (["body", "mortgage", "secured_amount"], "secured_amount_required"),
            (["body", "mortgage", "releases"], "releases_not_admitted"),
            (["body", "buyers"], "transferee_required"),
        ]
        assert _stored(hall) == (0, 0)
        created = await api.post("/cases", json=await _sale_with_loan(api))
        assert created.status_code == 201, created.text
    case_no = created.json()["case_no"]
    assert _parties(hall, case_no) == [
        ("seller", "resident_id", ZHANG_SAN),
        ("buyer", "resident_id", LI_SI),
        ("lender", "credit_code", BANK),
    ]
    assert _facts(hall, case_no)["mortgage"] == TERMS | {"releases": None}


async def test_a_transfer_with_the_mortgage_in_place_releases_the_sellers_lien(
    hall: Hall, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        changes: list[dict[str, Any]] = [
            {"mortgage": TERMS},
            {"mortgage": {"releases": DEMO_LIEN}},
            {"lenders": []},
        ]
        refusals = [
            await api.post("/cases", json=await _carried(api, **change)) for change in changes
        ]
        assert [_refused(r) for r in refusals] == [
            (["body", "mortgage", "releases"], "releases_required"),
            (["body", "mortgage", "secured_amount"], "secured_amount_required"),
            (["body", "lenders"], "lender_required"),
        ]
        assert _stored(hall) == (0, 0)
        created = await api.post("/cases", json=await _carried(api))
        assert created.status_code == 201, created.text
    case_no = created.json()["case_no"]
    assert [role for role, _, _ in _parties(hall, case_no)] == ["seller", "buyer", "lender"]
    assert _facts(hall, case_no)["mortgage"] == TERMS | {"releases": DEMO_LIEN}


# --- every other matter ----------------------------------------------------------------


async def test_a_plain_sale_refuses_lenders_and_a_mortgage(hall: Hall, api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, _papers("existing_home_sale"))
        lent = await api.post("/cases", json=sale_body(docs, lenders=[_bank()]))
        liened = await api.post("/cases", json=sale_body(docs, mortgage=TERMS))
        empty = await api.post("/cases", json=sale_body(docs, mortgage={}))
    assert _refused(lent) == (["body", "lenders"], "lender_not_admitted")
    assert _refused(liened) == (["body", "mortgage"], "mortgage_not_admitted")
    assert _refused(empty) == (["body", "mortgage"], "mortgage_not_admitted")
    assert _stored(hall) == (0, 0)


# --- pre-review ------------------------------------------------------------------------


async def test_pre_review_names_what_a_lien_lacks(hall: Hall, api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:

        async def review(code: str, **form: Any) -> dict[str, Any]:
            body = {"business_type": code, "presented": _papers(code), **form}
            response = await api.post("/pre-review", json=body)
            assert response.status_code == 200, response.text
            result: dict[str, Any] = response.json()
            return result

        mortgage = await review("mortgage_registration", sellers=1, buyers=1, lenders=0)
        cancellation = await review(
            "mortgage_cancellation", lenders=1, mortgage={"secured_amount": "1.00"}
        )
        sale = await review("existing_home_sale", sellers=1, lenders=1, mortgage=TERMS)
        late = await review(
            "mortgage_registration", mortgage=TERMS | {"term_end": TERMS["term_start"]}
        )
        whole = await review(
            "mortgage_registration", sellers=1, buyers=0, lenders=1, mortgage=TERMS
        )
    lacks = [[(i["field"], i["type"]) for i in r["form"]] for r in (mortgage, cancellation, sale)]
    assert lacks[0] == [
        (["buyers"], "transferee_not_admitted"),
        (["lenders"], "lender_required"),
        (["mortgage", "secured_amount"], "secured_amount_required"),
        (["mortgage", "term_start"], "term_required"),
        (["mortgage", "term_end"], "term_required"),
    ]
    assert "抵押权人" in mortgage["notice_zh"] and "lender" in mortgage["notice_en"]
    assert lacks[1] == [
        (["mortgage", "secured_amount"], "secured_amount_not_admitted"),
        (["mortgage", "releases"], "releases_required"),
    ]
    assert lacks[2] == [
        (["lenders"], "lender_not_admitted"),
        (["mortgage"], "mortgage_not_admitted"),
    ]
    assert [(i["field"], i["type"]) for i in late["form"]] == [
        (["mortgage", "term_end"], "term_order")
    ]
    assert [r["complete"] for r in (mortgage, cancellation, sale, late, whole)] == [
        False,
        False,
        False,
        False,
        True,
    ]


# --- what the schema publishes ---------------------------------------------------------


def test_the_schema_publishes_the_lien_fields_and_their_bounds() -> None:
    schemas = create_app().openapi()["components"]["schemas"]
    case = schemas["CaseCreate"]
    assert "buyers" not in case["required"]  # asked per flow (a mortgage names none)
    assert case["properties"]["lenders"]["maxItems"] == 5
    (proof,) = [
        b for b in schemas["MortgageIn"]["properties"]["releases"]["anyOf"] if "pattern" in b
    ]
    assert re.fullmatch(proof["pattern"], PROOF)
    assert re.fullmatch(proof["pattern"], PROOF.replace("(", "（").replace(")", "）"))
    assert not re.fullmatch(proof["pattern"], "鄂(2024)武汉市不动产权第0123456号")
    amount = schemas["MortgageIn"]["properties"]["secured_amount"]["anyOf"][0]["anyOf"]
    assert [b["type"] for b in amount] == ["string", "number"]
