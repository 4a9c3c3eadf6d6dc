"""The one place a Temporal client is made: pydantic payloads, the configured namespace."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from config import Settings


async def connect(settings: Settings) -> Client:
    """Connect with the pydantic data converter that every payload here needs."""
    return await Client.connect(
        settings.TEMPORAL_ADDRESS,
        namespace=settings.TEMPORAL_NAMESPACE,
        data_converter=pydantic_data_converter,
    )
