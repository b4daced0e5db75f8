"""One entry point for multiple systems estimation: choose the model, estimate, interval.

`estimate_mse(table, method="bhs" | "sparse" | "bic" | "fixed")` returns an `MSEResult`
whose `as_dict()` is the CLI's JSON: observed, estimate, ci_low, ci_high, ci_method,
model (interaction terms) and warnings, plus method-specific details.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from opsc.estimation.bhs import select_bhs
from opsc.estimation.bic import BicChoice, select_bic, select_downhill
from opsc.estimation.bootstrap import BootstrapInterval, bca_interval
from opsc.estimation.cautions import Caution, fit_cautions
from opsc.estimation.errors import EstimationError
from opsc.estimation.loglinear import (
    ModelFit,
    check_model,
    fit_model,
    parse_term,
    require_estimable,
    term_name,
)
from opsc.estimation.profile import profile_interval
from opsc.estimation.sparse import select_sparse, wald_interval
from opsc.estimation.table import OverlapTable

Method = Literal["bhs", "sparse", "bic", "downhill", "fixed"]
METHODS: tuple[str, ...] = ("bhs", "sparse", "bic", "downhill", "fixed")
DEFAULT_THRESHOLD: dict[str, float] = {"bhs": 0.05, "sparse": 0.02}
# BIC bootstrap: refit only the best models on the original data (the 2024 paper's economy)
BIC_TOP_MODELS: dict[int, int] = {4: 20, 5: 100, 6: 100}


@dataclass(frozen=True)
class MSEResult:
    method: str
    lists: tuple[str, ...]
    observed: int
    estimate: float
    ci_low: float
    ci_high: float
    ci_method: str
    ci_level: float
    model: list[str]
    neg_inf_terms: list[str]
    warnings: list[Caution] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    bootstrap: BootstrapInterval | None = None

    @property
    def hidden(self) -> float:
        return self.estimate - self.observed

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "method": self.method,
            "lists": list(self.lists),
            "observed": self.observed,
            "estimate": round(self.estimate, 2),
            "hidden": round(self.hidden, 2),
            "ci_low": round(self.ci_low, 2),
            "ci_high": round(self.ci_high, 2),
            "ci_method": self.ci_method,
            "ci_level": self.ci_level,
            "model": self.model,
            "neg_inf_terms": self.neg_inf_terms,
            "warnings": [w.as_dict() for w in self.warnings],
            **self.details,
        }
        if self.bootstrap is not None:
            b = self.bootstrap
            out["bootstrap"] = {
                "replicates": b.replicates,
                "failed": b.failed,
                "seed": b.seed,
                "ci_low": round(b.low, 2),
                "ci_high": round(b.high, 2),
                "percentile_low": round(b.percentile_low, 2),
                "percentile_high": round(b.percentile_high, 2),
                "bias_correction": round(b.bias_correction, 4),
                "acceleration": round(b.acceleration, 5),
            }
        return out


@dataclass(frozen=True)
class Estimator:
    """A picklable point estimator (model choice included) for the bootstrap."""

    method: str
    threshold: float | None = None
    terms: tuple[int, ...] = ()
    candidates: tuple[tuple[int, ...], ...] = ()  # BIC: the models to choose among
    max_order: int | None = None  # downhill

    def fit(self, table: OverlapTable) -> ModelFit:
        if self.method == "bhs":
            return select_bhs(table, self.threshold_used()).fit
        if self.method == "sparse":
            return select_sparse(table, self.threshold_used()).fit
        if self.method == "bic":
            return _best_bic(table, self.candidates)
        if self.method == "downhill":
            return select_downhill(table, self.max_order).fit
        return fit_model(table, self.terms)

    def __call__(self, table: OverlapTable) -> float:
        fit = self.fit(table)
        if not check_model(table, fit.terms, fit).ok:
            raise EstimationError("does-not-exist", model=str(fit.model()))
        return fit.estimate

    def threshold_used(self) -> float:
        return DEFAULT_THRESHOLD[self.method] if self.threshold is None else self.threshold


def _best_bic(table: OverlapTable, candidates: Sequence[tuple[int, ...]]) -> ModelFit:
    best: ModelFit | None = None
    for terms in candidates:
        fit = fit_model(table, terms)
        if check_model(table, terms, fit).ok and (best is None or fit.bic < best.bic):
            best = fit
    if best is None:
        raise EstimationError("does-not-exist", model="(every candidate model)")
    return best


def estimate_mse(
    table: OverlapTable,
    method: Method = "bhs",
    threshold: float | None = None,
    max_order: int | None = None,
    terms: Sequence[str] = (),
    level: float = 0.95,
    bootstrap: int = 0,
    seed: int = 1234,
    workers: int = 1,
) -> MSEResult:
    """Estimate the population (observed + hidden) with its interval."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    details: dict[str, Any] = {}
    estimator = Estimator(
        method, threshold, tuple(parse_term(table.lists, t) for t in terms), max_order=max_order
    )
    if method == "bic":
        choice = select_bic(table, max_order)
        fit = choice.fit
        top = BIC_TOP_MODELS.get(table.t, len(choice.ranking))
        estimator = Estimator("bic", candidates=tuple(r.terms for r in choice.ranking[:top]))
        details.update(_bic_details(table, choice, max_order))
    else:
        fit = estimator.fit(table)
    if method in ("bhs", "sparse"):
        details["threshold"] = estimator.threshold_used()
    if method == "downhill":
        details["bic"] = round(fit.bic, 3)
    require_estimable(table, fit.terms)
    low, high = wald_interval(fit, level)
    ci_method = "wald-log"
    if method == "bhs":
        prof = profile_interval(fit, level)
        low, high, ci_method = prof.low, prof.high, "profile-likelihood"
        details["poisson_estimate"] = round(fit.estimate, 2)
        details["profile_estimate"] = round(prof.estimate, 2)
    boot = None
    if bootstrap > 0:
        boot = bca_interval(table, estimator, bootstrap, seed, level, workers)
        details["model_ci"] = {
            "ci_low": round(low, 2),
            "ci_high": round(high, 2),
            "ci_method": ci_method,
        }
        low, high, ci_method = boot.low, boot.high, "bca-bootstrap"
    return MSEResult(
        method=method,
        lists=table.lists,
        observed=table.observed,
        estimate=fit.estimate,
        ci_low=low,
        ci_high=high,
        ci_method=ci_method,
        ci_level=level,
        model=fit.model(),
        neg_inf_terms=[term_name(table.lists, m) for m in fit.neg_inf],
        warnings=fit_cautions(fit, boot),
        details=details,
        bootstrap=boot,
    )


def _bic_details(table: OverlapTable, choice: BicChoice, max_order: int | None) -> dict[str, Any]:
    from opsc.estimation.bic import default_max_order

    return {
        "max_order": default_max_order(table.t) if max_order is None else max_order,
        "models_fitted": len(choice.ranking) + choice.rejected,
        "models_rejected": choice.rejected,
        "bic": round(choice.ranking[0].bic, 3),
        "runner_up": [
            {
                "model": [term_name(table.lists, m) for m in r.terms],
                "bic": round(r.bic, 3),
                "estimate": round(r.estimate, 1),
            }
            for r in choice.ranking[1:4]
        ],
    }
