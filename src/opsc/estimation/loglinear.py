"""Poisson log-linear models on an overlap table, with existence and identifiability checks.

A model is its interaction terms, each a bit mask over the lists (A:B is 0b11); the
intercept and every main effect are always in. exp(intercept) is the expected count of
the unobserved cell, so observed + exp(intercept) estimates the population.

Terms whose margin is zero (nobody is on all their lists) are fixed at −∞ and the cells
they cover removed: the extended maximum-likelihood estimate of Chan, Silverman & Vincent
(2021) and Fienberg & Rinaldo (2012). Fits use Newton–Raphson in numpy because model
search fits thousands of models; `statsmodels_fit` is the reference the tests compare with.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog
from scipy.special import gammaln, xlogy
from scipy.stats import norm

from opsc.estimation.errors import EstimationError
from opsc.estimation.table import OverlapTable

FloatArray = npt.NDArray[np.float64]
# A converged fit whose smallest fitted cell is above this is a genuine interior optimum,
# which proves the MLE exists without the linear program.
_INTERIOR = 1e-5


def term_name(lists: tuple[str, ...], mask: int) -> str:
    return ":".join(name for j, name in enumerate(lists) if mask >> j & 1)


def parse_term(lists: tuple[str, ...], text: str) -> int:
    """`"A:B"` (or `"12"` by list position, 1-based) to a bit mask."""
    names = text.split(":") if ":" in text or text in lists else list(text)
    mask = 0
    for name in names:
        if name in lists:
            mask |= 1 << lists.index(name)
        elif name.isdigit() and 1 <= int(name) <= len(lists):
            mask |= 1 << (int(name) - 1)
        else:
            raise EstimationError("unknown-list", term=text, name=name, lists=", ".join(lists))
    return mask


def model_name(lists: tuple[str, ...], terms: Iterable[int]) -> list[str]:
    return [term_name(lists, m) for m in sorted(terms, key=lambda m: (m.bit_count(), m))]


def design(table: OverlapTable, terms: Iterable[int]) -> FloatArray:
    """Columns: intercept, one per list, one per interaction term."""
    terms = list(terms)
    x = np.empty((len(table.counts), 1 + table.t + len(terms)))
    x[:, 0] = 1.0
    x[:, 1 : 1 + table.t] = table.patterns
    for k, m in enumerate(terms):
        x[:, 1 + table.t + k] = table.covers(m)
    return x


@dataclass(frozen=True)
class PoissonFit:
    coef: FloatArray
    fitted: FloatArray
    converged: bool


def fit_poisson(
    x: FloatArray, y: FloatArray, max_iter: int = 100, start: FloatArray | None = None
) -> PoissonFit:
    """Poisson GLM with log link by iteratively reweighted least squares (Newton).

    `start` (coefficients of a nearby model) saves iterations in stepwise search.
    """
    if start is None:
        mu = y + 0.1  # R's glm start: keeps log finite on zero cells
        eta = np.log(mu)
    else:
        eta = np.clip(x @ start, -700.0, 700.0)
        mu = np.exp(eta)
    dev_old = np.inf
    coef: FloatArray = np.zeros(x.shape[1])
    converged = False
    with np.errstate(all="ignore"):  # a diverging fit shows as not converged, not a warning
        for _ in range(max_iter):
            z = eta + (y - mu) / mu
            xtw = x.T * mu
            try:
                coef = np.asarray(np.linalg.solve(xtw @ x, xtw @ z), dtype=np.float64)
            except np.linalg.LinAlgError:
                break
            eta = np.clip(x @ coef, -700.0, 700.0)
            mu = np.exp(eta)
            dev = _deviance(y, mu)
            if not np.isfinite(dev):
                break
            if abs(dev - dev_old) < 1e-11 * (abs(dev) + 0.1):
                converged = True
                break
            dev_old = dev
    return PoissonFit(coef, mu, converged)


def _deviance(y: FloatArray, mu: FloatArray) -> float:
    return float(2.0 * np.sum(xlogy(y, y / np.maximum(mu, 1e-300)) - (y - mu)))


@dataclass(frozen=True)
class ModelFit:
    """A fitted model: estimate, standard error of log hidden count, AIC, BIC."""

    table: OverlapTable
    terms: tuple[int, ...]  # all interaction terms of the model, −∞ ones included
    neg_inf: tuple[int, ...]  # terms fixed at −∞ (empty margin)
    keep: npt.NDArray[np.bool_]  # cells that can hold people under the model
    x: FloatArray
    coef: FloatArray  # intercept, main effects, then the finite interaction terms
    fitted: FloatArray
    converged: bool

    @cached_property
    def deficiency(self) -> int:
        """Column rank deficiency of the design on the kept cells (0: identifiable)."""
        return int(self.x.shape[1] - np.linalg.matrix_rank(self.x))

    @property
    def estimated_terms(self) -> tuple[int, ...]:
        return tuple(m for m in self.terms if m not in self.neg_inf)

    @property
    def hidden(self) -> float:
        return float(np.exp(self.coef[0]))

    @property
    def estimate(self) -> float:
        return self.table.observed + self.hidden

    @cached_property
    def cov(self) -> FloatArray:
        info = (self.x.T * self.fitted) @ self.x
        return np.asarray(np.linalg.pinv(info), dtype=np.float64)

    @property
    def se_log_hidden(self) -> float:
        return float(np.sqrt(max(self.cov[0, 0], 0.0)))

    @property
    def npar(self) -> int:
        """Parameters, −∞ ones included (as in the published AIC and BIC)."""
        return 1 + self.table.t + len(self.terms)

    @property
    def loglik(self) -> float:
        y = self.table.counts[self.keep]
        mu = self.fitted
        return float(np.sum(xlogy(y, mu) - mu - gammaln(y + 1.0)))

    @property
    def deviance(self) -> float:
        return _deviance(self.table.counts[self.keep], self.fitted)

    @property
    def aic(self) -> float:
        return 2.0 * self.npar - 2.0 * self.loglik

    @property
    def bic(self) -> float:
        """BIC with the number of observed people as sample size (Rcapture's choice)."""
        return float(self.npar * np.log(self.table.observed) - 2.0 * self.loglik)

    def wald_p(self, term: int) -> float:
        """Two-sided Wald p-value of one interaction term (1.0 for a −∞ term)."""
        if term in self.neg_inf:
            return 1.0
        k = 1 + self.table.t + self.estimated_terms.index(term)
        se = float(np.sqrt(max(self.cov[k, k], 0.0)))
        if se == 0.0:
            return 1.0
        return float(2.0 * norm.sf(abs(self.coef[k]) / se))

    def coefficient(self, term: int) -> float:
        if term in self.neg_inf:
            return float("-inf")
        return float(self.coef[1 + self.table.t + self.estimated_terms.index(term)])

    def model(self) -> list[str]:
        return model_name(self.table.lists, self.terms)


def _reduce(
    table: OverlapTable, terms: tuple[int, ...], extended: bool
) -> tuple[tuple[int, ...], npt.NDArray[np.bool_], FloatArray]:
    neg_inf = tuple(m for m in terms if table.overlap(m) == 0) if extended else ()
    keep = np.ones(len(table.counts), dtype=bool)
    for m in neg_inf:
        keep &= table.covers(m) == 0
    x = design(table, [m for m in terms if m not in neg_inf])[keep]
    return neg_inf, keep, x


def fit_model(
    table: OverlapTable,
    terms: Iterable[int],
    extended: bool = True,
    parent: ModelFit | None = None,
) -> ModelFit:
    """Fit main effects plus `terms`; empty-margin terms fixed at −∞ when `extended`.

    A `parent` fit (a sub-model on the same table) supplies starting values.
    """
    terms = tuple(sorted(set(terms), key=lambda m: (m.bit_count(), m)))
    neg_inf, keep, x = _reduce(table, terms, extended)
    start = None
    if parent is not None and parent.table is table and not parent.neg_inf:
        known = dict(zip(parent.estimated_terms, parent.coef[1 + table.t :], strict=True))
        rest = [known.get(m, 0.0) for m in terms if m not in neg_inf]
        start = np.concatenate([parent.coef[: 1 + table.t], rest])
    result = fit_poisson(x, table.counts[keep], start=start)
    return ModelFit(table, terms, neg_inf, keep, x, result.coef, result.fitted, result.converged)


@dataclass(frozen=True)
class Check:
    exists: bool
    identifiable: bool
    deficiency: int

    @property
    def ok(self) -> bool:
        return self.exists and self.identifiable


def check_model(table: OverlapTable, terms: Iterable[int], fit: ModelFit | None = None) -> Check:
    """Fienberg–Rinaldo existence (linear program) and rank identifiability of the estimate.

    The MLE exists iff some strictly positive table has the same sufficient statistics as
    the data; the LP maximises the smallest cell of such a table.
    """
    terms = tuple(sorted(set(terms), key=lambda m: (m.bit_count(), m)))
    if fit is not None and fit.terms == terms and fit.table is table:
        keep, x, deficiency = fit.keep, fit.x, fit.deficiency
    else:
        _, keep, x = _reduce(table, terms, True)
        deficiency = x.shape[1] - int(np.linalg.matrix_rank(x))
    y = table.counts[keep]
    if deficiency:
        return Check(exists=_lp_exists(x, y), identifiable=False, deficiency=deficiency)
    if np.all(y > 0):
        return Check(True, True, 0)  # y itself is a strictly positive witness
    if fit is not None and fit.converged and float(fit.fitted.min()) > _INTERIOR:
        return Check(True, True, 0)
    # Existence depends only on which cells are zero, so bootstrap replicates share answers.
    zeros = (y == 0).tobytes()
    return Check(
        exists=_exists_cached(table.t, terms, zeros, x, y), identifiable=True, deficiency=0
    )


_EXISTS: dict[tuple[int, tuple[int, ...], bytes], bool] = {}


def _exists_cached(
    t: int, terms: tuple[int, ...], zeros: bytes, x: FloatArray, y: FloatArray
) -> bool:
    key = (t, terms, zeros)
    if key not in _EXISTS:
        if len(_EXISTS) > 100_000:
            _EXISTS.clear()
        _EXISTS[key] = _lp_exists(x, y)
    return _EXISTS[key]


def _lp_exists(x: FloatArray, y: FloatArray) -> bool:
    n_cells = x.shape[0]
    # variables: the witness table w (n_cells) and its minimum s; maximise s
    c = np.zeros(n_cells + 1)
    c[-1] = -1.0
    a_eq = np.hstack([x.T, np.zeros((x.shape[1], 1))])
    a_ub = np.hstack([-np.eye(n_cells), np.ones((n_cells, 1))])  # s <= w_i
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = linprog(c, A_ub=a_ub, b_ub=np.zeros(n_cells), A_eq=a_eq, b_eq=x.T @ y, method="highs")
    return bool(res.status == 0 and -res.fun > 1e-7 * max(1.0, float(y.sum())))


def require_estimable(table: OverlapTable, terms: Iterable[int]) -> None:
    """Raise a readable EstimationError when the estimate is not available for a model."""
    terms = tuple(terms)
    check = check_model(table, terms)
    name = "[" + "; ".join(model_name(table.lists, terms)) + "]" if terms else "[main effects]"
    if not check.identifiable:
        raise EstimationError("not-identifiable", model=name, deficiency=check.deficiency)
    if not check.exists:
        raise EstimationError(
            "does-not-exist",
            model=name,
            hint="remove interaction terms whose lists share only zero-count cells, or merge "
            "sparse lists",
            hint_es="quite términos de interacción cuyas listas solo comparten celdas con "
            "cero, o combine listas con pocos casos",
        )


def empty_overlaps(table: OverlapTable, terms: Iterable[int]) -> list[str]:
    """Names of the model's terms whose lists never overlap."""
    return [term_name(table.lists, m) for m in terms if table.overlap(m) == 0]


def statsmodels_fit(table: OverlapTable, terms: Iterable[int]) -> tuple[FloatArray, FloatArray]:
    """Coefficients and covariance from statsmodels' GLM (the reference implementation)."""
    import statsmodels.api as sm

    fit = fit_model(table, terms)
    y = table.counts[fit.keep]
    result = sm.GLM(y, fit.x, family=sm.families.Poisson()).fit()
    return np.asarray(result.params), np.asarray(result.cov_params())
