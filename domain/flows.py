"""Flows: the shape of a case, chosen by its business type in the catalog.

A flow names what the departments do with a case, not who the parties are:

- ``transfer_sale``: a sale under a contract; where housing takes part it checks the filed
  contract (网签备案), and recording ends the sellers' title and opens the buyers';
- ``transfer_gratuitous``: a transfer by an act other than a sale (gift, inheritance,
  division, a court's or an arbitrator's decision, contribution, settlement, restructuring,
  bankruptcy): no sales contract; the desk and the registrar check seizure and ownership;
- ``exchange``: two units change hands at once (互换), each owner's title passing to the other;
- ``first_registration``: nobody holds the unit yet; recording opens its first title;
- ``advance_notice``: a purchase secured by the buyer's own advance notice (预告登记) becomes
  the transfer; the notice is spent when the title is recorded;
- ``mortgage``: a lender's lien on a unit is recorded (抵押权首次登记) or cancelled on the
  lender's release (抵押权注销登记); the owner stays, the lender gets a registration proof.

The values are stored (catalog data, workflow types through `workflows.ids`), so a value
never changes; add a member rather than rename one.
"""

from __future__ import annotations

from enum import StrEnum


class Flow(StrEnum):
    TRANSFER_SALE = "transfer_sale"
    TRANSFER_GRATUITOUS = "transfer_gratuitous"
    EXCHANGE = "exchange"
    FIRST_REGISTRATION = "first_registration"
    ADVANCE_NOTICE = "advance_notice"
    MORTGAGE = "mortgage"


REGISTRATION_KINDS: dict[Flow, frozenset[str]] = {
    Flow.TRANSFER_SALE: frozenset(
        {"transfer", "transfer_and_mortgage", "transfer_and_mortgage_change"}
    ),
    Flow.TRANSFER_GRATUITOUS: frozenset({"transfer"}),
    Flow.EXCHANGE: frozenset({"transfer"}),
    Flow.FIRST_REGISTRATION: frozenset({"first"}),
    Flow.ADVANCE_NOTICE: frozenset({"advance_notice_to_transfer"}),
    Flow.MORTGAGE: frozenset({"mortgage_first", "mortgage_cancellation"}),
}
"""The registration kinds (catalog `registration_kind`) each flow knows how to record."""

HAS_TRANSFEROR: dict[Flow, bool] = {
    Flow.TRANSFER_SALE: True,
    Flow.TRANSFER_GRATUITOUS: True,
    Flow.EXCHANGE: True,
    Flow.FIRST_REGISTRATION: False,
    Flow.ADVANCE_NOTICE: True,
    Flow.MORTGAGE: True,  # the owner who grants the lien (or whose unit it weighed on)
}
"""Whether the flow's cases name a transferor (the `sellers`): a first registration has none."""

HAS_TRANSFEREE: dict[Flow, bool] = {flow: flow is not Flow.MORTGAGE for flow in Flow}
"""Whether the flow's cases name a transferee (the `buyers`): a mortgage changes no owner."""

LIEN_KINDS: frozenset[str] = frozenset(
    {
        "mortgage_first",
        "mortgage_cancellation",
        "transfer_and_mortgage",
        "transfer_and_mortgage_change",
    }
)
"""Registration kinds that record or release a lender's lien: their cases name `lenders`."""

LIEN_RECORDING_KINDS: frozenset[str] = frozenset(
    {"mortgage_first", "transfer_and_mortgage", "transfer_and_mortgage_change"}
)
"""Kinds recording a new lien: the form names its secured amount and term."""

RELEASING_KINDS: frozenset[str] = frozenset(
    {"mortgage_cancellation", "transfer_and_mortgage_change"}
)
"""Kinds releasing a lien in the register: the form names its proof number (`releases`)."""
