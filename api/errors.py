"""Errors the API maps to HTTP answers that name the field and the rule."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from temporalio.service import RPCError


class FieldError(Exception):
    """Bad input found after schema validation (catalog, register, blob store): a 422."""

    def __init__(self, loc: tuple[str | int, ...], msg: str, **extra: Any) -> None:
        super().__init__(msg)
        self.loc = loc
        self.msg = msg
        self.extra = extra


class IdempotencyConflict(Exception):
    """An Idempotency-Key reused with a different request body: a 409."""

    def __init__(self, key: str) -> None:
        super().__init__(f"Idempotency-Key {key!r} was used for a different request")


class UpdateRefused(Exception):
    """A workflow update's validator said no: the case is not in a stage that allows it."""


class CaseNotFound(Exception):
    def __init__(self, case_no: str) -> None:
        super().__init__(f"case {case_no} not found")


def install(app: FastAPI) -> None:
    """Register the handlers; every error body has a `detail` list like FastAPI's own 422."""

    @app.exception_handler(FieldError)
    async def _field(_: Request, err: FieldError) -> JSONResponse:
        detail = {"loc": list(err.loc), "msg": err.msg, "type": "value_error", **err.extra}
        return JSONResponse(status_code=422, content={"detail": [detail]})

    @app.exception_handler(IdempotencyConflict)
    async def _conflict(_: Request, err: IdempotencyConflict) -> JSONResponse:
        detail = {"loc": ["header", "Idempotency-Key"], "msg": str(err), "type": "conflict"}
        return JSONResponse(status_code=409, content={"detail": [detail]})

    @app.exception_handler(UpdateRefused)
    async def _refused(_: Request, err: UpdateRefused) -> JSONResponse:
        detail = {"loc": ["body"], "msg": str(err), "type": "conflict"}
        return JSONResponse(status_code=409, content={"detail": [detail]})

    @app.exception_handler(RPCError)
    async def _temporal_down(_: Request, err: RPCError) -> JSONResponse:
        detail = {
            "loc": [],
            "msg": f"Temporal is unavailable: {err.message}",
            "type": "unavailable",
        }
        return JSONResponse(status_code=503, content={"detail": [detail]})

    @app.exception_handler(CaseNotFound)
    async def _missing(_: Request, err: CaseNotFound) -> JSONResponse:
        detail = {"loc": ["path", "case_no"], "msg": str(err), "type": "not_found"}
        return JSONResponse(status_code=404, content={"detail": [detail]})
