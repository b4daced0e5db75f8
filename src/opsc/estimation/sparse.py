"""Chan, Silverman & Vincent (2021, SparseMSE): stepwise selection for sparse lists.

From main effects, each step computes for every pair not yet in the model a one-sided
Poisson p-value of its observed overlap against the overlap the current model predicts,
and adds the pair with the smallest p-value if it is below the threshold (default 0.02).
Candidates whose model fails the existence or identifiability check get p = 1; pairs with
no overlap enter at −∞. The interval is Wald on the log of the hidden count.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm, poisson

from opsc.estimation.bhs import Selection, Step, pairs
from opsc.estimation.loglinear import ModelFit, check_model, fit_model, term_name
from opsc.estimation.table import OverlapTable


def overlap_p_value(fit: ModelFit, term: int) -> float:
    """One-sided Poisson p-value of the observed overlap of `term` under `fit`."""
    table = fit.table
    observed = table.overlap(term)
    masks = table.masks[fit.keep]
    expected = float(fit.fitted[(masks & term) == term].sum())
    return float(min(poisson.cdf(observed, expected), poisson.sf(observed - 1, expected)))


def select_sparse(table: OverlapTable, p_threshold: float = 0.02) -> Selection:
    """SparseMSE stepwise model choice."""
    current = fit_model(table, ())
    steps: list[Step] = []
    candidates = pairs(table.t)
    while candidates and p_threshold > 0:
        scored = []
        for term in candidates:
            p = overlap_p_value(current, term)
            if p < p_threshold and not check_model(table, (*current.terms, term)).ok:
                p = 1.0
            scored.append((p, term))
        p_min, term = min(scored, key=lambda s: (s[0], candidates.index(s[1])))
        if p_min >= p_threshold:
            break
        current = fit_model(table, (*current.terms, term), parent=current)
        candidates.remove(term)
        steps.append(Step(term_name(table.lists, term), current.aic, p_min, current.estimate))
    return Selection(current, tuple(steps))


def wald_interval(fit: ModelFit, level: float = 0.95) -> tuple[float, float]:
    """Observed + exp(log hidden ± z·se): the interval SparseMSE reports."""
    z = float(norm.ppf(0.5 + level / 2.0))
    log_hidden = float(fit.coef[0])
    se = fit.se_log_hidden
    observed = fit.table.observed
    return (
        observed + float(np.exp(log_hidden - z * se)),
        observed + float(np.exp(log_hidden + z * se)),
    )
