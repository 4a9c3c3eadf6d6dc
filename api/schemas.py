"""HTTP request and response bodies for cases; field validators reuse the domain rules.

Everything a clerk types is checked here, before any row or workflow exists: numbers
have bounds and a documented shape, free text refuses control and invisible characters,
and a case names each party once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import InitErrorDetails, PydanticCustomError, core_schema

from domain.identifiers import (
    CertificateKind,
    CertificateNumber,
    parse_unit_number,
    validate_credit_code,
    validate_resident_id,
)
from domain.identifiers.certificate_number import PROVINCE_ABBREVIATIONS
from domain.intake_rules import MortgageTerms
from domain.tax.relationship import Relationship
from models.enums import CollectionMethod, Stage

# ASCII digits only: `\d` in the validators' regex engines also matches other scripts' digits.
MOBILE = r"^1[3-9][0-9]{9}$"

# --- free text -------------------------------------------------------------------------

# C0 and C1 controls, zero-width characters, line/paragraph separators, bidi embeddings,
# overrides and isolates, and the byte-order mark: invisible in a receipt, able to reorder
# or hide what a clerk reads, and refused by PostgreSQL (NUL) in a text column.
_CONTROL_CLASS = r"\x00-\x1f\x7f-\x9f\u200b-\u200d\u2028-\u202e\u2066-\u2069\ufeff"
_CONTROL = re.compile(f"[{_CONTROL_CLASS}]")
CLEAN_TEXT_PATTERN = f"^[^{_CONTROL_CLASS}]*$"


def _no_controls(value: Any) -> Any:
    # Before the str validator, so length limits keep their own messages; non-text passes
    # on to be refused as such.
    found = _CONTROL.search(value) if isinstance(value, str) else None
    if found is not None:
        raise PydanticCustomError(
            "control_character",
            "must not contain control or invisible formatting characters; "
            "found U+{code} at position {position}",
            {"code": f"{ord(found.group()):04X}", "position": found.start()},
        )
    return value


CleanText = Annotated[
    str, BeforeValidator(_no_controls), Field(json_schema_extra={"pattern": CLEAN_TEXT_PATTERN})
]
"""A name, address or other free text: printable characters only (422 names the field)."""
MaybeCleanText = Annotated[
    str | None,
    BeforeValidator(_no_controls),
    Field(json_schema_extra={"pattern": CLEAN_TEXT_PATTERN}),
]
"""CleanText or null (a union of its own, so length limits keep their own messages)."""

# --- decimals --------------------------------------------------------------------------


@dataclass(frozen=True)
class DecimalShape:
    """A bounded decimal accepted as a JSON number or as a plain decimal string.

    `minimum` "any" is a shape check only, for routes whose domain model states the sign
    rule itself. Strings must match the pattern the schema publishes, and numbers the
    bounds, so `1e400`, `NaN` or 40 digits are a 422, never an overflow further in.
    """

    integer_digits: int
    places: int = 2
    minimum: Literal["positive", "non_negative", "any"] = "positive"

    @property
    def pattern(self) -> str:
        sign = "-?" if self.minimum == "any" else ""
        return f"^{sign}[0-9]{{1,{self.integer_digits}}}(\\.[0-9]{{1,{self.places}}})?$"

    @property
    def top(self) -> Decimal:
        return Decimal(10**self.integer_digits) - Decimal(1).scaleb(-self.places)

    @property
    def hint(self) -> str:
        return f"at most {self.integer_digits} digits before the point and {self.places} after"

    def _shape(self, value: Any) -> Any:
        # A sign passes the shape check, so "-1" is told the bound ("greater than 0").
        shape = self.pattern if self.minimum == "any" else "^-?" + self.pattern[1:]
        if isinstance(value, str) and not re.fullmatch(shape, value):
            raise PydanticCustomError(
                "decimal_format",
                "Input should be a decimal number like 1234.56, {hint}",
                {"hint": self.hint},
            )
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        zero, top = Decimal(0), self.top
        inner = core_schema.decimal_schema(
            allow_inf_nan=False,
            max_digits=self.integer_digits + self.places,
            decimal_places=self.places,
            le=top,
            gt=zero if self.minimum == "positive" else None,
            ge={"positive": None, "non_negative": zero}.get(self.minimum, -top),
        )
        return core_schema.no_info_before_validator_function(self._shape, inner)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        if handler.mode != "validation":
            return handler(schema)
        number: dict[str, Any] = {"type": "number", "maximum": float(self.top)}
        if self.minimum == "positive":
            number["exclusiveMinimum"] = 0
        else:
            number["minimum"] = 0 if self.minimum == "non_negative" else -float(self.top)
        return {
            "anyOf": [{"type": "string", "pattern": self.pattern}, number],
            "description": f"a number or a decimal string, {self.hint}",
        }


Money = Annotated[Decimal, DecimalShape(integer_digits=13)]
"""Yuan: more than 0, at most 9,999,999,999,999.99, two decimal places."""
MoneyOrZero = Annotated[Decimal, DecimalShape(integer_digits=13, minimum="non_negative")]

# --- parties and cases -----------------------------------------------------------------


class IdKind(StrEnum):
    RESIDENT_ID = "resident_id"
    CREDIT_CODE = "credit_code"


def _unit(value: str) -> str:
    return str(parse_unit_number(value))


UnitNumberStr = Annotated[str, AfterValidator(_unit)]

DecisionNo = Annotated[
    CleanText,
    Field(
        min_length=1,
        max_length=64,
        description="the number of the decision the transfer rests on (judgment, auction "
        "confirmation, arbitral award, inheritance notarial deed, bankruptcy ruling), "
        "as printed on it; only for business types with a decision material",
        examples=["(2026)鄂0103民初1234号"],
    ),
]


class PartyIn(BaseModel):
    """A buyer, seller or lender: a person with an identity card or an enterprise with a
    credit code."""

    name: CleanText = Field(min_length=1, max_length=64)
    id_kind: IdKind = IdKind.RESIDENT_ID
    id_number: str = Field(max_length=32)
    phone: str = Field(pattern=MOBILE, description="mainland mobile number, 11 digits")

    @field_validator("id_number")
    @classmethod
    def _valid_id(cls, value: str, info: ValidationInfo) -> str:
        # Domain validators say what is wrong ("check digit should be X").
        if info.data.get("id_kind") == IdKind.CREDIT_CODE:
            return validate_credit_code(value)
        return validate_resident_id(value)


class DocumentIn(BaseModel):
    """A material handed in, by the key of its uploaded scan (`POST /scans`)."""

    material: CleanText = Field(min_length=1, max_length=64)
    blob_key: str = Field(pattern=r"^sha256/[0-9a-f]{64}$")
    filename: MaybeCleanText = Field(default=None, max_length=255)


class TaxFacts(BaseModel):
    """Facts the tax assessment needs that the register does not hold."""

    buyer_home_count: int = Field(default=1, ge=1, le=99)
    seller_family_only_home: bool = False
    seller_original_taxes: MoneyOrZero = Decimal(0)
    relationship: Relationship | None = Field(
        default=None, description="the transferee's relationship to the transferor (gifts)"
    )
    exchange_price_difference: MoneyOrZero | None = Field(
        default=None, description="exchange: what the transferee pays on top"
    )
    seller_invoice_vat: MoneyOrZero | None = Field(
        default=None, description="new homes: the VAT on the developer's invoice"
    )


# 不动产登记证明 numbers as the register prints them (domain.identifiers.certificate_number):
# half- or full-width parentheses; the number is stored with half-width ones.
_PROVINCES = "".join(sorted(PROVINCE_ABBREVIATIONS))
PROOF_PATTERN = (
    f"^[{_PROVINCES}][(（][1-9][0-9]{{3}}[)）][\\u4e00-\\u9fa5]+不动产证明第[0-9]{{1,12}}号$"
)


def _proof(value: str) -> str:
    # The pattern admits proofs only; the parser adds what a pattern cannot say (serial ≥ 1).
    number = CertificateNumber.parse(value)
    if number.kind is not CertificateKind.PROOF:
        raise ValueError("a registration proof (不动产证明) number, not a title certificate's")
    return number.format()


ProofNumber = Annotated[
    str,
    Field(
        max_length=64,
        pattern=PROOF_PATTERN,
        description="the number of a registration proof (不动产登记证明) as printed on it",
        examples=["鄂(2015)武汉市不动产证明第0011223号"],
    ),
    AfterValidator(_proof),
]
"""A registration-proof number, normalised to half-width parentheses (the register's form)."""


class MortgageIn(BaseModel):
    """The lien a case records or releases; which parts a business type needs is the
    catalog's registration kind (`domain.intake_rules`), so each is optional here."""

    secured_amount: Money | None = Field(
        default=None, description="yuan: the debt the lien secures (被担保主债权数额)"
    )
    term_start: date | None = Field(
        default=None, description="first day of the debt's term (债务履行期限起)"
    )
    term_end: date | None = Field(
        default=None, description="last day of the debt's term, after term_start"
    )
    releases: ProofNumber | None = Field(
        default=None,
        description="the proof number of the lien in the register that this case releases "
        "(a cancellation; a transfer with the seller's mortgage, 带押过户)",
    )

    def terms(self) -> MortgageTerms:
        """The lien as the per-flow rules read it (shared by intake and pre-review)."""
        return MortgageTerms(**self.model_dump())


def _duplicate(role: str, index: int, number: str, first: str) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError(
            "duplicate_party",
            "the same identity number is already listed as {first}",
            {"first": first},
        ),
        loc=(role, index, "id_number"),
        input=number,
    )


class CaseCreate(BaseModel):
    """An application as the intake clerk enters it."""

    business_type: CleanText = Field(min_length=1, max_length=64, examples=["existing_home_sale"])
    unit_number: UnitNumberStr = Field(examples=["420103001002GB00015F00030502"])
    price: Money = Field(description="yuan, VAT incl.")
    sellers: list[PartyIn] = Field(
        default_factory=list,
        max_length=50,
        description="the transferors: at least one, except a first registration (none)",
    )
    buyers: list[PartyIn] = Field(
        default_factory=list,
        max_length=50,
        description="the transferees (an inheritance: the heirs): at least one, except a "
        "mortgage (none: the owner stays)",
    )
    lenders: list[PartyIn] = Field(
        default_factory=list,
        max_length=5,
        description="the mortgagees (抵押权人) whose lien the case records or releases: at "
        "least one where the business type has a lien, else none",
    )
    documents: list[DocumentIn] = Field(min_length=1, max_length=200)
    facts: dict[str, bool] = Field(
        default_factory=dict, description="conditions of the catalog, e.g. agent_acts"
    )
    tax_facts: TaxFacts = Field(default_factory=TaxFacts)
    decision_no: DecisionNo | None = None
    exchange_unit_number: UnitNumberStr | None = Field(
        default=None,
        description="exchange only: the unit given in return, in the register and not "
        "unit_number; the case holds both",
        examples=["420103001002GB00015F00030601"],
    )
    mortgage: MortgageIn | None = Field(
        default=None,
        description="the lien recorded or released: only for business types with a lender",
    )

    @model_validator(mode="after")
    def _distinct_parties(self) -> CaseCreate:
        """One person is one party: listed twice, the register would record them twice (a
        lender lending on a unit to itself, too)."""
        seen: dict[str, str] = {}
        errors: list[InitErrorDetails] = []
        roles = (("sellers", self.sellers), ("buyers", self.buyers), ("lenders", self.lenders))
        for role, parties in roles:
            for i, party in enumerate(parties):
                first = seen.setdefault(party.id_number, f"{role}[{i}]")
                if first != f"{role}[{i}]":
                    errors.append(_duplicate(role, i, party.id_number, first))
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self


class CaseCreated(BaseModel):
    case_no: str
    workflow_id: str
    business_type: str
    accepted_at: str
    stage: Stage


class PaymentIn(BaseModel):
    amount: Money
    reference: CleanText = Field(min_length=1, max_length=64, description="the tax receipt number")


class CollectionIn(BaseModel):
    method: CollectionMethod
    recipient: MaybeCleanText = Field(default=None, min_length=1, max_length=64)
    phone: str | None = Field(default=None, pattern=MOBILE)
    address: MaybeCleanText = Field(default=None, min_length=5, max_length=200)

    @model_validator(mode="after")
    def _ems_needs_address(self) -> CollectionIn:
        if self.method == CollectionMethod.EMS:
            missing = [f for f in ("recipient", "phone", "address") if not getattr(self, f)]
            if missing:
                raise ValueError(f"{', '.join(missing)}: required when method is 'ems'")
        return self


class HandoverIn(BaseModel):
    """The clerk is the token's holder; the window defaults to the token's."""

    window: MaybeCleanText = Field(default=None, min_length=1, max_length=16)
