"""Load a country profile's reference data into the records store (idempotent)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select

from opsc.records.db import session
from opsc.records.reference_tables import RefCode, RefGeoUnit, RefLoad, RefPopulation
from opsc.reference.profiles import Profile

_BATCH = 20_000


@dataclass(frozen=True)
class LoadResult:
    country: str
    geo_units: int
    codes: int
    population_rows: int
    skipped: bool  # the same profile content was already loaded


def profile_hash(profile: Profile) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in profile.folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(profile.folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_reference(engine: Engine, profile: Profile) -> LoadResult:
    """Replace the profile's rows in the store in one transaction; skip if unchanged."""
    sha = profile_hash(profile)
    country = profile.code
    geo = [
        {
            "country": country,
            "level": u.level,
            "code": u.code,
            "name": u.name,
            "parent_code": u.parent,
            "iso_3166_2": u.iso_3166_2,
        }
        for level in profile.geo_levels
        for u in profile.geo_units(level.level)
    ]
    codes = [
        {"country": country, "codelist": name, "code": c.code}
        | {"label_en": c.label_en, "label_es": c.label_es}
        for name in profile.codelist_names()
        for c in profile.codelist(name)
    ]
    with session(engine) as s:
        loaded = s.scalar(select(RefLoad.sha256).where(RefLoad.country == country))
        if loaded == sha:
            return LoadResult(country, len(geo), len(codes), _population_count(profile), True)
        for table in (RefGeoUnit, RefCode, RefPopulation, RefLoad):
            s.execute(delete(table).where(table.country == country))
        s.execute(insert(RefGeoUnit), geo)
        s.execute(insert(RefCode), codes)
        population = 0
        for t in profile.population_tables:
            rows = [
                {
                    "country": country,
                    "source_table": r.table,
                    "year": r.year,
                    "level": r.level,
                    "code": r.code,
                    "sex": r.sex,
                    "age_group": r.age_group,
                    "population": r.population,
                }
                for r in t.rows()
            ]
            for start in range(0, len(rows), _BATCH):
                s.execute(insert(RefPopulation), rows[start : start + _BATCH])
            population += len(rows)
        s.add(RefLoad(country=country, sha256=sha))
    return LoadResult(country, len(geo), len(codes), population, False)


def _population_count(profile: Profile) -> int:
    return sum(len(t.rows()) for t in profile.population_tables)
