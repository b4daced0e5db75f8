"""Compute indicators of the catalogue over a cube, total or disaggregated.

Placeholders in the catalogue are resolved per country profile: `GEO1`/`GEO2` are the first
and second geographic levels (state/municipality, department/province), `COUNTRY_ISO3` the
country's nationality code, `outside_capital` the capital's exclusion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from opsc.stats.attrition import step_share, time_between
from opsc.stats.catalogue import Catalogue, Indicator, catalogue
from opsc.stats.cube import Cube
from opsc.stats.errors import MissingDenominatorError, StatsError
from opsc.stats.rates import rates


@dataclass(frozen=True)
class IndicatorValue:
    id: str
    name_en: str
    name_es: str
    type: str
    unit: str
    status: str  # ok / no_data / data_gap / no_denominator
    value: float | None
    year: int | None
    key_source: str
    note: str = ""
    frame: pd.DataFrame | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "name_en": self.name_en,
            "name_es": self.name_es,
            "type": self.type,
            "unit": self.unit,
            "status": self.status,
            "value": self.value,
            "year": self.year,
            "key_source": self.key_source,
            "note": self.note,
            **self.meta,
        }
        if self.frame is not None:
            frame = self.frame.astype(object).where(self.frame.notna(), None)
            out["cells"] = frame.to_dict(orient="records")
        return out


def resolve_dims(cube: Cube, names: Sequence[str]) -> list[str]:
    levels = [g.level for g in cube.profile.geo_levels]
    alias = {f"GEO{i + 1}": lvl for i, lvl in enumerate(levels)}
    return [alias.get(n, n) for n in names if not n.startswith("GEO") or n in alias]


def _values(cube: Cube, filters: dict[str, Any] | None) -> dict[str, Any]:
    iso3 = str(cube.profile.meta.get("iso3", ""))
    out: dict[str, Any] = {}
    for dim, value in (filters or {}).items():
        values = value if isinstance(value, list) else [value]
        out[dim] = [iso3 if v == "COUNTRY_ISO3" else v for v in values]
    return out


def _part(
    cube: Cube, spec: dict[str, Any], year: int | None, by: list[str], cat: Catalogue
) -> pd.DataFrame:
    """One measure with its filters as a frame (by..., value)."""
    name = str(spec["measure"])
    where = _values(cube, spec.get("where"))
    exclude = _values(cube, spec.get("exclude"))
    if spec.get("outside_capital"):
        capital = cat.countries.get(cube.profile.code, {}).get("capital")
        if not capital:
            raise StatsError(f"catalogue has no capital for {cube.profile.code} (countries:)")
        exclude |= {k: [v] for k, v in capital.items()}
    if year is not None and "year" in cube.dimensions(name) and "year" not in by:
        where["year"] = [year]
    return cube.table(name, by, where, exclude).frame


def compute(
    cube: Cube,
    indicator: Indicator | str,
    year: int | None = None,
    by: Sequence[str] = (),
    cat: Catalogue | None = None,
) -> IndicatorValue:
    """The indicator's value (and cells when `by` is given) for a year or all years."""
    cat = cat or catalogue()
    ind = cat.get(indicator) if isinstance(indicator, str) else indicator
    dims = resolve_dims(cube, by)
    base: dict[str, Any] = {
        "id": ind.id,
        "name_en": ind.en,
        "name_es": ind.es,
        "type": ind.type,
        "unit": ind.unit,
        "year": year,
        "key_source": cube.key_source,
    }
    f = ind.formula
    scale = float(f.get("scale", 1))
    kind = ind.kind
    if kind == "data_gap":
        return IndicatorValue(**base, status="data_gap", value=None, note=str(f["data_gap"]))
    if kind == "rate":
        return _rate(cube, ind, year, dims, base)
    if kind == "time":
        t = time_between(cube, f["time"]["from"], f["time"]["to"], year)
        status = "ok" if t["n"] else "no_data"
        value = float(t["median_days"]) if t["median_days"] is not None else None
        return IndicatorValue(**base, status=status, value=value, meta={"times": t})
    if kind == "funnel":
        frame = step_share(
            cube, f["funnel"]["step"], f["funnel"]["of"], year, dims[0] if dims else None
        )
    elif kind == "ratio":
        num = _part(cube, f["ratio"]["numerator"], year, dims, cat)
        den = _part(cube, f["ratio"]["denominator"], year, dims, cat)
        frame = (
            num.rename(columns={"value": "numerator"}).merge(
                den.rename(columns={"value": "denominator"}), on=dims, how="outer"
            )
            if dims
            else pd.DataFrame({"numerator": num["value"], "denominator": den["value"]})
        )
        frame = frame.fillna({"numerator": 0})
    else:
        frame = _part(cube, f, year, dims, cat)
        frame = frame.assign(value=frame["value"].astype(float) * scale)
        total = _part(cube, f, year, [], cat)["value"].iloc[0] if dims else frame["value"].iloc[0]
        value = None if pd.isna(total) else float(total) * (scale if dims else 1)
        return IndicatorValue(
            **base,
            status="ok" if value is not None else "no_data",
            value=_round(value),
            frame=frame if dims else None,
        )
    frame = frame.assign(value=(frame["numerator"] / frame["denominator"] * scale))
    num_total, den_total = float(frame["numerator"].sum()), float(frame["denominator"].sum())
    if dims and kind == "ratio":
        num_t = _part(cube, f["ratio"]["numerator"], year, [], cat)["value"].iloc[0]
        den_t = _part(cube, f["ratio"]["denominator"], year, [], cat)["value"].iloc[0]
        num_total, den_total = float(num_t or 0), float(den_t or 0)
    if not den_total:
        return IndicatorValue(
            **base,
            status="no_data",
            value=None,
            note="denominator is zero: nothing to divide by",
            frame=frame if dims else None,
        )
    return IndicatorValue(
        **base,
        status="ok",
        value=_round(num_total / den_total * scale),
        frame=frame if dims else None,
        meta={"numerator": num_total, "denominator": den_total},
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _rate(
    cube: Cube, ind: Indicator, year: int | None, dims: list[str], base: dict[str, Any]
) -> IndicatorValue:
    year = year or latest_year(cube)
    base = base | {"year": year}
    try:
        table = rates(cube, year, dims, basis=str(ind.formula["rate"].get("basis", "auto")))
        total = rates(cube, year, (), basis=str(ind.formula["rate"].get("basis", "auto")))
    except MissingDenominatorError as exc:
        return IndicatorValue(**base, status="no_denominator", value=None, note=str(exc))
    meta = {
        k: v
        for k, v in total.to_json().items()
        if k in ("denominator", "label_en", "label_es", "per")
    }
    value = total.frame["rate"].iloc[0] if not total.frame.empty else None
    return IndicatorValue(
        **base,
        status="ok" if value is not None else "no_data",
        value=None if value is None else float(value),
        note=total.note,
        frame=table.frame if dims else None,
        meta=meta,
    )


def latest_year(cube: Cube) -> int:
    row = cube.con.execute("SELECT max(year) FROM victim_record").fetchone()
    if not row or row[0] is None:
        raise StatsError("the cube has no victim records with a year: build it from a store")
    return int(row[0])


def compute_all(cube: Cube, year: int | None = None) -> list[IndicatorValue]:
    return [compute(cube, ind, year) for ind in catalogue().indicators]


HEADLINE = ("O01", "O02", "P22", "P23", "O09", "O10", "P15", "O08", "P10", "P01")


def headline_indicators(cube: Cube, year: int | None = None, lang: str = "en") -> list[str]:
    """Lines for `opsc demo`: the headline indicators with unit and key source."""
    lines = []
    for ind_id in HEADLINE:
        v = compute(cube, ind_id, year)
        shown = "n/a" if v.value is None else f"{v.value:,.2f}".rstrip("0").rstrip(".")
        name = v.name_es if lang == "es" else v.name_en
        label = v.meta.get("label_es" if lang == "es" else "label_en", v.unit)
        lines.append(f"{v.id} {name}: {shown} ({label})")
    lines.append(f"keys: {cube.key_source}")
    return lines
