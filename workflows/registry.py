"""One registry of the case workflows: the flow each catalog entry names, and the frozen one.

`worker.py` registers `WORKFLOWS`; the replay tests replay recorded histories against them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from domain.flows import Flow
from workflows.flows.advance_notice import AdvanceNoticeFlow
from workflows.flows.exchange import ExchangeFlow
from workflows.flows.first_registration import FirstRegistrationFlow
from workflows.flows.mortgage import MortgageFlow
from workflows.flows.transfer_gratuitous import TransferGratuitousFlow
from workflows.flows.transfer_sale import TransferSaleFlow
from workflows.property_case import PropertyCaseWorkflow

FLOWS: Mapping[Flow, type] = MappingProxyType(
    {
        Flow.TRANSFER_SALE: TransferSaleFlow,
        Flow.TRANSFER_GRATUITOUS: TransferGratuitousFlow,
        Flow.EXCHANGE: ExchangeFlow,
        Flow.FIRST_REGISTRATION: FirstRegistrationFlow,
        Flow.ADVANCE_NOTICE: AdvanceNoticeFlow,
        Flow.MORTGAGE: MortgageFlow,
    }
)
"""The workflow class of each flow; its type name is `workflows.ids.FLOW_WORKFLOW_TYPES`."""

FROZEN: tuple[type, ...] = (PropertyCaseWorkflow,)
"""Retired flows: registered so their open cases finish and their histories replay."""

WORKFLOWS: tuple[type, ...] = (*FROZEN, *FLOWS.values())
