"""Liveness for load balancers and `make run`: does the database and Temporal answer?"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.auth.fence import PUBLIC
from api.deps import DatabaseDep, TemporalClientDep
from models.database import Database

router = APIRouter(tags=["health"], dependencies=[PUBLIC])


def _db_ok(db: Database) -> bool:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


@router.get("/healthz")
async def healthz(db: DatabaseDep, client: TemporalClientDep) -> JSONResponse:
    """200 when both the database and Temporal answer, 503 otherwise."""
    database = await asyncio.to_thread(_db_ok, db)
    try:
        temporal = await asyncio.wait_for(client.service_client.check_health(), timeout=3)
    except Exception:
        temporal = False
    body = {"database": "ok" if database else "down", "temporal": "ok" if temporal else "down"}
    return JSONResponse(status_code=200 if database and temporal else 503, content=body)
