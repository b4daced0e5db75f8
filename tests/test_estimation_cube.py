"""Impact assessment on a cube series (the stats package's synthetic demo cube)."""

from __future__ import annotations

from datetime import date

import pytest

from opsc.estimation.cube_series import series_from_cube
from opsc.estimation.errors import EstimationError
from opsc.estimation.its import interrupted_time_series
from test_stats_support import demo_cube  # shared, cached: built once per test session


def test_monthly_cases_series_matches_the_cube_and_feeds_an_its() -> None:
    cube, _ = demo_cube()
    series = series_from_cube(cube, "cases")
    yearly = cube.table("cases", by=["year"]).frame
    assert series.values.sum() == pytest.approx(float(yearly["value"].sum()))
    assert series.periods[0].endswith("-01") and len(series.periods) % 12 == 0
    middle = series.starts[len(series.starts) // 2]
    result = interrupted_time_series(series, date(middle.year, middle.month, 15))
    assert result.level_change.low <= result.level_change.estimate <= result.level_change.high


def test_yearly_series_for_a_measure_without_months() -> None:
    cube, _ = demo_cube()
    series = series_from_cube(cube, "unique_children")
    assert all(len(p) == 4 for p in series.periods)


def test_unknown_name_is_a_readable_error() -> None:
    cube, _ = demo_cube()
    with pytest.raises(EstimationError) as err:
        series_from_cube(cube, "victims_of_nothing")
    assert err.value.slug == "bad-series" and "victims_of_nothing" in str(err.value)
