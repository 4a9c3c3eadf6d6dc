"""A new home's price less the developer's VAT: the deed-tax base (公告2021年第23号 art. 1)."""

from decimal import Decimal

from domain.tax.money import pct, to_fen
from domain.tax.rates import DeveloperVatRates


def price_excl_developer_vat(row: DeveloperVatRates, price: Decimal) -> tuple[Decimal, str]:
    """The VAT-inclusive contract price less the developer's VAT, and how it was found.

    The developer's sales invoice states the VAT; without it, the general rate in force
    is an estimate (a developer on the simplified method charges less).
    """
    if row.rate == 0:
        return price, f"declared price (no VAT in the price before the VAT reform, {row.id})"
    vat = to_fen(price * row.rate / (1 + row.rate))
    return price - vat, (
        f"price excl. the developer's VAT {vat} = price ÷ (1 + {pct(row.rate)}) × "
        f"{pct(row.rate)} ({row.id}; the sales invoice decides)"
    )
