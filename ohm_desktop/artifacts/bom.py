"""Bill of materials: the parts a bench needs to order."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class BomPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    designator: str | None = None
    name: str = Field(min_length=1)
    quantity: int = Field(gt=0)
    value: str | None = None
    footprint: str | None = None
    manufacturer: str | None = None
    mpn: str | None = None
    supplier_pn: str | None = None
    notes: str | None = None


class Bom(BaseModel):
    model_config = ConfigDict(extra="allow")

    projectName: str = Field(min_length=1)
    parts: list[BomPart]
