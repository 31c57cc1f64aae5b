"""The canonical CRM schema v1: typed field definitions loaded from the Frictionless files in ``schemas/``.

The JSON files live at the repository's top level (``schemas/``) and ship inside the wheel as
``portcheck/_schemas``. This module finds them in either place.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

OBJECTS: tuple[str, ...] = ("customer", "contact", "opportunity")
STAGES: tuple[str, ...] = ("lead", "qualification", "needs_analysis", "proposal", "negotiation", "won", "lost")

# Canonical types, as the comparison understands them (a refinement of the Frictionless types).
INSTANT, DATE, DECIMAL, PERCENT, BOOLEAN, STRING, PHONE, EMAIL, CURRENCY, STAGE = (
    "instant", "date", "decimal", "percent", "boolean", "string", "phone", "email", "currency", "stage")


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str  # one of the canonical types above
    required: bool = False
    primary_key: bool = False
    foreign_key: str | None = None  # parent object name
    enum: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class ObjectDef:
    name: str
    fields: tuple[FieldDef, ...]
    primary_key: str
    foreign_keys: dict[str, str] = field(default_factory=dict)  # field -> parent object

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    def get(self, name: str) -> FieldDef | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


@dataclass(frozen=True)
class Schema:
    name: str
    version: str
    sha256: str
    objects: dict[str, ObjectDef]

    def __getitem__(self, name: str) -> ObjectDef:
        return self.objects[name]


def schema_dir() -> Path:
    """Where the schema files are: inside the installed package, else the source tree's ``schemas/``."""
    packaged = Path(__file__).resolve().parent / "_schemas"
    if (packaged / "crm.json").is_file():
        return packaged
    source = Path(__file__).resolve().parent.parent / "schemas"
    if (source / "crm.json").is_file():
        return source
    raise FileNotFoundError("portcheck's canonical schema files are missing from this installation")


def _canonical_type(raw: dict) -> str:
    name, ftype, fmt = raw["name"], raw.get("type", "string"), raw.get("format")
    if ftype == "datetime":
        return INSTANT
    if ftype == "date":
        return DATE
    if ftype == "boolean":
        return BOOLEAN
    if ftype == "number":
        return PERCENT if name == "probability" else DECIMAL
    if fmt == "phone":
        return PHONE
    if fmt == "email":
        return EMAIL
    if fmt == "iso4217":
        return CURRENCY
    if name == "stage":
        return STAGE
    return STRING


@lru_cache(maxsize=1)
def load_schema() -> Schema:
    """Load and hash the canonical schema (the hash covers the descriptor and every object file)."""
    base = schema_dir()
    descriptor_bytes = (base / "crm.json").read_bytes()
    descriptor = json.loads(descriptor_bytes)
    digest = hashlib.sha256(descriptor_bytes)
    objects: dict[str, ObjectDef] = {}
    for resource in descriptor["resources"]:
        raw_bytes = (base / resource["schema"]).read_bytes()
        digest.update(raw_bytes)
        raw = json.loads(raw_bytes)
        pk = raw["primaryKey"][0]
        fks = {fk["fields"][0]: fk["reference"]["resource"] for fk in raw.get("foreignKeys", [])}
        fields = []
        for f in raw["fields"]:
            c = f.get("constraints", {})
            fields.append(FieldDef(
                name=f["name"], type=_canonical_type(f), required=bool(c.get("required")),
                primary_key=f["name"] == pk, foreign_key=fks.get(f["name"]),
                enum=tuple(c.get("enum", ())), minimum=c.get("minimum"), maximum=c.get("maximum")))
        objects[resource["name"]] = ObjectDef(resource["name"], tuple(fields), pk, fks)
    return Schema(descriptor["name"], str(descriptor["version"]), digest.hexdigest(), objects)
