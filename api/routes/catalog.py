"""The public procedure sheet: business types, the materials each needs, deadlines."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from api.auth.fence import PUBLIC
from api.deps import CatalogDep, catalog_dep
from api.errors import MessageBody, responses
from domain.business_types import (
    Applicants,
    BusinessType,
    DeadlineStep,
    PartyKinds,
    in_department_order,
)
from domain.catalog import Catalog, MaterialCount, UnknownBusinessType
from domain.flows import Flow
from domain.materials import Material

__all__ = ["catalog_dep", "router"]

router = APIRouter(prefix="/catalog", tags=["catalog"], dependencies=[PUBLIC])


class BusinessTypeSummary(BaseModel):
    """One line of the list of business types."""

    code: str
    name_zh: str
    name_en: str
    departments: list[str]
    flow: Flow
    material_counts: MaterialCount


class MaterialNeed(BaseModel):
    """A material on a procedure sheet, with its condition in words."""

    code: str
    name_zh: str
    name_en: str
    departments: list[str]
    required_when: str | None
    condition_zh: str | None
    condition_en: str | None
    note_zh: str | None
    note_en: str | None


class ProcedureSheet(BaseModel):
    """Everything an applicant needs to know about one business type before coming."""

    code: str
    name_zh: str
    name_en: str
    departments: list[str]
    flow: Flow
    registration_kind: str
    registration_kind_zh: str
    registration_kind_en: str
    applicants: Applicants
    party_kinds: PartyKinds
    materials: list[MaterialNeed]
    deadlines: dict[DeadlineStep, int]
    material_counts: MaterialCount


def _departments(item: BusinessType | Material) -> list[str]:
    return [department.value for department in in_department_order(item.departments)]


def _summary(catalog: Catalog, business_type: BusinessType) -> BusinessTypeSummary:
    return BusinessTypeSummary(
        code=business_type.code,
        name_zh=business_type.name_zh,
        name_en=business_type.name_en,
        departments=_departments(business_type),
        flow=business_type.flow,
        material_counts=catalog.material_counts(business_type.code),
    )


def _sheet(catalog: Catalog, business_type: BusinessType) -> ProcedureSheet:
    kind = catalog.registration_kinds[business_type.registration_kind]
    needs = []
    for requirement in business_type.materials:
        material = catalog.material(requirement.material)
        fact = catalog.facts.get(requirement.required_when or "")
        needs.append(
            MaterialNeed(
                code=material.code,
                name_zh=material.name_zh,
                name_en=material.name_en,
                departments=_departments(material),
                required_when=requirement.required_when,
                condition_zh=fact.name_zh if fact else None,
                condition_en=fact.name_en if fact else None,
                note_zh=requirement.note_zh,
                note_en=requirement.note_en,
            )
        )
    return ProcedureSheet(
        code=business_type.code,
        name_zh=business_type.name_zh,
        name_en=business_type.name_en,
        departments=_departments(business_type),
        flow=business_type.flow,
        registration_kind=kind.code,
        registration_kind_zh=kind.name_zh,
        registration_kind_en=kind.name_en,
        applicants=business_type.applicants,
        party_kinds=business_type.party_kinds,
        materials=needs,
        deadlines=business_type.deadlines,
        material_counts=catalog.material_counts(business_type.code),
    )


@router.get("/business-types")
def list_business_types(catalog: CatalogDep) -> list[BusinessTypeSummary]:
    """List every business type with its departments and material counts."""
    return [_summary(catalog, bt) for bt in catalog.business_types.values()]


@router.get(
    "/business-types/{code}",
    responses=responses(422)
    | {404: {"model": MessageBody, "description": "no such business type"}},
)
def get_business_type(code: str, catalog: CatalogDep) -> ProcedureSheet:
    """The procedure sheet of one business type: materials, departments, deadlines."""
    try:
        business_type = catalog.business_type(code)
    except UnknownBusinessType as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    return _sheet(catalog, business_type)


@router.get("/materials")
def list_materials(catalog: CatalogDep) -> list[Material]:
    """List every material of the unified catalog and the departments that use it."""
    return list(catalog.materials.values())
