"""The hold rule as catalog data, and the table that enforces it on both backends."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from devtools.demo_data import FLAT_MORTGAGED, FLAT_SALE
from domain.business_types import HoldGroup, hold_lanes
from domain.catalog import CatalogError, get_catalog, load_catalog
from domain.flows import Flow
from models import holds
from models.archive import Case
from models.database import Database
from models.holds import PropertyHold

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


def test_every_business_type_holds_the_rights_it_changes() -> None:
    catalog = get_catalog()
    for code, bt in catalog.business_types.items():
        # A change of owner holds the title; a mortgage only its lien's lane.
        held = "mortgage" if bt.flow is Flow.MORTGAGE else "title"
        assert held in catalog.hold_lanes(code), code
    assert catalog.business_type("transfer_with_mortgage").holds == {"title", "mortgage"}
    assert catalog.business_type("existing_home_sale").holds == {"title"}
    assert catalog.business_type("mortgage_registration").holds == {"mortgage"}


def test_lanes_meet_exactly_when_the_groups_conflict() -> None:
    groups = {
        "title": HoldGroup(
            code="title", name_zh="所有权", name_en="t", rides_with=frozenset({"mortgage"})
        ),
        "mortgage": HoldGroup(
            code="mortgage", name_zh="抵押", name_en="m", rides_with=frozenset({"title"})
        ),
        "notice": HoldGroup(code="notice", name_zh="预告", name_en="n"),
    }
    kinds = [frozenset(c) for r in (1, 2) for c in itertools.combinations(groups, r)]
    for a, b in itertools.product(kinds, kinds):
        conflict = any(x == y or y not in groups[x].rides_with for x, y in itertools.product(a, b))
        meet = bool(hold_lanes(a, groups) & hold_lanes(b, groups))
        assert meet == conflict, (a, b)
    # 转移+抵押: a transfer and a mortgage ride together; two mortgages do not.
    assert not hold_lanes({"title"}, groups) & hold_lanes({"mortgage"}, groups)
    assert hold_lanes({"mortgage"}, groups) & hold_lanes({"mortgage"}, groups)


def _catalog_with(tmp_path: Path, old: str, new: str) -> None:
    data = resources.files("domain") / "data"
    text = (data / "business_types.toml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "business_types.toml").write_text(text.replace(old, new), encoding="utf-8")
    (tmp_path / "materials.toml").write_bytes((data / "materials.toml").read_bytes())
    load_catalog(tmp_path / "materials.toml", tmp_path / "business_types.toml")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'name_en = "a mortgage"\nrides_with = ["title"]',
            'name_en = "a mortgage"\nrides_with = []',
            "[holds] entry 'title': field 'rides_with': 'title' rides with 'mortgage' but "
            "'mortgage' does not ride with 'title'",
        ),
        (
            'rides_with = ["title"]',
            'rides_with = ["title", "lien"]',
            "[holds] entry 'mortgage': field 'rides_with': unknown hold group 'lien'",
        ),
        (
            'rides_with = ["title"]',
            'rides_with = ["title", "mortgage"]',
            "never rides with itself",
        ),
        (
            'holds = ["title"] # every',
            'holds = ["titel"] # every',
            "[defaults] field 'holds': unknown hold group 'titel'",
        ),
        (
            'applicants = "joint"\nholds = ["title", "mortgage"]',
            'applicants = "joint"\nholds = ["title", "morgage"]',
            "entry 'existing_home_sale_with_new_mortgage': field 'holds': unknown hold group "
            "'morgage'",
        ),
    ],
    ids=["not-mutual", "unknown-group", "rides-with-itself", "unknown-default", "unknown-held"],
)
def test_a_broken_hold_rule_is_refused_on_load(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(CatalogError) as caught:
        _catalog_with(tmp_path, old, new)
    assert message in str(caught.value)


def _case(db: Database, unit: str = FLAT_SALE) -> str:
    case_no = f"420103-20261128-{len(_cases(db)) + 1:05d}-0"
    with db.session() as session:
        session.add(
            Case(
                case_no=case_no,
                idempotency_key=case_no,
                request_fingerprint="x",
                business_type="existing_home_sale",
                unit_number=unit,
                price=Decimal("1.00"),
                hall="420103",
                accepted_at=NOW,
            )
        )
    return case_no


def _cases(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.exec(select(Case.case_no)))


def test_one_open_hold_per_unit_and_lane_is_all_the_database_allows(demo_db: Database) -> None:
    first, second = _case(demo_db), _case(demo_db)
    with demo_db.session() as session:
        holds.take(session, first, FLAT_SALE, {"title"}, NOW)
    with pytest.raises(IntegrityError), demo_db.session() as session:
        holds.take(session, second, FLAT_SALE, {"title"}, NOW)
    with demo_db.session() as session:  # another lane, another unit: free
        holds.take(session, second, FLAT_SALE, {"mortgage"}, NOW)
        holds.take(session, second, FLAT_MORTGAGED, {"title"}, NOW)
    with demo_db.session() as session:
        assert holds.release(session, first, NOW) == 1
        assert holds.release(session, first, NOW) == 0
    with demo_db.session() as session:  # released: the lane is free again
        holds.take(session, second, FLAT_SALE, {"title"}, NOW)
    with demo_db.session() as session:
        held = session.exec(
            select(PropertyHold.unit_number, PropertyHold.lane).where(
                PropertyHold.case_no == second, col(PropertyHold.released_at).is_(None)
            )
        ).all()
        found = holds.holder(session, FLAT_SALE, {"title", "other"})
    assert sorted(held) == sorted(
        [(FLAT_MORTGAGED, "title"), (FLAT_SALE, "mortgage"), (FLAT_SALE, "title")]
    )
    assert found is not None and found.case_no == second
