"""Errors the API maps to HTTP answers that name the field and the rule.

Every error body is `{"detail": [{"loc", "msg", "type", ...}]}`, like FastAPI's own 422,
and `responses()` documents it on each route that can give it.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException
from temporalio.service import RPCError


class ErrorItem(BaseModel):
    """One thing wrong: where (`loc`, e.g. ["body", "buyers", 1, "id_number"]), what, which rule."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    msg: str
    type: str


class ErrorBody(BaseModel):
    """The body of every 4xx/5xx answer of this API."""

    detail: list[ErrorItem]


class MessageBody(BaseModel):
    """A plain message (the public catalog's 404)."""

    detail: str


_MEANING = {
    400: "the body cannot be parsed (not UTF-8 JSON, broken multipart)",
    401: "no valid staff token (`Authorization: Bearer …`); checked before anything else",
    403: "the token's roles are not admitted on this route",
    404: "no such resource",
    409: "conflicts with the request's key or the case's state",
    413: "body larger than the route's limit; refused while it was being received",
    415: "the bytes are not a PDF, JPEG, PNG or TIFF file (read from the content)",
    422: "bad input; `loc` names the field",
    503: "Temporal is unavailable, or the case's workflow did not answer in time",
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for a router: each code with the error model."""
    return {code: {"model": ErrorBody, "description": _MEANING[code]} for code in codes}


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
    """A workflow update's validator said no (wrong stage, already done, differs from the
    first): a 409, naming the field when the refusal starts with one ("amount: ...")."""

    def __init__(self, message: str, loc: tuple[str | int, ...] = ("body",)) -> None:
        super().__init__(message)
        self.loc = loc


class UpdateUnanswered(Exception):
    """The case's workflow did not answer a clerk's update in time (no worker polls, or it
    is stuck): a 503. The request may still be taken once a worker answers, so the clerk
    reads the case before sending it again (a repeat never acts twice: it is answered as
    before, or refused as already done)."""

    def __init__(self, case_no: str, seconds: float) -> None:
        super().__init__(
            f"case {case_no}: its workflow did not answer within {seconds:g} s (no worker "
            "is running, or it is busy); the request may still be taken when it answers: "
            "read the case before sending it again"
        )


class CaseNotFound(Exception):
    def __init__(self, case_no: str) -> None:
        super().__init__(f"case {case_no} not found")


def _json_safe(value: Any) -> Any:
    # A validation error echoes its input; `1e400` parses to inf, which JSON cannot carry.
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def _answer(status: int, loc: list[Any], msg: str, kind: str, **extra: Any) -> JSONResponse:
    detail = {"loc": loc, "msg": msg, "type": kind, **extra}
    return JSONResponse(status_code=status, content={"detail": [detail]})


def install(app: FastAPI) -> None:
    """Register the handlers."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, err: RequestValidationError) -> JSONResponse:
        content = {"detail": _json_safe(jsonable_encoder(err.errors()))}
        return JSONResponse(status_code=422, content=content)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, err: HTTPException) -> Response:
        # FastAPI answers an unparsable body with a bare string; give it the error model.
        if err.status_code == 400 and isinstance(err.detail, str):
            return _answer(400, ["body"], err.detail, "invalid_body")
        return await http_exception_handler(request, err)

    @app.exception_handler(FieldError)
    async def _field(_: Request, err: FieldError) -> JSONResponse:
        return _answer(422, list(err.loc), err.msg, "value_error", **err.extra)

    @app.exception_handler(IdempotencyConflict)
    async def _conflict(_: Request, err: IdempotencyConflict) -> JSONResponse:
        return _answer(409, ["header", "Idempotency-Key"], str(err), "conflict")

    @app.exception_handler(UpdateRefused)
    async def _refused(_: Request, err: UpdateRefused) -> JSONResponse:
        return _answer(409, list(err.loc), str(err), "conflict")

    @app.exception_handler(UpdateUnanswered)
    async def _unanswered(_: Request, err: UpdateUnanswered) -> JSONResponse:
        return _answer(503, ["path", "case_no"], str(err), "unavailable")

    @app.exception_handler(RPCError)
    async def _temporal_down(_: Request, err: RPCError) -> JSONResponse:
        return _answer(503, [], f"Temporal is unavailable: {err.message}", "unavailable")

    @app.exception_handler(CaseNotFound)
    async def _missing(_: Request, err: CaseNotFound) -> JSONResponse:
        return _answer(404, ["path", "case_no"], str(err), "not_found")
