"""Conformed dimensions: geography roll-up, offence taxonomy, age bands, period.

Dimension tables come from the country profile (data), so the cube of a new country needs
no code. Missing values are the explicit code `UNK`, never dropped: totals stay complete.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from opsc.reference import Profile

UNKNOWN = "UNK"


@dataclass(frozen=True)
class Dimension:
    name: str
    help: str


# Dimensions shared by the facts (geography levels are added per profile).
DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("year", "calendar year of the offence (else of the report)"),
    Dimension("quarter", "calendar quarter 1-4"),
    Dimension("month", "calendar month 1-12"),
    Dimension("offence", "principal offence (OPSC taxonomy; first in taxonomy order)"),
    Dimension("offence_group", "OPSC article group of the offence (sale, prostitution, ...)"),
    Dimension("iccs", "UNODC ICCS code of the offence"),
    Dimension("sex", "sex of the child (F/M/UNK)"),
    Dimension("age", "age in completed years at the offence"),
    Dimension("age_band", "age band 0-4, 5-9, 10-14, 15-17, UNK"),
    Dimension("nationality", "ISO 3166-1 alpha-3 nationality"),
    Dimension("ethnic_origin", "ethnic origin / indigenous people (country code list)"),
    Dimension("socio_economic", "socio-economic status"),
    Dimension("migrant_status", "migrant status"),
    Dimension("in_school", "school attendance: yes / no / UNK"),
    Dimension("disability", "child with disability: yes / no / UNK"),
    Dimension("treated_as_offender", "victim treated as an offender: yes / no / UNK"),
    Dimension("relation", "relation of the child to the perpetrator"),
    Dimension("risk_factor", "risk factor (a child counts once under each of its factors)"),
    Dimension("online", "offence committed online: yes / no / UNK"),
    Dimension("tourism", "travel and tourism context: yes / no / UNK"),
    Dimension("institution", "institution code"),
    Dimension("institution_type", "institution type (police, prosecution, shelter, ...)"),
    Dimension("institution_level", "national / state / municipal"),
    Dimension("stage", "justice stage"),
    Dimension("outcome", "judgement outcome"),
    Dimension("person_type", "perpetrator: natural or legal person"),
    Dimension("public_official", "perpetrator is a public official: yes / no / UNK"),
    Dimension("service_type", "service received"),
    Dimension("channel", "helpline channel"),
    Dimension("caller", "who contacted the helpline"),
    Dimension("filed_by_child", "complaint filed by the child: yes / no / UNK"),
)


def dimension_names(profile: Profile) -> list[str]:
    return [d.name for d in DIMENSIONS] + geo_levels(profile)


def geo_levels(profile: Profile) -> list[str]:
    return [g.level for g in profile.geo_levels]


def geo_frame(profile: Profile) -> pd.DataFrame:
    """Every geographic code of the profile with its ancestor at each level (roll-up)."""
    levels = geo_levels(profile)
    rows: list[dict[str, str]] = []
    parent_of: dict[str, str | None] = {}
    level_of: dict[str, str] = {}
    for level in levels:
        for unit in profile.geo_units(level):
            parent_of[unit.code] = unit.parent
            level_of[unit.code] = level
    for code in level_of:
        row = dict.fromkeys(levels, UNKNOWN)
        node: str | None = code
        while node is not None and node in level_of:
            row[level_of[node]] = node
            node = parent_of[node]
        row["geo_code"] = code
        rows.append(row)
    return pd.DataFrame(rows, columns=["geo_code", *levels])


def offence_frame(profile: Profile) -> pd.DataFrame:
    """Offence codes with their group (top of the taxonomy), ICCS code and precedence rank.

    The rank is the taxonomy order (art. 3(1)(a) sale, (b) prostitution, (c) pornography,
    then related offences): a case with several offences counts under its first-ranked one
    (a principal offence rule, as in ICCS), so offence totals add up to the case total.
    """
    rows = []
    for rank, code in enumerate(profile.codelist("offences").codes):
        rows.append(
            {
                "offence": code.code,
                "offence_group": code.extra.get("parent") or code.code,
                "iccs": code.extra.get("iccs_code") or UNKNOWN,
                "rank": rank,
            }
        )
    return pd.DataFrame(rows)


def age_band_frame(profile: Profile) -> pd.DataFrame:
    """Single years 0..17 with their band (bands from the profile's code list)."""
    rows: list[dict[str, object]] = []
    for code in profile.codelist("age_bands").codes:
        lo, hi = code.extra.get("min_age", ""), code.extra.get("max_age", "")
        if lo and hi:
            rows.extend({"age": a, "age_band": code.code} for a in range(int(lo), int(hi) + 1))
    return pd.DataFrame(rows)
