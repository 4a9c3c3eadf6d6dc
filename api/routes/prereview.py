"""Pre-review at the service desk: the one-time notice (一次性告知) of what is missing."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field, StrictBool

from api.auth.fence import PUBLIC
from api.deps import CatalogDep
from api.errors import responses
from domain.catalog import UnknownBusinessType, UnknownFact
from domain.prereview import PreReviewResult, pre_review

router = APIRouter(tags=["pre-review"], responses=responses(400, 413, 422), dependencies=[PUBLIC])


class PreReviewRequest(BaseModel):
    """The business type, the papers on the desk, and the facts that decide conditional ones."""

    business_type: str = Field(min_length=1, examples=["existing_home_sale"])
    presented: list[str] = Field(default_factory=list, examples=[["application_form"]])
    facts: dict[str, StrictBool] = Field(default_factory=dict, examples=[{"agent_acts": True}])


def _unprocessable(loc: list[str], message: str, error_type: str) -> HTTPException:
    # Same shape as FastAPI's own validation errors, so clients handle one format.
    return HTTPException(
        status_code=422, detail=[{"loc": ["body", *loc], "msg": message, "type": error_type}]
    )


@router.post("/pre-review")
def post_pre_review(request: PreReviewRequest, catalog: CatalogDep) -> PreReviewResult:
    """Check the presented materials and list every missing item at once."""
    try:
        return pre_review(catalog, request.business_type, request.presented, request.facts)
    except UnknownBusinessType as exc:
        raise _unprocessable(["business_type"], str(exc), "unknown_business_type") from exc
    except UnknownFact as exc:
        raise _unprocessable(["facts", exc.fact], str(exc), "unknown_fact") from exc
