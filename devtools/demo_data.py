"""Demo register for `make run`: three Jianghan flats, owners, filed contracts, one seizure.

Loading is idempotent: a second `make run` finds the rows and adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from models.database import Database
from models.register import Encumbrance, EncumbranceKind, FiledContract, Property
from models.titles import Holding, record_title

# Identity numbers are made up but carry valid check digits (GB 11643).
ZHANG_SAN = "420103198001010016"
LI_SI = "420106198503150026"
WANG_WU = "420102197007200039"
ZHAO_LIU = "420105199009090046"
QIAN_QI = "42010319750505005X"
SUN_BA = "42010619921111006X"

# The lender of the demo's mortgage (a made-up credit code with a valid check character).
CCB_JIANGHAN = "91420103MA4K2B3C0G"

FLAT_SALE = "420103001002GB00015F00030502"
FLAT_MORTGAGED = "420103001002GB00015F00030601"
FLAT_SEIZED = "420103001003GB00021F00010101"

PROPERTIES = [
    Property(
        unit_number=FLAT_SALE,
        address="武汉市江汉区建设大道 568 号 3 栋 502 室",
        area_m2=Decimal("120.00"),
        division="420103",
    ),
    Property(
        unit_number=FLAT_MORTGAGED,
        address="武汉市江汉区建设大道 568 号 3 栋 601 室",
        area_m2=Decimal("89.50"),
        division="420103",
    ),
    Property(
        unit_number=FLAT_SEIZED,
        address="武汉市江汉区新华路 21 号 1 栋 101 室",
        area_m2=Decimal("95.00"),
        division="420103",
    ),
]


@dataclass(frozen=True)
class DemoTitle:
    """A unit's open title in the demo register: one holder with the whole unit."""

    unit_number: str
    holder_name: str
    holder_id_number: str
    since: date
    acquired_price: Decimal
    certificate_no: str


OWNERS = [
    DemoTitle(
        unit_number=FLAT_SALE,
        holder_name="张三",
        holder_id_number=ZHANG_SAN,
        since=date(2024, 9, 10),
        acquired_price=Decimal("1600000.00"),
        certificate_no="鄂(2024)武汉市不动产权第0123456号",
    ),
    DemoTitle(
        unit_number=FLAT_MORTGAGED,
        holder_name="王五",
        holder_id_number=WANG_WU,
        since=date(2015, 4, 2),
        acquired_price=Decimal("650000.00"),
        certificate_no="鄂(2015)武汉市不动产权第0034567号",
    ),
    DemoTitle(
        unit_number=FLAT_SEIZED,
        holder_name="钱七",
        holder_id_number=QIAN_QI,
        since=date(2019, 6, 18),
        acquired_price=Decimal("980000.00"),
        certificate_no="鄂(2019)武汉市不动产权第0078901号",
    ),
]

CONTRACTS = [
    FiledContract(
        contract_no="WHCL2026000101",
        unit_number=FLAT_SALE,
        seller_id_number=ZHANG_SAN,
        buyer_id_number=LI_SI,
        price=Decimal("2000000.00"),
        filed_on=date(2026, 11, 20),
    ),
    FiledContract(
        contract_no="WHCL2026000102",
        unit_number=FLAT_MORTGAGED,
        seller_id_number=WANG_WU,
        buyer_id_number=ZHAO_LIU,
        price=Decimal("1200000.00"),
        filed_on=date(2026, 11, 21),
    ),
    FiledContract(
        contract_no="WHCL2026000103",
        unit_number=FLAT_SEIZED,
        seller_id_number=QIAN_QI,
        buyer_id_number=SUN_BA,
        price=Decimal("1500000.00"),
        filed_on=date(2026, 11, 22),
    ),
]

ENCUMBRANCES = [
    Encumbrance(
        unit_number=FLAT_MORTGAGED,
        kind=EncumbranceKind.MORTGAGE,
        holder="中国建设银行武汉江汉支行",
        holder_id_number=CCB_JIANGHAN,
        reference="鄂(2015)武汉市不动产证明第0011223号",
        registered_on=date(2015, 4, 2),
    ),
    Encumbrance(
        unit_number=FLAT_SEIZED,
        kind=EncumbranceKind.SEIZURE,
        holder="武汉市江汉区人民法院",
        reference="(2026)鄂0103执保1234号",
        registered_on=date(2026, 10, 9),
    ),
]


def load_demo_data(db: Database) -> bool:
    """Insert the demo register unless it is there; True if rows were added."""
    with db.session() as session:
        if session.get(Property, FLAT_SALE) is not None:
            return False
        for unit in PROPERTIES:
            session.add(Property.model_validate(unit.model_dump()))
        session.flush()
        for owner in OWNERS:
            record_title(
                session,
                unit_number=owner.unit_number,
                since=owner.since,
                acquired_price=owner.acquired_price,
                certificate_no=owner.certificate_no,
                holdings=[
                    Holding(
                        owner.holder_name,
                        owner.holder_id_number,
                        Fraction(1),
                        owner.since,
                        owner.acquired_price,
                    )
                ],
            )
        for rows in (CONTRACTS, ENCUMBRANCES):
            for row in rows:
                session.add(type(row).model_validate(row.model_dump()))
            session.flush()
    return True
