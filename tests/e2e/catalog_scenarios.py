"""A valid case for every business type of the catalog: the register it needs, the form.

Built from the catalog entry itself (its flow, party kinds, materials, decision material,
filed contract), so a new entry gets a scenario without code here; only facts the catalog
cannot say (which relationship, the exchange's price difference) are written out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from devtools.demo_data import LI_SI, ZHANG_SAN
from domain.business_types import BusinessType
from domain.flows import LIEN_RECORDING_KINDS, Flow
from domain.parties import PartyKind
from models.database import Database
from models.register import Encumbrance, EncumbranceKind, FiledContract, Property
from models.titles import Holding, record_title

HELD_SINCE = date(2020, 3, 16)
PRICE = Decimal("1000000.00")
AREA = Decimal("100.00")
NON_RESIDENTIAL = {"enterprise_non_residential_sale", "individual_non_residential_sale"}
LAND = {"land_use_right_transfer", "land_use_right_first_registration"}
# What a relationship-exempt transfer declares: the facts the catalog cannot know.
RELATIONSHIPS = {
    "gift_transfer": "child",
    "inheritance_transfer": "heir",
}
CONDITIONS = {"gift_transfer": {"close_relative_gift": True}}
EXCHANGE_DIFFERENCE = Decimal("100000.00")
SECURED = Decimal("700000.00")
# The lien a cancellation or a 带押过户 releases: the seller's bank's, registered in 2020.
OLD_LENDER = ("中国建设银行股份有限公司武汉江汉支行", "91420100MA4K2B3D06")
CANCELS_OR_CARRIES = {"mortgage_cancellation", "transfer_and_mortgage_change"}
NEW_LIEN = LIEN_RECORDING_KINDS


@dataclass(frozen=True)
class PartySpec:
    name: str
    kind: PartyKind
    id_number: str
    phone: str

    def body(self) -> dict[str, str]:
        id_kind = "resident_id" if self.kind is PartyKind.PERSON else "credit_code"
        return {
            "name": self.name,
            "id_kind": id_kind,
            "id_number": self.id_number,
            "phone": self.phone,
        }


PEOPLE = {
    "seller": PartySpec("张三", PartyKind.PERSON, ZHANG_SAN, "13800000001"),
    "buyer": PartySpec("李四", PartyKind.PERSON, LI_SI, "13800000002"),
}
ENTERPRISES = {
    "seller": PartySpec(
        "武汉乙开发有限公司", PartyKind.ENTERPRISE, "91420100MA4K2B3D06", "13800000003"
    ),
    "buyer": PartySpec(
        "武汉甲置业有限公司", PartyKind.ENTERPRISE, "91420100MA4K2B3C05", "13800000004"
    ),
}


BANK = PartySpec(
    "招商银行股份有限公司武汉分行", PartyKind.ENTERPRISE, "91420100MA4K2B3C05", "13800000009"
)


def _party(bt: BusinessType, role: str) -> PartySpec | None:
    """A person where the catalog admits one, else an enterprise; None if nobody."""
    admitted = getattr(bt.party_kinds, role)
    if not admitted:
        return None
    return (PEOPLE if PartyKind.PERSON in admitted else ENTERPRISES)[role]


@dataclass
class Scenario:
    """One business type's case: the register rows it stands on and what the clerk types."""

    bt: BusinessType
    index: int
    seller: PartySpec | None
    buyer: PartySpec | None
    lender: PartySpec | None = None
    facts: dict[str, bool] = field(default_factory=dict)
    tax_facts: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, bt: BusinessType, index: int) -> Scenario:
        buyer = _party(bt, "buyer")
        tax_facts: dict[str, Any] = {"buyer_home_count": 1}
        if bt.code in RELATIONSHIPS:
            tax_facts["relationship"] = RELATIONSHIPS[bt.code]
        if bt.flow is Flow.EXCHANGE:
            tax_facts["exchange_price_difference"] = str(EXCHANGE_DIFFERENCE)
        return cls(
            bt=bt,
            index=index,
            seller=_party(bt, "seller"),
            buyer=buyer,
            lender=BANK if bt.party_kinds.lender else None,
            facts=dict(CONDITIONS.get(bt.code, {})),
            tax_facts=tax_facts,
        )

    # --- the register --------------------------------------------------------------------

    @property
    def usage(self) -> str:
        return "non_residential" if self.bt.code in NON_RESIDENTIAL | LAND else "residential"

    @property
    def unit(self) -> str:
        if self.bt.code in LAND:
            return f"420103001002GB{500 + self.index:05d}W00000000"
        return f"420103001002GB00500F0001{self.index:04d}"

    @property
    def exchange_unit(self) -> str | None:
        if self.bt.flow is not Flow.EXCHANGE:
            return None
        return f"420103001002GB00501F0001{self.index:04d}"

    @property
    def notice_reference(self) -> str:
        return f"鄂(2025)武汉市不动产证明第{900000 + self.index:07d}号"

    @property
    def old_lien(self) -> str | None:
        """The proof number of the lien the case releases, if it releases one."""
        if self.bt.registration_kind not in CANCELS_OR_CARRIES:
            return None
        return f"鄂(2020)武汉市不动产证明第{800000 + self.index:07d}号"

    @property
    def co_owned(self) -> bool:
        """A share changes hands between co-owners: the buyer already holds half."""
        return self.bt.code == "share_transfer"

    @property
    def transferee(self) -> PartySpec:
        """Who holds the unit at the end: the buyer, or the owner where only a lien moves."""
        holder = self.buyer or self.seller
        assert holder is not None
        return holder

    def stand_up(self, db: Database) -> None:
        """The register as this case finds it: units, the transferor's title, the contract."""
        with db.session() as session:
            for unit, holder in ((self.unit, self.seller), (self.exchange_unit, self.buyer)):
                if unit is None:
                    continue
                session.add(
                    Property(
                        unit_number=unit,
                        address=f"武汉市江汉区{self.bt.name_zh}测试路 {self.index} 号",
                        area_m2=AREA,
                        usage=self.usage,
                        division="420103",
                    )
                )
                session.flush()
                if holder is not None:
                    owners = [holder]
                    if self.co_owned and unit == self.unit and self.buyer is not None:
                        owners.append(self.buyer)
                    share = Fraction(1, len(owners))
                    record_title(
                        session,
                        unit_number=unit,
                        since=HELD_SINCE,
                        acquired_price=Decimal("600000.00"),
                        holdings=[
                            Holding(o.name, o.id_number, share, HELD_SINCE, Decimal("600000.00"))
                            for o in owners
                        ],
                    )
            if self.old_lien is not None:
                # A cancellation is the case's lender's own lien; 带押过户 the seller's bank's.
                name, number = OLD_LENDER if self.buyer else (BANK.name, BANK.id_number)
                session.add(
                    Encumbrance(
                        unit_number=self.unit,
                        kind=EncumbranceKind.MORTGAGE,
                        holder=name,
                        holder_id_number=number,
                        reference=self.old_lien,
                        registered_on=date(2020, 3, 16),
                    )
                )
            if self.bt.filed_contract:
                assert self.seller is not None and self.buyer is not None
                session.add(
                    FiledContract(
                        contract_no=f"WHE2E{self.index:06d}",
                        unit_number=self.unit,
                        seller_id_number=self.seller.id_number,
                        buyer_id_number=self.buyer.id_number,
                        price=PRICE,
                        filed_on=date(2026, 11, 20),
                    )
                )
            if self.bt.flow is Flow.ADVANCE_NOTICE:
                assert self.buyer is not None
                # The buyer's own notice, which the conversion spends.
                session.add(
                    Encumbrance(
                        unit_number=self.unit,
                        kind=EncumbranceKind.ADVANCE_NOTICE,
                        holder=self.buyer.name,
                        holder_id_number=self.buyer.id_number,
                        reference=self.notice_reference,
                        registered_on=date(2025, 6, 1),
                    )
                )

    # --- what the clerk types ------------------------------------------------------------

    @property
    def materials(self) -> list[str]:
        return [
            need.material
            for need in self.bt.materials
            if need.required_when is None or self.facts.get(need.required_when)
        ]

    def case_body(self, documents: list[dict[str, str]]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "business_type": self.bt.code,
            "unit_number": self.unit,
            "price": str(PRICE),
            "sellers": [self.seller.body()] if self.seller else [],
            "buyers": [self.buyer.body()] if self.buyer else [],
            "documents": documents,
            "facts": self.facts,
            "tax_facts": self.tax_facts,
        }
        if self.bt.decision_material:
            body["decision_no"] = f"(2026)鄂0103民初{1000 + self.index}号"
        if self.exchange_unit:
            body["exchange_unit_number"] = self.exchange_unit
        if self.lender is not None:
            body["lenders"] = [self.lender.body()]
            mortgage: dict[str, Any] = {"releases": self.old_lien}
            if self.bt.registration_kind in NEW_LIEN:
                mortgage |= {
                    "secured_amount": str(SECURED),
                    "term_start": "2026-12-01",
                    "term_end": "2046-11-30",
                }
            body["mortgage"] = mortgage
        return body

    def estimate_body(self) -> dict[str, Any]:
        """`POST /tax/estimate` for the same facts as the case."""
        body: dict[str, Any] = {
            "business_type": self.bt.code,
            "price": str(PRICE),
            "area_m2": str(AREA),
            "usage": self.usage,
            "buyer_kind": self.transferee.kind.value,
            "transferees": 1 if self.buyer is not None else 0,
            "buyer_home_count": 1,
            "city_district": True,
        }
        if self.seller is not None:
            body["seller_kind"] = self.seller.kind.value
            body["seller_acquired_on"] = HELD_SINCE.isoformat()
        if self.lender is not None:
            body["lender_kind"] = self.lender.kind.value
        for key in ("relationship", "exchange_price_difference"):
            if key in self.tax_facts:
                body[key] = self.tax_facts[key]
        return body
