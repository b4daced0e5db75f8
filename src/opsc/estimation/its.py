"""Interrupted time series: did a dated measure (a law, a plan, a campaign) shift a series?

Segmented regression y_t = b0 + b1·t + b2·post_t + b3·(t − t0)·post_t + e_t. Errors of
monthly or yearly counts are autocorrelated, and ignoring that fakes precision (with
ρ = 0.3 plain OLS finds a "significant" change in 16 % of series with none). The default
is Prais–Winsten AR(1) feasible GLS with the residual autocorrelation bias-corrected for
short series (ρ̂ + (k + 3ρ̂)/n, k regressors; Kendall's correction extended, checked by
simulation in the tests) and t intervals. Newey–West (HAC) errors are available but
over-reject badly below ~100 periods. A period is "post" when it starts after the event
date; the period holding the event counts as before (partly exposed).
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt

from opsc.estimation.errors import EstimationError

MIN_SIDE = 3  # periods needed on each side to estimate a level and a slope


@dataclass(frozen=True)
class Series:
    indicator: str
    periods: tuple[str, ...]
    starts: tuple[date, ...]
    values: npt.NDArray[np.float64]


def period_start(label: str) -> date:
    """Start date of '2014', '2014-03', '2014-Q2' or '2014-03-31'."""
    text = label.strip()
    if m := re.fullmatch(r"(\d{4})", text):
        return date(int(m[1]), 1, 1)
    if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
        return date(int(m[1]), 3 * int(m[2]) - 2, 1)
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        return date(int(m[1]), int(m[2]), 1)
    return date.fromisoformat(text)


def make_series(indicator: str, periods: list[str], values: list[float]) -> Series:
    """A series sorted by period; errors name the bad period."""
    try:
        starts = [period_start(p) for p in periods]
    except ValueError as exc:
        raise EstimationError("bad-series", indicator=indicator, problem=str(exc)) from None
    order = sorted(range(len(periods)), key=lambda i: starts[i])
    if len({starts[i] for i in order}) != len(order):
        raise EstimationError("bad-series", indicator=indicator, problem="a period repeats")
    return Series(
        indicator,
        tuple(periods[i] for i in order),
        tuple(starts[i] for i in order),
        np.asarray([values[i] for i in order], dtype=np.float64),
    )


def read_series(path: Path | str, indicator: str | None = None) -> Series:
    """CSV with `period` and `value` columns (and `indicator` to pick one series)."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    periods, values = [], []
    for row_no, row in enumerate(rows, start=2):
        if indicator and row.get("indicator", indicator) != indicator:
            continue
        try:
            values.append(float(row["value"]))
        except (KeyError, ValueError):
            raise EstimationError(
                "bad-series",
                indicator=indicator or path.name,
                problem=f"{path}, row {row_no}: value {row.get('value')!r} is not a number",
            ) from None
        periods.append(row.get("period", ""))
    return make_series(indicator or path.stem, periods, values)


@dataclass(frozen=True)
class Effect:
    estimate: float
    low: float
    high: float
    p_value: float


@dataclass(frozen=True)
class ITSResult:
    series: Series
    event: date
    first_post: int  # index of the first post-event period
    level_change: Effect
    slope_change: Effect
    pre_slope: Effect
    effect_at_end: Effect  # level + slope change by the last period
    fitted: npt.NDArray[np.float64]
    counterfactual: npt.NDArray[np.float64]  # pre-event trend carried forward
    level: float
    method: str
    lag1_autocorrelation: float  # of the OLS residuals, before any correction

    def as_dict(self) -> dict[str, object]:
        def eff(e: Effect) -> dict[str, float]:
            return {
                "estimate": round(e.estimate, 4),
                "ci_low": round(e.low, 4),
                "ci_high": round(e.high, 4),
                "p_value": round(e.p_value, 4),
            }

        return {
            "indicator": self.series.indicator,
            "event": self.event.isoformat(),
            "first_post_period": self.series.periods[self.first_post],
            "periods_before": self.first_post,
            "periods_after": len(self.series.periods) - self.first_post,
            "level_change": eff(self.level_change),
            "slope_change": eff(self.slope_change),
            "pre_slope": eff(self.pre_slope),
            "effect_at_end": eff(self.effect_at_end),
            "ci_level": self.level,
            "ci_method": self.method,
            "lag1_autocorrelation": round(self.lag1_autocorrelation, 3),
        }


def default_maxlags(n: int) -> int:
    """Newey & West's rule of thumb floor(4 (n/100)^(2/9))."""
    return max(1, math.floor(4.0 * float((n / 100) ** (2 / 9))))


def _prais_winsten(
    y: npt.NDArray[np.float64], x: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], float, float]:
    """Coefficients, covariance, residual df and the AR(1) coefficient used."""
    import statsmodels.api as sm

    n, k = x.shape
    resid = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
    rho = float(np.sum(resid[1:] * resid[:-1]) / np.sum(resid * resid))
    rho = float(np.clip(rho + (k + 3.0 * rho) / n, -0.95, 0.95))
    scale = np.sqrt(1.0 - rho**2)  # keeps the first period instead of dropping it
    ys = np.r_[scale * y[0], y[1:] - rho * y[:-1]]
    xs = np.vstack([scale * x[0], x[1:] - rho * x[:-1]])
    fit = sm.OLS(ys, xs).fit()
    return np.asarray(fit.params), np.asarray(fit.cov_params()), float(fit.df_resid) - 1.0, rho


def interrupted_time_series(
    series: Series,
    event: date,
    level: float = 0.95,
    maxlags: int | None = None,
    errors: str = "prais-winsten",
) -> ITSResult:
    """Level and slope change of `series` at `event`, with autocorrelation-aware intervals.

    `errors` is "prais-winsten" (AR(1) GLS, default) or "newey-west" (OLS with HAC errors,
    `maxlags` lags).
    """
    import statsmodels.api as sm

    n = len(series.values)
    post = np.array([s > event for s in series.starts], dtype=np.float64)
    first_post = int(np.argmax(post)) if post.any() else n
    if first_post < MIN_SIDE or n - first_post < MIN_SIDE:
        raise EstimationError(
            "bad-series",
            indicator=series.indicator,
            problem=f"{first_post} period(s) before and {n - first_post} after {event}; "
            f"at least {MIN_SIDE} on each side are needed",
        )
    t = np.arange(n, dtype=np.float64)
    since = (t - first_post) * post
    x = np.column_stack([np.ones(n), t, post, since])
    lags = default_maxlags(n) if maxlags is None else maxlags
    if errors == "prais-winsten":
        params, cov, df, rho_used = _prais_winsten(series.values, x)
        method = f"Prais-Winsten AR(1) GLS (rho={rho_used:.3f}), t intervals"
    elif errors == "newey-west":
        fit = sm.OLS(series.values, x).fit(cov_type="HAC", cov_kwds={"maxlags": lags}, use_t=True)
        params, cov, df = np.asarray(fit.params), np.asarray(fit.cov_params()), fit.df_resid
        method = f"OLS with Newey-West HAC errors (maxlags={lags}), t intervals"
    else:
        raise ValueError(f"errors must be 'prais-winsten' or 'newey-west', not {errors!r}")

    def contrast(c: npt.NDArray[np.float64]) -> Effect:
        from scipy.stats import t as t_dist

        est = float(c @ params)
        se = float(np.sqrt(max(float(c @ cov @ c), 0.0)))
        q = float(t_dist.ppf(0.5 + level / 2.0, df))
        p = float(2 * t_dist.sf(abs(est) / se, df)) if se > 0 else 1.0
        return Effect(est, est - q * se, est + q * se, p)

    end = n - 1 - first_post
    resid = series.values - x @ np.linalg.lstsq(x, series.values, rcond=None)[0]
    rho = float(np.corrcoef(resid[:-1], resid[1:])[0, 1]) if n > 3 else 0.0
    return ITSResult(
        series=series,
        event=event,
        first_post=first_post,
        level_change=contrast(np.array([0.0, 0.0, 1.0, 0.0])),
        slope_change=contrast(np.array([0.0, 0.0, 0.0, 1.0])),
        pre_slope=contrast(np.array([0.0, 1.0, 0.0, 0.0])),
        effect_at_end=contrast(np.array([0.0, 0.0, 1.0, float(end)])),
        fitted=x @ params,
        counterfactual=params[0] + params[1] * t,
        level=level,
        method=method,
        lag1_autocorrelation=rho,
    )
