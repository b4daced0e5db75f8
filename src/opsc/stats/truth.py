"""Check the cube against a synthetic country's truth files (tests, demo, benchmarks).

The generator's standard tables count every child of the simulated world, recorded or
not; the cube can only count children some case-level institution recorded. So the check
derives, from the truth files (children.csv, cases.csv), each children table restricted
to recorded children and under the cube's principal-offence rule, and compares cell by
cell. Record-level tables (victim records by institution type, proceedings by stage and
outcome) are compared with the generator's files as they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from opsc.stats.cube import Cube
from opsc.stats.dimensions import offence_frame

# Standard table -> (cube measure, dimensions in the cube, columns in the truth file).
STANDARD_TABLES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "children_by_year_offence_sex": (
        "unique_children",
        ("year", "offence", "sex"),
        ("year", "offence", "sex"),
    ),
    "children_by_region_year": ("unique_children", ("REGION", "year"), ("geo_code", "year")),
    "children_by_age_band_sex": ("unique_children", ("age_band", "sex"), ("age_band", "sex")),
    "victim_records_by_type": ("victim_records", ("institution_type",), ("institution_type",)),
    "proceedings_by_stage_outcome": (
        "proceeding_records",
        ("stage", "outcome"),
        ("stage", "outcome"),
    ),
}
_CHILD_TABLES = {k for k, v in STANDARD_TABLES.items() if v[0] == "unique_children"}


@dataclass(frozen=True)
class Comparison:
    table: str
    cells: int
    differences: pd.DataFrame  # key columns, cube, truth, difference (only unequal cells)

    @property
    def equal(self) -> bool:
        return self.differences.empty

    def to_json(self) -> dict[str, object]:
        return {
            "table": self.table,
            "cells": self.cells,
            "equal": self.equal,
            "differences": self.differences.astype(str).to_dict(orient="records"),
        }


def case_level_institutions(out: Path) -> set[str]:
    """Institutions that sent case-level victim rows (not only aggregate cells)."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {e["institution"] for e in manifest["submissions"] if e["contract"] == "victims"}


def recorded_truth(cube: Cube, out: Path) -> dict[str, pd.DataFrame]:
    """The truth's children tables restricted to recorded children, principal offence."""
    truth = out / "TRUTH_DO_NOT_IMPORT"
    children = pd.read_csv(truth / "children.csv", dtype=str, keep_default_na=False)
    cases = pd.read_csv(truth / "cases.csv", dtype=str, keep_default_na=False)
    insts = case_level_institutions(out)
    seen = children["recorded_by"].str.split().apply(lambda codes: bool(set(codes) & insts))
    children = children[seen]
    rank = offence_frame(cube.profile).set_index("offence")["rank"]
    main = cases.set_index("true_case_id")
    first = main["offence"].map(rank)
    second = main["offence2"].map(rank).fillna(10**6)
    principal = main["offence"].where(first <= second, main["offence2"])
    children = children.assign(
        offence=children["true_case_id"].map(principal),
        geo_code=children["true_case_id"].map(main["geo_code"]).str[: _region_width(cube)],
        age_band=pd.cut(
            children["age_at_offence"].astype(int),
            [-1, 4, 9, 14, 17],
            labels=["0-4", "5-9", "10-14", "15-17"],
        ).astype(str),
    )
    out_tables = {}
    for name in _CHILD_TABLES:
        cols = list(STANDARD_TABLES[name][2])
        out_tables[name] = children.groupby(cols).size().reset_index(name="count")
    return out_tables


def _region_width(cube: Cube) -> int:
    return len(cube.profile.geo_units(cube.profile.geo_levels[0].level)[0].code)


def compare(cube: Cube, out: Path) -> list[Comparison]:
    """Every standard table: the cube's cells against the truth's, exactly."""
    derived = recorded_truth(cube, out)
    region = cube.profile.geo_levels[0].level
    results = []
    for name, (measure, dims, cols) in STANDARD_TABLES.items():
        by = [region if d == "REGION" else d for d in dims]
        mine = cube.table(measure, by).frame.rename(columns=dict(zip(by, cols, strict=True)))
        if name in derived:
            truth = derived[name]
        else:
            truth = pd.read_csv(
                out / "TRUTH_DO_NOT_IMPORT" / "tables" / f"{name}.csv",
                dtype=str,
                keep_default_na=False,
            )
        results.append(_diff(name, mine, truth, list(cols)))
    return results


def _diff(name: str, mine: pd.DataFrame, truth: pd.DataFrame, cols: list[str]) -> Comparison:
    def norm(frame: pd.DataFrame, value: str) -> pd.DataFrame:
        keys = frame[cols].astype(str).replace({"NA": "", "<NA>": "", "nan": ""})
        return keys.assign(**{value: pd.to_numeric(frame.iloc[:, -1]).astype(int).to_numpy()})

    both = norm(mine, "cube").merge(norm(truth, "truth"), on=cols, how="outer").fillna(0)
    both["difference"] = both["cube"] - both["truth"]
    return Comparison(name, len(both), both[both["difference"] != 0].reset_index(drop=True))
