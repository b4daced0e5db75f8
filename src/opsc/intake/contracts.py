"""Contracts: what a submission file of one record type holds, as frictionless Table Schemas.

A contract is Python data (see `definitions.py` and `programme.py`) rendered to a Table
Schema descriptor; with a country, code-list fields carry the country's codes as `enum`
constraints. The version changes whenever a field is added, removed or changes meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from opsc.intake.fields import FALSE_VALUES, TRUE_VALUES, Field
from opsc.reference import Profile

CONTRACT_VERSION = "1.0.0"


class ContractError(KeyError):
    """An unknown contract name; the message lists the known ones."""


@dataclass(frozen=True)
class ForeignKey:
    """`field` names a record of `target` (a contract) by its agency identifier."""

    field: str
    target: str
    table: str  # store table of the target
    target_field: str  # agency id column in that table
    column: str  # store column that receives the resolved id


@dataclass(frozen=True)
class Contract:
    name: str
    table: str
    title_en: str
    title_es: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    # multi-valued field -> (child table, parent id column, value column)
    children: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    kind: str = "records"  # records / aggregate / programme
    version: str = CONTRACT_VERSION

    def title(self, lang: str) -> str:
        return self.title_es if lang == "es" else self.title_en

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"contract {self.name} has no field {name!r}")

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def agency_key(self) -> str | None:
        """The agency identifier column, for case-level records."""
        if self.kind == "records" and len(self.primary_key) == 1:
            return self.primary_key[0]
        return None

    def descriptor(self, profile: Profile | None = None) -> dict[str, Any]:
        """The frictionless Table Schema; with a profile, code lists become `enum`s."""
        desc: dict[str, Any] = {
            "name": self.name,
            "title": self.title_en,
            "opsc:title_es": self.title_es,
            "opsc:version": self.version,
            "fields": [_field_descriptor(f, profile) for f in self.fields],
            "missingValues": [""],
        }
        if self.primary_key:
            desc["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            desc["foreignKeys"] = [
                {
                    "fields": [fk.field],
                    "reference": {"resource": fk.target, "fields": [fk.target_field]},
                }
                for fk in self.foreign_keys
            ]
        return desc


def _field_descriptor(f: Field, profile: Profile | None) -> dict[str, Any]:
    d: dict[str, Any] = {
        "name": f.name,
        "type": f.type,
        "title": f.title_en,
        "opsc:title_es": f.title_es,
    }
    if f.description_en:
        d["description"] = f.description_en
        d["opsc:description_es"] = f.description_es
    if f.type == "date":
        d["format"] = "any"
    if f.type == "boolean":
        d["trueValues"] = list(TRUE_VALUES)
        d["falseValues"] = list(FALSE_VALUES)
    constraints: dict[str, Any] = {}
    if f.required:
        constraints["required"] = True
    if f.minimum is not None:
        constraints["minimum"] = f.minimum if f.type == "number" else int(f.minimum)
    if f.maximum is not None:
        constraints["maximum"] = f.maximum if f.type == "number" else int(f.maximum)
    if f.max_length:
        constraints["maxLength"] = f.max_length
    if f.pattern:
        constraints["pattern"] = f.pattern
    if f.enum:
        constraints["enum"] = list(f.enum)
    if f.codelist:
        d["opsc:codelist"] = f.codelist
        if f.multiple:
            d["opsc:separator"] = " "
        elif profile is not None:
            constraints["enum"] = sorted(codes_for(f.codelist, profile))
    if constraints:
        d["constraints"] = constraints
    return d


def codes_for(codelist: str, profile: Profile) -> frozenset[str]:
    """The valid codes of a field's list in a country (`geo`: units of every level)."""
    return _codes(codelist, profile.code)


@cache
def _codes(codelist: str, country: str) -> frozenset[str]:
    from opsc.reference import load_profile

    profile = load_profile(country)
    if codelist == "geo":
        return frozenset(u.code for g in profile.geo_levels for u in profile.geo_units(g.level))
    return profile.codelist(codelist).code_set()


@cache
def field_titles() -> dict[str, tuple[str, str]]:
    """Field name -> (English title, Spanish title), first definition wins."""
    titles: dict[str, tuple[str, str]] = {}
    for c in all_contracts():
        for f in c.fields:
            titles.setdefault(f.name, (f.title_en, f.title_es))
    return titles


def all_contracts() -> tuple[Contract, ...]:
    from opsc.intake.definitions import CONTRACTS

    return CONTRACTS


def get_contract(name: str) -> Contract:
    key = name.strip().lower().replace("-", "_")
    for c in all_contracts():
        if key in (c.name, c.table, c.name.rstrip("s")):
            return c
    known = ", ".join(c.name for c in all_contracts())
    raise ContractError(
        f"No contract {name!r}; known: {known}. / No existe el formato {name!r}; formatos: {known}."
    )
