"""Series from the statistical cube (`opsc.stats`), for impact assessment.

A name is either a cube measure (e.g. `cases`, counted by month of the offence when the
measure has months, else by year) or a catalogue indicator computed by year. The cube is
the single source of published figures, so the series an ITS reads is the one the
reports show.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from opsc.estimation.errors import EstimationError
from opsc.estimation.its import Series, make_series


def series_from_cube(cube: Any, name: str) -> Series:
    """Monthly (or yearly) series of measure or indicator `name` from an open cube."""
    from opsc.stats import StatsError
    from opsc.stats.compute import compute
    from opsc.stats.measures import MEASURES

    try:
        if name in {m.name for m in MEASURES}:
            by = ["year", "month"] if "month" in cube.dimensions(name) else ["year"]
            frame = _fill_gaps(cube.table(name, by=by).frame, by)
        else:
            by = ["year"]
            value = compute(cube, name, by=by)
            if value.frame is None or value.status != "ok":
                why = value.note or value.status.replace("_", " ")
                raise EstimationError(
                    "bad-series", indicator=name, problem=f"no values by year ({why})"
                )
            frame = value.frame.dropna(subset=["year", "value"])
    except StatsError as exc:
        raise EstimationError("bad-series", indicator=name, problem=str(exc)) from None
    years = [int(y) for y in frame["year"]]
    if "month" in by:
        periods = [f"{y}-{int(m):02d}" for y, m in zip(years, frame["month"], strict=True)]
    else:
        periods = [str(y) for y in years]
    return make_series(name, periods, [float(v) for v in frame["value"]])


def _fill_gaps(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Counts: a period with nothing recorded is a zero, not a gap."""
    frame = frame.dropna(subset=by)
    if frame.empty:
        return frame
    if by == ["year"]:
        key = frame["year"].astype(int)
    else:
        key = frame["year"].astype(int) * 12 + frame["month"].astype(int) - 1
    counts = frame.assign(k=key).groupby("k")["value"].sum()
    full = counts.reindex(range(int(key.min()), int(key.max()) + 1), fill_value=0)
    out = pd.DataFrame({"k": full.index, "value": full.to_numpy()})
    if by == ["year"]:
        return out.assign(year=out["k"])
    return out.assign(year=out["k"] // 12, month=out["k"] % 12 + 1)


def open_cube(path: Path) -> Any:
    """The cube at `path`, or an es/en error saying to build it."""
    from opsc.stats import Cube, StatsError

    try:
        return Cube.open(path)
    except StatsError as exc:
        raise EstimationError("bad-series", indicator=str(path), problem=str(exc)) from None
