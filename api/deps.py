"""Dependencies handed to routes; settings set when the app is built, the rest made in the
lifespan, none at import."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request
from temporalio.client import Client

from config import Settings
from domain.catalog import Catalog, get_catalog
from integrations.blobs import BlobStore
from models.database import Database


def get_db(request: Request) -> Database:
    return cast(Database, request.app.state.db)


def get_temporal(request: Request) -> Client:
    return cast(Client, request.app.state.temporal)


def get_app_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


def get_blobs(request: Request) -> BlobStore:
    return cast(BlobStore, request.app.state.blobs)


def catalog_dep() -> Catalog:
    """The packaged catalog (loaded once); tests override this dependency with their own."""
    return get_catalog()


DatabaseDep = Annotated[Database, Depends(get_db)]
TemporalClientDep = Annotated[Client, Depends(get_temporal)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
BlobStoreDep = Annotated[BlobStore, Depends(get_blobs)]
CatalogDep = Annotated[Catalog, Depends(catalog_dep)]
