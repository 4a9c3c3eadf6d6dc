"""The case form per flow, through the real app: what each flow needs is asked at intake.

Transferors by flow (none for a first registration), the number of the decision a transfer
rests on, the relationship behind a gratuitous transfer and its proof, and an exchange's
second unit (held with the first). Every bad form is a 422 naming the field and the rule,
and nothing is stored; the desk's pre-review names the same gaps.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlmodel import col, func, select

from api.services import case_intake
from devtools.demo_data import (
    FLAT_MORTGAGED,
    FLAT_SALE,
    FLAT_SEIZED,
    QIAN_QI,
    SUN_BA,
    WANG_WU,
    ZHANG_SAN,
    ZHAO_LIU,
)
from domain.catalog import get_catalog
from models.archive import Case, Party
from models.holds import PropertyHold
from models.register import Property
from tests.conftest import Hall, staff_headers
from tests.e2e.walk import sale_body, upload_scans

LAND = "420103001005GB00099W00000000"
DEVELOPER = {
    "name": "武汉甲置业有限公司",
    "id_kind": "credit_code",
    "id_number": "91420100MA4K2B3C05",
    "phone": "13800000004",
}
RELATIONSHIP = ["body", "tax_facts", "relationship"]
DECISION = "(2026)鄂0103民初1234号"


def _person(name: str, id_number: str, phone: str = "13800000009") -> dict[str, str]:
    return {"name": name, "id_number": id_number, "phone": phone}


def _papers(code: str, *extra: str) -> list[str]:
    """The unconditional materials of the business type, and any extra ones."""
    always = [r.material for r in get_catalog().business_type(code).materials if not r.conditional]
    return [*always, *extra]


async def _post(api: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    return await api.post("/cases", json=body)


def _refused(response: httpx.Response) -> tuple[list[Any], str]:
    assert response.status_code == 422, response.text
    error = response.json()["detail"][0]
    return error["loc"], error["type"]


def _cases(hall: Hall) -> int:
    with hall.db.session() as session:
        return session.exec(select(func.count()).select_from(Case)).one()


async def _inheritance(api: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    docs = await upload_scans(api, _papers("inheritance_transfer"))
    body = sale_body(
        docs,
        business_type="inheritance_transfer",
        price="900000.00",
        decision_no="(2026)鄂武汉江汉证字第0042号",
        tax_facts={"buyer_home_count": 1, "relationship": "child"},
    )
    return body | overrides


async def _exchange(api: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    docs = await upload_scans(api, _papers("exchange_transfer"))
    body = sale_body(
        docs,
        business_type="exchange_transfer",
        price="2000000.00",
        buyers=[_person("王五", WANG_WU)],
        exchange_unit_number=FLAT_MORTGAGED,
        tax_facts={"buyer_home_count": 1, "exchange_price_difference": "50000.00"},
    )
    return body | overrides


# --- sellers by flow -------------------------------------------------------------------


async def test_a_first_registration_names_no_transferor_and_is_accepted(
    hall: Hall, api_url: str
) -> None:
    with hall.db.session() as session:
        session.add(
            Property(
                unit_number=LAND,
                address="武汉市江汉区常青路 88 号地块",
                area_m2=Decimal("12000.00"),
                usage="non_residential",
                division="420103",
            )
        )
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, _papers("land_use_right_first_registration"))
        grant: dict[str, Any] = {
            "business_type": "land_use_right_first_registration",
            "unit_number": LAND,
            "price": "36000000.00",
            "buyers": [DEVELOPER],
            "documents": docs,
        }
        with_seller = await _post(api, grant | {"sellers": [_person("张三", ZHANG_SAN)]})
        assert _refused(with_seller) == (["body", "sellers"], "transferor_not_admitted")
        assert "first registration" in with_seller.json()["detail"][0]["msg"]
        assert _cases(hall) == 0

        created = await _post(api, grant)
        assert created.status_code == 201, created.text
    with hall.db.session() as session:
        roles = session.exec(
            select(Party.role).where(Party.case_no == created.json()["case_no"])
        ).all()
    assert roles == ["buyer"]


async def test_a_sale_without_sellers_is_422_naming_sellers(hall: Hall, api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, _papers("existing_home_sale"))
        unnamed = {k: v for k, v in sale_body(docs).items() if k != "sellers"}
        for body in (sale_body(docs, sellers=[]), unnamed):
            response = await _post(api, body)
            assert _refused(response) == (["body", "sellers"], "transferor_required")
    assert _cases(hall) == 0


# --- the decision's number -------------------------------------------------------------


async def test_a_court_order_needs_its_judgment_number_and_keeps_it(
    hall: Hall, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, _papers("court_order_transfer"))
        order = sale_body(
            docs,
            business_type="court_order_transfer",
            unit=FLAT_SEIZED,  # the court's own seizure does not stop its order
            price="1500000.00",
            sellers=[_person("钱七", QIAN_QI)],
            buyers=[_person("孙八", SUN_BA)],
        )
        unnumbered = await _post(api, order)
        assert _refused(unnumbered) == (["body", "decision_no"], "decision_required")
        assert "judgment" in unnumbered.json()["detail"][0]["msg"]
        blank = await _post(api, order | {"decision_no": ""})
        assert _refused(blank)[0] == ["body", "decision_no"]
        assert _cases(hall) == 0

        created = await _post(api, order | {"decision_no": DECISION})
        assert created.status_code == 201, created.text
    with hall.db.session() as session:
        case = session.get(Case, created.json()["case_no"])
    assert case is not None
    assert case.facts["decision"] == {"material": "court_judgment", "number": DECISION}


async def test_a_sale_refuses_a_decision_number(hall: Hall, api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, _papers("existing_home_sale"))
        response = await _post(api, sale_body(docs, decision_no=DECISION))
    assert _refused(response) == (["body", "decision_no"], "decision_not_admitted")
    assert _cases(hall) == 0


# --- the relationship and its proof ----------------------------------------------------


async def test_an_inheritance_names_the_heirs_relationship_and_the_deed(
    hall: Hall, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        inheritance = await _inheritance(api)
        unrelated = await _post(api, inheritance | {"tax_facts": {"buyer_home_count": 1}})
        assert _refused(unrelated) == (
            ["body", "tax_facts", "relationship"],
            "relationship_required",
        )
        no_deed = {k: v for k, v in inheritance.items() if k != "decision_no"}
        assert _refused(await _post(api, no_deed)) == (["body", "decision_no"], "decision_required")
        unproved = inheritance | {
            "documents": [d for d in inheritance["documents"] if d["material"] != "kinship_proof"]
        }
        response = await _post(api, unproved)
        assert _refused(response)[0] == ["body", "documents"]
        assert [i["code"] for i in response.json()["detail"][0]["notice"]["missing"]] == [
            "kinship_proof"
        ]
        assert _cases(hall) == 0

        created = await _post(api, inheritance)
        assert created.status_code == 201, created.text
    with hall.db.session() as session:
        case = session.get(Case, created.json()["case_no"])
    assert case is not None
    assert case.facts["tax"]["relationship"] == "child"
    assert case.facts["decision"]["material"] == "inheritance_notarial_deed"


async def test_a_declared_relationship_needs_its_proof(hall: Hall, api_url: str) -> None:
    # A gift names the relationship without the close-relative fact: the proof is still due.
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, _papers("gift_transfer"))
        gift = sale_body(
            docs,
            business_type="gift_transfer",
            price="1000000.00",
            tax_facts={"buyer_home_count": 1, "relationship": "child"},
        )
        response = await _post(api, gift)
        assert _refused(response)[0] == ["body", "documents"]
        assert "Proof of kinship" in response.json()["detail"][0]["msg"]
        proof = await upload_scans(api, ["kinship_proof"])
        created = await _post(api, gift | {"documents": docs + proof})
        assert created.status_code == 201, created.text


async def test_a_sale_refuses_a_relationship(hall: Hall, api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, _papers("existing_home_sale", "kinship_proof"))
        body = sale_body(docs, tax_facts={"buyer_home_count": 1, "relationship": "child"})
        response = await _post(api, body)
    assert _refused(response) == (
        ["body", "tax_facts", "relationship"],
        "relationship_not_admitted",
    )
    assert _cases(hall) == 0


# --- the register at intake ------------------------------------------------------------


async def test_the_register_is_asked_at_intake(hall: Hall, api_url: str) -> None:
    # Matters without a housing check: the desk names the field the register refuses.
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, _papers("gift_transfer", "kinship_proof"))
        not_his = sale_body(
            docs,
            business_type="gift_transfer",
            sellers=[_person("王五", WANG_WU)],
            tax_facts={"buyer_home_count": 1, "relationship": "child"},
        )
        refused = await _post(api, not_his)
        assert _refused(refused) == (["body", "sellers"], "seller_not_owner")
        grants = await upload_scans(api, _papers("land_use_right_first_registration"))
        titled = {
            "business_type": "land_use_right_first_registration",
            "unit_number": FLAT_SALE,
            "price": "36000000.00",
            "buyers": [DEVELOPER],
            "documents": grants,
        }
        assert _refused(await _post(api, titled)) == (["body", "unit_number"], "title_exists")
    assert _cases(hall) == 0


# --- exchange --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("second", "loc", "kind"),
    [
        (None, "exchange_unit_number", "exchange_unit_required"),
        (FLAT_SALE, "exchange_unit_number", "exchange_unit_same"),
        ("420103001002GB00015F00039999", "exchange_unit_number", "property_not_found"),
        ("4201030010", "exchange_unit_number", "value_error"),
    ],
)
async def test_an_exchange_names_a_second_registered_unit(
    hall: Hall, api_url: str, second: str | None, loc: str, kind: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        response = await _post(api, await _exchange(api, exchange_unit_number=second))
    assert _refused(response) == (["body", loc], kind)
    assert _cases(hall) == 0


async def test_an_exchange_without_its_price_difference_is_422(hall: Hall, api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        body = await _exchange(api, tax_facts={"buyer_home_count": 1})
        response = await _post(api, body)
    assert _refused(response) == (
        ["body", "tax_facts", "exchange_price_difference"],
        "declaration_required",
    )


async def test_a_sale_refuses_an_exchange_unit(hall: Hall, api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, _papers("existing_home_sale"))
        response = await _post(api, sale_body(docs, exchange_unit_number=FLAT_MORTGAGED))
    assert _refused(response) == (["body", "exchange_unit_number"], "exchange_unit_not_admitted")


async def test_an_exchange_holds_both_units(hall: Hall, api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        created = await _post(api, await _exchange(api))
        assert created.status_code == 201, created.text
        case_no = created.json()["case_no"]

        docs = await upload_scans(api, _papers("existing_home_sale"))
        other_flat = sale_body(
            docs,
            unit=FLAT_MORTGAGED,
            price="1200000.00",
            sellers=[_person("王五", WANG_WU)],
            buyers=[_person("赵六", ZHAO_LIU)],
        )
        for body in (other_flat, sale_body(docs)):
            held = await _post(api, body)
            assert held.status_code == 409, held.text
            error = held.json()["detail"][0]
            assert (error["type"], error["case_no"]) == ("property_held", case_no)
    with hall.db.session() as session:
        case = session.get(Case, case_no)
        units = session.exec(
            select(PropertyHold.unit_number).where(
                PropertyHold.case_no == case_no, col(PropertyHold.released_at).is_(None)
            )
        ).all()
    assert case is not None and case.exchange_unit_number == FLAT_MORTGAGED
    assert sorted(set(units)) == sorted({FLAT_SALE, FLAT_MORTGAGED})
    assert _cases(hall) == 1


# --- pre-review knows the same fields --------------------------------------------------


async def test_pre_review_names_what_the_flow_lacks(hall: Hall, api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        inheritance = await api.post(
            "/pre-review",
            json={
                "business_type": "inheritance_transfer",
                "presented": _papers("inheritance_transfer"),
                "sellers": 1,
            },
        )
        exchange = await api.post(
            "/pre-review",
            json={
                "business_type": "exchange_transfer",
                "presented": _papers("exchange_transfer"),
                "unit_number": FLAT_SALE,
            },
        )
        grant = await api.post(
            "/pre-review",
            json={
                "business_type": "land_use_right_first_registration",
                "presented": _papers("land_use_right_first_registration"),
                "sellers": 1,
                "decision_no": DECISION,
            },
        )
        gift = await api.post(
            "/pre-review",
            json={
                "business_type": "gift_transfer",
                "presented": _papers("gift_transfer"),
                "tax_facts": {"relationship": "spouse"},
            },
        )
        whole = await api.post(
            "/pre-review",
            json={
                "business_type": "inheritance_transfer",
                "presented": _papers("inheritance_transfer"),
                "sellers": 1,
                "decision_no": DECISION,
                "tax_facts": {"relationship": "heir"},
            },
        )
    results = [r.json() for r in (inheritance, exchange, grant, gift, whole)]
    assert all(r.status_code == 200 for r in (inheritance, exchange, grant, gift, whole))
    lacks = [[(i["field"], i["type"]) for i in r["form"]] for r in results]
    assert lacks[0] == [
        (["decision_no"], "decision_required"),
        (["tax_facts", "relationship"], "relationship_required"),
    ]
    assert "决定书文号" in results[0]["notice_zh"] and "decision number" in results[0]["notice_en"]
    assert lacks[1] == [
        (["exchange_unit_number"], "exchange_unit_required"),
        (["tax_facts", "exchange_price_difference"], "declaration_required"),
    ]
    assert lacks[2] == [
        (["sellers"], "transferor_not_admitted"),
        (["decision_no"], "decision_not_admitted"),
    ]
    assert lacks[3] == [] and [m["code"] for m in results[3]["missing"]] == ["kinship_proof"]
    assert [r["complete"] for r in results] == [False, False, False, False, True]


async def test_a_withdrawn_exchange_lets_go_of_both_units(hall: Hall, api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        created = await _post(api, await _exchange(api))
        assert created.status_code == 201, created.text
        case_intake.forget(hall.db, created.json()["case_no"])
    with hall.db.session() as session:
        left = session.exec(select(func.count()).select_from(PropertyHold)).one()
    assert left == 0
