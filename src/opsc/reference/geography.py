"""Geographic levels and units of a country profile (e.g. state > municipality)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opsc.reference.codelists import read_rows


@dataclass(frozen=True)
class GeoLevel:
    level: str
    label_en: str
    label_es: str
    file: Path
    code: str
    name: str
    parent: str | None = None
    parent_code: str | None = None
    iso_3166_2: str | None = None

    @classmethod
    def from_profile(cls, folder: Path, spec: dict[str, Any]) -> GeoLevel:
        return cls(
            level=spec["level"],
            label_en=spec["label_en"],
            label_es=spec["label_es"],
            file=folder / spec["file"],
            code=spec["code"],
            name=spec["name"],
            parent=spec.get("parent"),
            parent_code=spec.get("parent_code"),
            iso_3166_2=spec.get("iso_3166_2"),
        )


@dataclass(frozen=True)
class GeoUnit:
    code: str
    name: str
    level: str
    parent: str | None
    iso_3166_2: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "parent": self.parent,
            "iso_3166_2": self.iso_3166_2,
        }


def read_units(level: GeoLevel) -> list[GeoUnit]:
    units = []
    for line, row in enumerate(read_rows(level.file), start=2):
        code = row[level.code]
        if not code:
            raise ValueError(f"{level.file}: row {line}: empty code in column {level.code!r}")
        units.append(
            GeoUnit(
                code=code,
                name=row[level.name],
                level=level.level,
                parent=row[level.parent_code] if level.parent_code else None,
                iso_3166_2=(row.get(level.iso_3166_2) or None) if level.iso_3166_2 else None,
            )
        )
    return units
