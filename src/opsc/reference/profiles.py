"""Country profiles: a folder of data per State party, found on a search path.

Built-in profiles live in `reference/profiles/<CC>/`; more folders can be added with the
OPSC_PROFILE_PATH setting (os.pathsep-separated), so a third country needs no code.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from opsc import settings
from opsc.reference.codelists import (
    COMMON_DIR,
    CodeList,
    common_codelist_names,
    read_codelist,
    read_rows,
)
from opsc.reference.geography import GeoLevel, GeoUnit, read_units
from opsc.reference.nationalities import nationalities
from opsc.reference.population import PopulationRow, PopulationTable

BUILTIN_DIR = Path(__file__).parent / "profiles"
PROFILE_FILE = "profile.toml"
# Code lists a profile must define itself (they differ by country).
COUNTRY_CODELISTS = ("ethnic_origin", "languages")


class ProfileError(ValueError):
    """A profile is missing or malformed; the message names the file and the fix."""


def search_path() -> list[Path]:
    extra = settings.get("profile_path")
    return [Path(p) for p in extra.split(os.pathsep) if p] + [BUILTIN_DIR]


def list_profiles() -> list[Profile]:
    found: dict[str, Profile] = {}
    for base in search_path():
        if base.is_dir():
            for folder in sorted(base.iterdir()):
                if (folder / PROFILE_FILE).is_file() and folder.name not in found:
                    found[folder.name] = Profile(folder)
    return sorted(found.values(), key=lambda p: p.code)


def load_profile(code: str) -> Profile:
    code = code.upper()
    for profile in list_profiles():
        if profile.code == code:
            return profile
    known = ", ".join(p.code for p in list_profiles())
    raise ProfileError(
        f"No country profile {code!r} (known: {known}). Add a folder {code}/ with "
        f"{PROFILE_FILE} to OPSC_PROFILE_PATH. / No existe el perfil de país {code!r} "
        f"(conocidos: {known})."
    )


@dataclass(frozen=True)
class Profile:
    folder: Path

    @cached_property
    def meta(self) -> dict[str, Any]:
        path = self.folder / PROFILE_FILE
        try:
            return tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ProfileError(f"{path}: not valid TOML: {exc}") from exc

    @property
    def code(self) -> str:
        return str(self.meta["code"])

    @property
    def name_en(self) -> str:
        return str(self.meta["name_en"])

    @property
    def name_es(self) -> str:
        return str(self.meta["name_es"])

    @property
    def locale(self) -> str:
        return str(self.meta["locale"])

    def disclosure_k(self) -> dict[str, int]:
        """Threshold k by geographic level (`national` plus each level of the profile)."""
        return {str(k): int(v) for k, v in self.meta.get("disclosure", {}).get("k", {}).items()}

    # -- geography ---------------------------------------------------------------
    @cached_property
    def geo_levels(self) -> tuple[GeoLevel, ...]:
        return tuple(GeoLevel.from_profile(self.folder, s) for s in self.meta["geography"])

    def geo_level(self, level: str) -> GeoLevel:
        for g in self.geo_levels:
            if g.level == level:
                return g
        names = ", ".join(g.level for g in self.geo_levels)
        raise ProfileError(f"{self.code} has no geographic level {level!r} (levels: {names})")

    def geo_units(self, level: str) -> list[GeoUnit]:
        return read_units(self.geo_level(level))

    # -- code lists --------------------------------------------------------------
    def codelist_names(self) -> list[str]:
        own = [p.stem for p in self.folder.glob("*.csv") if p.stem != "legal_provisions"]
        return sorted({*common_codelist_names(), *own, "nationalities"})

    def codelist(self, name: str) -> CodeList:
        """A code list; the country's own file overrides the common one of the same name."""
        if name == "nationalities":
            return nationalities()
        for folder in (self.folder, COMMON_DIR):
            path = folder / f"{name}.csv"
            if path.is_file():
                return read_codelist(path)
        raise ProfileError(
            f"{self.code}: no code list {name!r}; known: {', '.join(self.codelist_names())}"
        )

    def legal_provisions(self) -> list[dict[str, str]]:
        path = self.folder / "legal_provisions.csv"
        return read_rows(path) if path.is_file() else []

    # -- population --------------------------------------------------------------
    @cached_property
    def population_tables(self) -> tuple[PopulationTable, ...]:
        return tuple(
            PopulationTable(s["id"], s["title"], self.folder / s["file"], s)
            for s in self.meta.get("population", [])
        )

    def population_table(self, table_id: str) -> PopulationTable:
        for t in self.population_tables:
            if t.id == table_id:
                return t
        ids = ", ".join(t.id for t in self.population_tables)
        raise ProfileError(f"{self.code} has no population table {table_id!r} (tables: {ids})")

    def population(self, table_id: str) -> list[PopulationRow]:
        return self.population_table(table_id).rows()

    def notes(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self.meta.get("notes", {}).items()}

    def check(self) -> list[str]:
        """Problems with the profile's data, as messages (empty list = sound)."""
        problems = [
            f"{self.folder}: missing code list {name}.csv"
            for name in COUNTRY_CODELISTS
            if not (self.folder / f"{name}.csv").is_file()
        ]
        codes_by_level: dict[str, set[str]] = {}
        for level in self.geo_levels:
            units = self.geo_units(level.level)
            codes = {u.code for u in units}
            if len(codes) != len(units):
                problems.append(f"{level.file}: duplicate codes in {level.code}")
            if level.parent:
                parents = codes_by_level.get(level.parent, set())
                orphans = sorted({u.parent or "" for u in units} - parents)
                if orphans:
                    problems.append(f"{level.file}: parent codes not in {level.parent}: {orphans}")
            codes_by_level[level.level] = codes
        offences = self.codelist("offences").code_set()
        for line, row in enumerate(self.legal_provisions(), start=2):
            if row["offence"] not in offences:
                problems.append(
                    f"legal_provisions.csv row {line}: unknown offence {row['offence']}"
                )
        return problems
