"""Rates per 100,000 (SDG 16.2.2 style): unique child victims over a population.

Every rate carries its denominator: population table, title, year, age group and basis
(children 0-17 or all inhabitants). A missing denominator is an error that names what is
missing and how to add it, never a zero. When a profile has no 0-17 population (Peru),
`basis="auto"` uses the total population and labels every rate "per 100,000 inhabitants".

Rates by `age_band` (0-4, 5-9, 10-14, 15-17) or single year of `age` need a population
table whose `age_group`s are those bands or years ("0" ... "17"); each cell is divided by
the population of its own age group, recorded in the `age_group` column. Children of
unknown age are counted (cell UNK) but get no rate. Without such a table (Mexico and Peru
today) the error says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from opsc.reference import PopulationTable, Profile
from opsc.stats.cube import Cube, Filter
from opsc.stats.errors import MissingDenominatorError, StatsError

CHILD_AGE_GROUP = "0-17"
TOTAL = "_total"
BASES = ("children", "total", "auto")
# Numerator dimensions a population denominator does not vary by (numerator-only).
NUMERATOR_ONLY = ("offence", "offence_group", "iccs", "online", "tourism")
AGE_DIMS = ("age_band", "age")
UNKNOWN_AGE = "UNK"


@dataclass(frozen=True)
class Denominator:
    table: str
    title: str
    year: int
    age_group: str
    level: str

    @property
    def label_en(self) -> str:
        if self.age_group == CHILD_AGE_GROUP:
            return "per 100,000 children aged 0-17"
        if self.age_group == TOTAL:
            return "per 100,000 inhabitants (all ages)"
        return f"per 100,000 children of the same age group ({self.age_group})"

    @property
    def label_es(self) -> str:
        if self.age_group == CHILD_AGE_GROUP:
            return "por 100 000 niñas y niños de 0 a 17 años"
        if self.age_group == TOTAL:
            return "por 100 000 habitantes (todas las edades)"
        return f"por 100 000 niñas y niños del mismo grupo de edad ({self.age_group})"


@dataclass(frozen=True)
class RateTable:
    by: tuple[str, ...]
    frame: pd.DataFrame  # dims..., numerator, denominator, rate, note
    denominator: Denominator
    per: int
    key_source: str
    note: str = ""
    unknown_age: int | None = None  # children of unknown age (counted, no rate); by age only

    def to_json(self) -> dict[str, Any]:
        frame = self.frame.astype(object).where(self.frame.notna(), None)
        return {
            "measure": "unique_children",
            "unit": "children",
            "by": list(self.by),
            "per": self.per,
            "label_en": self.denominator.label_en,
            "label_es": self.denominator.label_es,
            "denominator": {
                "table": self.denominator.table,
                "title": self.denominator.title,
                "year": self.denominator.year,
                "age_group": self.denominator.age_group,
                "level": self.denominator.level,
            },
            "key_source": self.key_source,
            "note": self.note,
            "unknown_age": self.unknown_age,
            "cells": frame.to_dict(orient="records"),
        }


def _tables_with(profile: Profile, age_group: str, level: str | None) -> list[PopulationTable]:
    out = []
    for table in profile.population_tables:
        rows = table.rows()
        if any(r.age_group == age_group for r in rows) and (
            level is None or any(r.level == level for r in rows)
        ):
            out.append(table)
    return out


def choose_denominator(
    profile: Profile, year: int, level: str | None, basis: str, table_id: str | None = None
) -> tuple[PopulationTable, str, str]:
    """(table, age group, note) for a year and geographic level; errors say what is missing."""
    if basis not in BASES:
        raise StatsError(f"basis {basis!r}: use one of {', '.join(BASES)}")
    wanted = [CHILD_AGE_GROUP] if basis == "children" else [TOTAL]
    if basis == "auto":
        wanted = [CHILD_AGE_GROUP, TOTAL]
    tables = [profile.population_table(table_id)] if table_id else profile.population_tables
    note = ""
    for age in wanted:
        for table in tables:
            rows = [r for r in table.rows() if r.age_group == age and r.year == year]
            if rows and (level is None or any(r.level == level for r in rows)):
                if age == TOTAL and basis == "auto":
                    note = (
                        f"No 0-17 population for {profile.code} ({level or 'national'}, {year}): "
                        "rates are per 100,000 inhabitants of all ages, not per 100,000 children. "
                        + profile.notes().get("child_population", "")
                    ).strip()
                return table, age, note
    have = sorted({(t.id, r.year, r.age_group, r.level) for t in tables for r in t.rows()})
    years = sorted({y for _, y, a, _lvl in have if a in wanted})
    raise MissingDenominatorError(
        f"{profile.code}: no population table with age group {' or '.join(wanted)} at level "
        f"{level or 'national'} for {year} (years available for that age group: "
        f"{years or 'none'}). Add the population to the profile ({profile.folder}/profile.toml "
        "[[population]]) or choose another year, level or basis ('total' for rates per "
        "100,000 inhabitants). / Falta el denominador de población."
    )


def age_groups(profile: Profile, dim: str) -> list[str]:
    """The population age groups an age dimension needs: band codes or single years."""
    if dim == "age":
        return [str(a) for a in range(18)]
    bands = profile.codelist("age_bands").codes
    return [b.code for b in bands if b.extra.get("min_age", "") and b.extra.get("max_age", "")]


def choose_age_denominator(
    profile: Profile, year: int, level: str | None, dim: str, table_id: str | None = None
) -> tuple[PopulationTable, list[str]]:
    """(table, age groups it has) for rates by `age_band` or `age`; errors name the fix."""
    wanted = age_groups(profile, dim)
    tables = [profile.population_table(table_id)] if table_id else profile.population_tables
    for table in tables:
        rows = [r for r in table.rows() if r.year == year and r.age_group in wanted]
        if rows and (level is None or any(r.level == level for r in rows)):
            return table, [a for a in wanted if any(r.age_group == a for r in rows)]
    have = sorted({f"{t.id}: {r.age_group}" for t in tables for r in t.rows()})
    raise MissingDenominatorError(
        f"no population denominator by {dim} in profile {profile.code} at level "
        f"{level or 'national'} for {year}: rates by {dim} need a population table with age "
        f"groups {', '.join(wanted)}; the profile has {'; '.join(have) or 'no population'}. "
        f"Add such a table to {profile.folder}/profile.toml [[population]] (e.g. layout "
        '"long" with values = { "0-4" = "<column>", ... }), or give counts by '
        f"{dim} with `opsc stats table`. / Falta la población por grupo de edad."
    )


def _population(
    table: PopulationTable,
    year: int,
    ages: Sequence[str],
    level: str | None,
    by_sex: bool,
    age_dim: str | None = None,
) -> pd.DataFrame:
    rows = pd.DataFrame([r.__dict__ for r in table.rows()])
    rows = rows[(rows["year"] == year) & (rows["age_group"].isin(list(ages)))]
    rows = rows[rows["sex"].isin(["F", "M"])] if by_sex else rows[rows["sex"] == TOTAL]
    if level is None:
        national = rows[rows["level"] == "national"]
        rows = national if not national.empty else rows[rows["level"] != "national"]
    else:
        rows = rows[rows["level"] == level].rename(columns={"code": level})
    keys = [k for k in (level, "sex" if by_sex else None, "age_group" if age_dim else None) if k]
    if not keys:
        return pd.DataFrame({"denominator": [int(rows["population"].sum())]})
    pop = rows.groupby(keys)["population"].sum().reset_index(name="denominator")
    if age_dim:
        ages_as = pop["age_group"].astype(int) if age_dim == "age" else pop["age_group"]
        pop = pop.assign(**{age_dim: ages_as})
    return pop


def rates(
    cube: Cube,
    year: int,
    by: Sequence[str] = (),
    where: Filter | None = None,
    *,
    basis: str = "auto",
    table_id: str | None = None,
    per: int = 100_000,
) -> RateTable:
    """Unique child victims per `per` population, by sex, age, geography and numerator dims."""
    profile = cube.profile
    levels = [g.level for g in profile.geo_levels]
    geo = [d for d in by if d in levels]
    if len(geo) > 1:
        raise StatsError(f"rates by one geographic level at a time, not {geo}")
    ages = [d for d in by if d in AGE_DIMS]
    if len(ages) > 1:
        raise StatsError(f"rates by one age dimension at a time, not {ages}")
    unsupported = [d for d in by if d not in (*levels, "sex", *AGE_DIMS, *NUMERATOR_ONLY)]
    if unsupported:
        raise MissingDenominatorError(
            f"no population denominator by {', '.join(unsupported)} in profile {profile.code}: "
            f"population tables split by year, sex, age and geography only. Rates can be "
            f"broken down by sex, {', '.join(AGE_DIMS)} (when the profile has population by "
            f"age), {', '.join(levels)} and {', '.join(NUMERATOR_ONLY)}; give counts for the "
            "other dimensions."
        )
    level = geo[0] if geo else None
    age_dim = ages[0] if ages else None
    if age_dim and basis == "total":
        raise StatsError(f"rates by {age_dim} are per children of each age: use basis auto")
    if age_dim:
        table, groups = choose_age_denominator(profile, year, level, age_dim, table_id)
        age, note = ", ".join(groups), ""
    else:
        table, age, note = choose_denominator(profile, year, level, basis, table_id)
        groups = [age]
    pop = _population(table, year, groups, level, "sex" in by, age_dim)
    filters: dict[str, Any] = dict(where or {})
    filters["year"] = year
    num = cube.table("unique_children", list(by), filters).frame
    num = num.rename(columns={"value": "numerator"})
    keys = [k for k in (level, "sex" if "sex" in by else None, age_dim) if k]
    frame = (
        num.merge(pop, on=keys, how="left")
        if keys
        else num.assign(denominator=int(pop["denominator"].iloc[0]) if not pop.empty else None)
    )
    if keys and frame.empty is False and pop.empty:
        raise MissingDenominatorError(f"{table.id}: no rows for {year} by {keys}")
    frame["rate"] = (frame["numerator"] / frame["denominator"] * per).round(2)
    unknown = frame[age_dim].isna() | (frame[age_dim] == UNKNOWN_AGE) if age_dim else None
    frame["note"] = [
        "age unknown: counted, no rate (no population of unknown age)"
        if unknown is not None and unknown.iloc[i]
        else "no denominator: category not in the population table"
        if missing
        else ""
        for i, missing in enumerate(frame["denominator"].isna())
    ]
    unknown_age = int(frame.loc[unknown, "numerator"].sum()) if unknown is not None else None
    if unknown_age:
        note = f"{unknown_age} child victims of unknown age are counted but have no rate."
    den = Denominator(table.id, table.title, year, age, level or "national")
    return RateTable(tuple(by), frame, den, per, cube.key_source, note, unknown_age)


def rate_of(cube: Cube, year: int, where: Mapping[str, Any] | None = None, **kw: Any) -> float:
    """One national rate (e.g. for an indicator); errors like `rates`."""
    table = rates(cube, year, (), where, **kw)
    return float(table.frame["rate"].iloc[0]) if not table.frame.empty else 0.0
