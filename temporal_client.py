"""The one place a Temporal client is made: pydantic payloads, the configured namespace."""

from __future__ import annotations

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.common import SearchAttributeIndexedValueType
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, RPCStatusCode

from config import Settings
from models.enums import SearchAttr

_INDEXED = {
    SearchAttributeIndexedValueType.KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    SearchAttributeIndexedValueType.DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
    SearchAttributeIndexedValueType.KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
}


async def connect(settings: Settings) -> Client:
    """Connect with the pydantic data converter that every payload here needs."""
    return await Client.connect(
        settings.TEMPORAL_ADDRESS,
        namespace=settings.TEMPORAL_NAMESPACE,
        data_converter=pydantic_data_converter,
    )


async def ensure_search_attributes(client: Client, namespace: str) -> list[str]:
    """Register any of our search attributes the cluster lacks; returns the names added.

    A workflow upserting an unknown attribute is not failed but retried forever, so the
    worker checks this at start-up instead of trusting that someone ran the admin tool.
    """
    try:
        listed = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace)
        )
        known = set(listed.custom_attributes)
    except RPCError as err:
        # The time-skipping test server cannot list; adding what exists is refused there.
        if err.status != RPCStatusCode.UNIMPLEMENTED:
            raise
        known = set()
    added = []
    for key in SearchAttr.ALL:
        if key.name in known:
            continue
        try:
            await client.operator_service.add_search_attributes(
                AddSearchAttributesRequest(
                    namespace=namespace,
                    search_attributes={key.name: _INDEXED[key.indexed_value_type]},
                )
            )
            added.append(key.name)
        except RPCError as err:
            if err.status != RPCStatusCode.ALREADY_EXISTS and "already" not in err.message:
                raise
    return sorted(added)
