"""Interrupted time series: injected effects recovered, no false effect beyond the nominal rate."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest

from opsc.estimation.chart import its_chart
from opsc.estimation.errors import EstimationError
from opsc.estimation.its import interrupted_time_series, make_series, period_start
from opsc.estimation.summary import its_summary

EVENT = date(2014, 9, 30)  # the first post period is 2014-10 (monthly) or 2015 (yearly)


def monthly(rng: np.random.Generator, level: float, slope: float, rho: float, n: int = 60):
    """Five years of a monthly series around EVENT with AR(1) noise and a known effect."""
    start = 2012 * 12 + 3  # 2012-04: 30 months before 2014-10
    periods = [f"{(start + i) // 12}-{(start + i) % 12 + 1:02d}" for i in range(n)]
    first_post = periods.index("2014-10")
    noise = np.zeros(n)
    for i, e in enumerate(rng.normal(0.0, 1.0, n)):
        noise[i] = (rho * noise[i - 1] if i else 0.0) + e
    t = np.arange(n)
    post = t >= first_post
    y = 20 + 0.1 * t + level * post + slope * (t - first_post) * post + noise
    return make_series("victims identified", periods, list(y))


def test_periods_parse() -> None:
    assert [period_start(p) for p in ("2014", "2014-03", "2014-Q2", "2014-03-31")] == [
        date(2014, 1, 1),
        date(2014, 3, 1),
        date(2014, 4, 1),
        date(2014, 3, 31),
    ]


def test_known_effect_is_recovered_within_its_interval() -> None:
    rng = np.random.default_rng(2014)
    hits = 0
    for _ in range(40):
        r = interrupted_time_series(monthly(rng, level=4.0, slope=0.3, rho=0.3), EVENT)
        assert r.series.periods[r.first_post] == "2014-10"
        hits += r.level_change.low <= 4.0 <= r.level_change.high
        assert r.level_change.low > 0  # a large effect is always detected
    assert hits >= 34  # 95 % intervals: ≥ 85 % of 40 allowing for simulation noise


def test_no_effect_no_false_alarm_beyond_nominal_rate() -> None:
    """Level-change test at 5 % on 200 series with none (AR(1), ρ = 0.3, 60 months).

    Measured: about 7–10 % (short-series AR estimation; docs/estimation.md). Plain OLS
    would give about 16 %, so the assertion also guards the autocorrelation correction.
    """
    rng = np.random.default_rng(7)
    n = 200
    false = sum(
        interrupted_time_series(monthly(rng, 0.0, 0.0, 0.3), EVENT).level_change.p_value < 0.05
        for _ in range(n)
    )
    assert false / n <= 0.11


def test_ols_would_overreject_which_is_why_errors_are_corrected() -> None:
    rng = np.random.default_rng(7)
    pw = hac = 0
    for _ in range(100):
        s = monthly(rng, 0.0, 0.0, 0.6)
        pw += interrupted_time_series(s, EVENT).slope_change.p_value < 0.05
        hac += interrupted_time_series(s, EVENT, errors="newey-west").slope_change.p_value < 0.05
    assert pw < hac


def test_too_short_a_side_is_refused_with_the_counts() -> None:
    s = make_series("x", ["2012", "2013", "2014", "2015", "2016"], [1, 2, 3, 4, 5])
    with pytest.raises(EstimationError) as err:
        interrupted_time_series(s, EVENT)
    assert "3 period(s) before and 2 after" in str(err.value)


def test_chart_spec_and_summaries() -> None:
    r = interrupted_time_series(monthly(np.random.default_rng(1), 4.0, 0.0, 0.0), EVENT)
    spec = its_chart(r, "es")
    assert spec["$schema"].endswith("vega-lite/v5.json")
    series = {row["series"] for row in spec["data"]["values"]}
    assert series == {"observado", "ajustado", "sin la medida"}
    json.dumps(spec)  # serialisable as is
    en, es = its_summary(r, "en"), its_summary(r, "es")
    assert en.startswith("The data show a change") and "detection, not incidence" in en
    assert es.startswith("Los datos muestran un cambio") and "detección, no la incidencia" in es
    flat = interrupted_time_series(monthly(np.random.default_rng(3), 0.0, 0.0, 0.0), EVENT)
    level, slope = flat.level_change, flat.slope_change
    unclear = level.low < 0 < level.high and slope.low < 0 < slope.high
    assert ("no clear change" in its_summary(flat, "en")) == unclear
