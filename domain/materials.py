"""The unified material catalog (一套材料): each paper defined once, shared by every business type.

Defining a paper once, with the departments that use it, is what lets the hall take one set of
papers for three departments and say how many papers the reform saves
(:meth:`domain.catalog.Catalog.material_counts`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

from domain.business_types import CODE_PATTERN, Department, in_department_order, parse_departments


class Material(BaseModel):
    """One paper an applicant may hand in, and which departments read it."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    code: str = Field(pattern=CODE_PATTERN.pattern)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    departments: frozenset[Department]
    description: str = ""

    @field_validator("departments", mode="before")
    @classmethod
    def _known_departments(cls, value: Any) -> frozenset[Department]:
        departments = parse_departments(value)
        if not departments:
            raise ValueError("at least one department must use the material")
        return departments

    @field_serializer("departments")
    def _ordered_departments(self, departments: frozenset[Department]) -> list[str]:
        return [department.value for department in in_department_order(departments)]

    def used_by(self, department: Department) -> bool:
        """Whether the department reads this paper for its own step."""
        return department in self.departments
