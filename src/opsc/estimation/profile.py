"""Multinomial profile likelihood for the population size (Rcapture's `closedpCI.t`).

For a trial hidden count n0 the complete 2^t table (the unobserved cell holding n0) is
fitted by the Poisson log-linear model; the multinomial profile log-likelihood is
−deviance/2 plus Cormack's (1992) correction log(N! n0^n0 / (n0! N^N)), N = n + n0. The
estimate maximises it; the interval holds the N within χ²₁(1 − α)/2 of the maximum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, minimize_scalar
from scipy.special import gammaln, xlogy
from scipy.stats import chi2

from opsc.estimation.loglinear import ModelFit, fit_poisson


@dataclass(frozen=True)
class ProfileInterval:
    estimate: float
    low: float
    high: float
    level: float


def profile_loglik(fit: ModelFit, n0: float) -> float:
    """Multinomial profile log-likelihood of N = observed + n0 under `fit`'s model."""
    y_obs = fit.table.counts[fit.keep]
    x = np.vstack([fit.x, np.eye(1, fit.x.shape[1])])  # unobserved cell: intercept only
    y = np.append(y_obs, n0)
    result = fit_poisson(x, y)
    mu = result.fitted
    deviance = 2.0 * float(np.sum(xlogy(y, y / mu) - (y - mu)))
    n_total = float(y.sum())
    correction = (
        gammaln(n_total + 1.0) - gammaln(n0 + 1.0) + xlogy(n0, n0) - xlogy(n_total, n_total)
    )
    return -deviance / 2.0 + float(correction)


def profile_interval(fit: ModelFit, level: float = 0.95) -> ProfileInterval:
    """Profile-likelihood estimate and interval for the population size."""
    observed = fit.table.observed
    n0_hat = fit.hidden
    se = n0_hat * fit.se_log_hidden
    upper = n0_hat + 10.0 * se + 10.0

    def neg(n0: float) -> float:
        return -profile_loglik(fit, n0)

    best = minimize_scalar(neg, bounds=(0.0, upper), method="bounded", options={"xatol": 1e-3})
    n0_max, l_max = float(best.x), -float(best.fun)
    cut = l_max - float(chi2.ppf(level, 1)) / 2.0

    def drop(n0: float) -> float:
        return profile_loglik(fit, n0) - cut

    low = 0.0 if drop(0.0) > 0 else brentq(drop, 0.0, n0_max, xtol=1e-3)
    high = n0_max + max(se, 1.0)
    while drop(high) > 0:
        high = n0_max + 2.0 * (high - n0_max)
    high = brentq(drop, n0_max, high, xtol=1e-3)
    return ProfileInterval(observed + n0_max, observed + low, observed + high, level)
