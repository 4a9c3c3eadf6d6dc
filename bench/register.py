"""A register of N flats for the benchmark: each with its owner, a filed contract and scans.

Each case needs a flat of its own, since recording the transfer ends the seller's title and
a second sale of the same flat would be refused. Numbers are made up but pass the same
checks the API applies (GB 11643 check digits, the 28-character unit-number layout).
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from stdnum.cn import ric

from api.schemas import CaseCreate, DocumentIn, PartyIn, TaxFacts
from domain.identifiers import parse_unit_number
from integrations.blobs import BlobStore
from models.database import Database
from models.register import FiledContract, Property
from models.titles import Holding, record_title

DIVISION = "420103"
PRICE = Decimal("1800000.00")
MATERIALS = ["application_form", "id_document", "title_certificate", "sales_contract"]
BUSINESS_TYPE = "existing_home_sale"


def resident_id(i: int) -> str:
    """The i-th made-up identity number: Jianghan district, born 1960 onwards, valid check digit."""
    born = date(1960, 1, 1) + timedelta(days=i // 900)
    first17 = f"{DIVISION}{born:%Y%m%d}{i % 900 + 100:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


def unit_number(i: int) -> str:
    """The i-th flat: sub-district 009 (the demo register uses 001), 100 flats per building."""
    parcel, rest = divmod(i, 1000)
    building, flat = divmod(rest, 100)
    number = f"{DIVISION}009001GB{parcel + 1:05d}F{building + 1:04d}{flat + 1:04d}"
    return str(parse_unit_number(number))


def seller_id(i: int) -> str:
    return resident_id(2 * i)


def buyer_id(i: int) -> str:
    return resident_id(2 * i + 1)


def seed_register(db: Database, count: int) -> None:
    """Insert `count` flats, each owned by its seller and under a contract filed for its buyer."""
    with db.session() as session:
        for i in range(count):
            unit = unit_number(i)
            session.add(
                Property(
                    unit_number=unit,
                    address=f"武汉市江汉区基准路 {i // 100 + 1} 栋 {i % 100 + 1:02d} 室",
                    area_m2=Decimal("90.00"),
                    division=DIVISION,
                )
            )
            session.flush()
            since, paid = date(2016, 3, 1), Decimal("900000.00")
            record_title(
                session,
                unit_number=unit,
                since=since,
                acquired_price=paid,
                certificate_no=f"鄂(2016)武汉市不动产权第{i + 1:07d}号",
                holdings=[Holding(f"卖方{i}", seller_id(i), Fraction(1), since, paid)],
            )
            session.add(
                FiledContract(
                    contract_no=f"WHCLBENCH{i:07d}",
                    unit_number=unit,
                    seller_id_number=seller_id(i),
                    buyer_id_number=buyer_id(i),
                    price=PRICE,
                    filed_on=date(2026, 11, 1),
                )
            )


def case_body(blobs: BlobStore, i: int) -> CaseCreate:
    """The application for flat i, its scans uploaded first (distinct bytes per case)."""
    docs = []
    for material in MATERIALS:
        content = f"%PDF-1.4 bench case {i} scan of {material}\n".encode() * 20
        ref = blobs.put(io.BytesIO(content))
        docs.append(DocumentIn(material=material, blob_key=ref.key, filename=f"{material}.pdf"))
    return CaseCreate(
        business_type=BUSINESS_TYPE,
        unit_number=unit_number(i),
        price=PRICE,
        sellers=[PartyIn(name=f"卖方{i}", id_number=seller_id(i), phone=f"139{2 * i:08d}")],
        buyers=[PartyIn(name=f"买方{i}", id_number=buyer_id(i), phone=f"139{2 * i + 1:08d}")],
        documents=docs,
        tax_facts=TaxFacts(buyer_home_count=1),
    )
