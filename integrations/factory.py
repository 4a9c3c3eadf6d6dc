"""Build the configured gateways from Settings (local defaults, real adapters by switch)."""

from __future__ import annotations

from config import Settings
from integrations.blobs import FileBlobStore
from integrations.ems import EmsGateway, HttpEmsGateway, LocalEmsGateway
from integrations.sms import HttpSmsGateway, LocalOutboxSmsGateway, SmsGateway


def blob_store(settings: Settings) -> FileBlobStore:
    return FileBlobStore(settings.BLOB_DIR)


def sms_gateway(settings: Settings) -> SmsGateway:
    if settings.SMS_GATEWAY == "http":
        assert settings.SMS_HTTP_URL
        return HttpSmsGateway(settings.SMS_HTTP_URL, settings.SMS_HTTP_TOKEN)
    return LocalOutboxSmsGateway(settings.SMS_OUTBOX_FILE)


def ems_gateway(settings: Settings) -> EmsGateway:
    if settings.EMS_GATEWAY == "http":
        assert settings.EMS_HTTP_URL
        return HttpEmsGateway(settings.EMS_HTTP_URL, settings.EMS_HTTP_TOKEN)
    return LocalEmsGateway(settings.EMS_LOCAL_DIR)
