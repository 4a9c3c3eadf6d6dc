"""Assessment of one case: every tax and fee line with its trace, and what goes to the tax desk."""

from decimal import Decimal

from domain.tax.bill import FeeLine, Referral, TaxBill, TaxLine, exemption, make_bill
from domain.tax.deed import deed_line
from domain.tax.developer_vat import price_excl_developer_vat
from domain.tax.enums import PartyKind, Payer, TaxKind, Usage
from domain.tax.fee_table import FeeTable
from domain.tax.fees import FeeFacts, fee_lines
from domain.tax.holding import years_held
from domain.tax.inputs import TaxInput
from domain.tax.land_vat import individual_housing_land_vat
from domain.tax.money import ZERO
from domain.tax.pit import donee_pit, seller_pit
from domain.tax.profile import BillingProfile, billing_profile
from domain.tax.rates import RateBook, default_rates
from domain.tax.stamp import stamp_line
from domain.tax.surcharges import surcharge_lines
from domain.tax.treatments import (
    ENTERPRISE_SELLER,
    LAND_VAT_ASSESSMENT,
    NON_RESIDENTIAL_PERSON,
    PIT_REPLACEMENT_REFUND,
    DeedBase,
    DeedMode,
    ExemptLine,
    SellerMode,
    Treatment,
    Treatments,
    default_treatments,
)
from domain.tax.vat import individual_housing_vat, individual_non_housing_vat

_ORDER = {tax: i for i, tax in enumerate(TaxKind)}
_SURCHARGES = (TaxKind.URBAN_CONSTRUCTION, TaxKind.EDUCATION, TaxKind.LOCAL_EDUCATION)


def assess(
    inp: TaxInput,
    *,
    rates: RateBook | None = None,
    treatments: Treatments | None = None,
    fees: FeeTable | None = None,
) -> TaxBill:
    """Estimate the taxes and fees of a case under the rules in force on ``inp.sale_date``.

    A business type the tax department takes no part in (a mortgage) is billed its
    registration fees alone; a type the catalog does not know, its taxes alone.

    Args:
        inp: the facts of the case.
        rates: rate tables to use instead of the packaged ones (tests, what-if).
        treatments: business-type treatments to use instead of the packaged ones.
        fees: fee table to use instead of the packaged one.

    Returns:
        The bill: a line per tax and payer (zero lines for exemptions, with the reason),
        the fee lines, totals per payer, and the matters referred to the tax desk.

    Raises:
        UnknownTreatment: the business type takes tax but has no tax treatment.
        NoRulesInForce: a rate or fee table the case needs starts after ``inp.sale_date``.
    """
    profile = billing_profile(inp.business_type)
    lines: list[TaxLine] = []
    referrals: list[Referral] = []
    if profile is None or profile.taxed:
        book = rates or default_rates()
        catalog = treatments or default_treatments()
        lines, referrals = _Assessment(inp, catalog.get(inp.business_type), catalog, book).run()
    charged = _fees(inp, profile, fees)
    return make_bill(inp.business_type, inp.sale_date, lines, referrals, charged)


def _fees(inp: TaxInput, profile: BillingProfile | None, table: FeeTable | None) -> list[FeeLine]:
    """The case's registration fees; none for a type the catalog does not know."""
    if profile is None:
        return []
    facts = FeeFacts(
        business_type=inp.business_type,
        registration_kind=profile.registration_kind,
        fee_exempt=profile.fee_exempt,
        usage=inp.usage,
        transferees=inp.transferees,
        lender_present=inp.lender_kind is not None,
        on=inp.sale_date,
        transferee_small_micro=inp.transferee_small_micro,
    )
    return fee_lines(facts, table)


class _Assessment:
    """One run of the engine; keeps the lines computed so far for the later taxes."""

    def __init__(self, inp: TaxInput, t: Treatment, catalog: Treatments, book: RateBook):
        self.inp = inp
        self.t = t
        self.catalog = catalog
        self.book = book
        self.on = inp.sale_date
        self.version = f"{catalog.version}:{inp.business_type}"
        self.exempted = t.exemptions(inp.relationship)
        self.lines: list[TaxLine] = []
        self.referral_codes: list[str] = []
        self.held = (
            years_held(inp.seller_acquired_on, inp.sale_date)
            if inp.seller_acquired_on is not None
            else None
        )

    def run(self) -> tuple[list[TaxLine], list[Referral]]:
        for entry in self.exempted.values():
            self.lines.append(self._treatment_exemption(entry))
        seller_taxed = self.t.seller in (SellerMode.SALE, SellerMode.GIFT)
        computes_seller = seller_taxed and self._seller_is_computed()
        vat = self._vat() if computes_seller else None
        if vat is not None:
            self.lines.extend(surcharge_lines(self.book.surcharges_on(self.on), vat, self._city))
        net, net_note = self._price_net(vat)
        if self.t.stamp:
            self._stamp(Payer.BUYER, self.inp.buyer_kind, net, net_note)
            if seller_taxed:
                self._stamp(Payer.SELLER, self.inp.seller_kind, net, net_note)
        if self.t.deed is DeedMode.TAXABLE and (TaxKind.DEED, Payer.BUYER) not in self.exempted:
            self._deed(net, net_note)
        if computes_seller and self.t.seller is SellerMode.SALE:
            self._seller_pit(net)
            self._land_vat()
        if self.t.seller is SellerMode.GIFT and self.t.donee_pit:
            self._donee_pit()
        self.referral_codes.extend(self.t.referrals)
        self.lines.sort(key=lambda x: (_ORDER[x.tax], x.payer is Payer.SELLER))
        return self.lines, self._referrals()

    def _price_net(self, vat: TaxLine | None) -> tuple[Decimal, str]:
        """The price less the transferor's VAT, and how that VAT is known.

        Deed tax and stamp duty are levied on the price excluding VAT (公告2021年第23号;
        印花税法 art. 5): the VAT computed on this bill, else the invoice's, else, for a
        developer, the rate table's estimate; an enterprise's VAT is otherwise unknown here.
        """
        price = self.inp.price
        if vat is not None:
            return price - vat.amount, "price excl. VAT"
        if self.inp.seller_invoice_vat is not None:
            invoice = self.inp.seller_invoice_vat
            return price - invoice, f"price excl. the VAT on the seller's invoice ({invoice})"
        if self.t.developer_sale:
            return price_excl_developer_vat(self.book.developer_vat_on(self.on), price)
        return price, "declared price (VAT not computed in this estimate)"

    @property
    def _city(self) -> bool:
        return self.inp.city_district

    @property
    def _housing(self) -> bool:
        return self.inp.usage is Usage.RESIDENTIAL

    def _seller_is_computed(self) -> bool:
        """Whether the transferor's side is computed here; refer it to the desk otherwise.

        An individual's housing always is; an individual's non-residential unit only where
        the treatment computes it (``individual_non_housing``).
        """
        if self.inp.seller_kind is PartyKind.ENTERPRISE:
            self.referral_codes.append(ENTERPRISE_SELLER)
            if self.t.seller is SellerMode.SALE:
                self.referral_codes.append(LAND_VAT_ASSESSMENT)
            return False
        if not self._housing and not self.t.individual_non_housing:
            self.referral_codes.extend([NON_RESIDENTIAL_PERSON, LAND_VAT_ASSESSMENT])
            return False
        return True

    def _vat(self) -> TaxLine:
        if (TaxKind.VAT, Payer.SELLER) in self.exempted:
            return next(x for x in self.lines if x.tax is TaxKind.VAT)
        if not self._housing:
            row = self.book.vat_on(self.on)
            cost = self.inp.seller_original_price
            return self._add(individual_non_housing_vat(row, self.inp.price, cost))
        if self.held is None:
            # TaxInput refuses this already; reached only with treatments other than the packaged.
            raise ValueError("seller_acquired_on: required for an individual selling housing")
        row = self.book.vat_on(self.on)
        return self._add(individual_housing_vat(row, self.inp.price, self.held))

    def _stamp(self, payer: Payer, kind: PartyKind, net: Decimal, net_note: str) -> None:
        if (TaxKind.STAMP, payer) in self.exempted:
            return
        if self.t.deed_base is DeedBase.PRICE:
            net, net_note = self.inp.price, "declared or assessed value"
        row = self.book.stamp_on(self.on)
        relief = self.t.stamp_relief
        self._add(
            stamp_line(row, payer, kind, self.inp.usage, net, relief=relief, base_note=net_note)
        )

    def _deed(self, net: Decimal, net_note: str) -> None:
        if self.t.deed_base is DeedBase.PRICE_DIFFERENCE:
            assert self.inp.exchange_price_difference is not None
            base, note = self.inp.exchange_price_difference, "price difference of the exchange"
        elif self.t.deed_base is DeedBase.PRICE:
            base, note = self.inp.price, "declared or assessed value"
        else:
            base, note = net, net_note
        self._add(deed_line(self.book.deed_on(self.on), self.inp, self.t, base, note))

    def _seller_pit(self, price_net: Decimal) -> None:
        if (TaxKind.PIT, Payer.SELLER) in self.exempted:
            return
        row = self.book.pit_on(self.on)
        deductible = self.inp.seller_original_taxes + sum(
            (x.amount for x in self.lines if x.payer is Payer.SELLER and x.tax in _PAID_ON_SALE),
            ZERO,
        )
        line = self._add(
            seller_pit(
                row,
                price_net=price_net,
                held_years=self.held,
                # 满五唯一 is a relief for the family's home, never for a shop
                family_only_home=self.inp.seller_family_only_home and self._housing,
                original_price=self.inp.seller_original_price,
                deductible_taxes=deductible,
                housing=self._housing,
            )
        )
        if row.replacement_refund and line.amount > 0 and self._housing:  # homes only
            self.referral_codes.append(PIT_REPLACEMENT_REFUND)

    def _donee_pit(self) -> None:
        if self.inp.buyer_kind is not PartyKind.PERSON:
            return  # an enterprise donee pays enterprise income tax, settled elsewhere
        if (TaxKind.PIT, Payer.BUYER) in self.exempted:
            return
        paid = sum((x.amount for x in self.lines if x.payer is Payer.BUYER), ZERO)
        self._add(donee_pit(self.book.pit_on(self.on), value=self.inp.price, donee_taxes=paid))

    def _land_vat(self) -> None:
        if (TaxKind.LAND_VAT, Payer.SELLER) in self.exempted:
            return
        if not self._housing:  # 财税〔2008〕137号 art. 3 exempts housing only
            self.referral_codes.append(LAND_VAT_ASSESSMENT)
            return
        line = individual_housing_land_vat(self.book.land_vat_on(self.on), self.inp.price)
        if line is None:
            self.referral_codes.append(LAND_VAT_ASSESSMENT)
        else:
            self._add(line)

    def _treatment_exemption(self, entry: ExemptLine) -> TaxLine:
        return exemption(
            entry.tax, entry.payer, self.inp.price, self.t.name_en, self.version, entry.reason
        )

    def _add(self, line: TaxLine) -> TaxLine:
        self.lines.append(line)
        return line

    def _referrals(self) -> list[Referral]:
        texts = self.catalog.referrals
        return [
            Referral(code=c, reason_zh=texts[c].reason_zh, reason_en=texts[c].reason_en)
            for c in dict.fromkeys(self.referral_codes)
        ]


# Taxes the seller pays on the sale that the verified income tax deducts.
_PAID_ON_SALE = frozenset({*_SURCHARGES, TaxKind.STAMP})
