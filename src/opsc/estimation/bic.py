"""BIC model choice over hierarchical log-linear models (Silverman, Chan & Vincent 2024).

Every hierarchical model up to a maximum interaction order is fitted (terms with an empty
margin at −∞); models whose estimate does not exist or is not identifiable are dropped,
and the lowest BIC (sample size: the number of people observed) wins.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

from opsc.estimation.errors import EstimationError
from opsc.estimation.loglinear import ModelFit, check_model, fit_model
from opsc.estimation.table import OverlapTable

# Six lists with third-order terms give 3.7 million models: refuse rather than hang.
MAX_MODELS = 50_000


def default_max_order(t: int) -> int:
    """The package defaults: 1 for two lists, 2 for three, 3 for four or five, else 2."""
    return {2: 1, 3: 2, 4: 3, 5: 3}.get(t, 2)


def hierarchical_models(t: int, max_order: int) -> Iterator[tuple[int, ...]]:
    """All hierarchical sets of interaction terms of order 2..max_order over t lists.

    A term may enter only when all its sub-terms of order ≥ 2 are in (hierarchy);
    terms are decided in increasing order, so each model is produced exactly once.
    """
    terms = [
        sum(1 << j for j in combo)
        for order in range(2, min(max_order, t) + 1)
        for combo in combinations(range(t), order)
    ]

    def facets(term: int) -> list[int]:
        return [term & ~(1 << j) for j in range(t) if term >> j & 1]

    def walk(i: int, chosen: frozenset[int]) -> Iterator[tuple[int, ...]]:
        if i == len(terms):
            yield tuple(sorted(chosen, key=lambda m: (m.bit_count(), m)))
            return
        yield from walk(i + 1, chosen)
        term = terms[i]
        if term.bit_count() == 2 or all(f in chosen for f in facets(term)):
            yield from walk(i + 1, chosen | {term})

    yield from walk(0, frozenset())


@dataclass(frozen=True)
class RankedModel:
    terms: tuple[int, ...]
    bic: float
    estimate: float


@dataclass(frozen=True)
class BicChoice:
    fit: ModelFit
    ranking: tuple[RankedModel, ...]  # every eligible model, lowest BIC first
    rejected: int  # models dropped by the existence/identifiability check


def select_bic(table: OverlapTable, max_order: int | None = None) -> BicChoice:
    """Fit every hierarchical model up to `max_order` and keep the lowest BIC."""
    order = default_max_order(table.t) if max_order is None else max_order
    ranked: list[tuple[float, ModelFit]] = []
    rejected = 0
    if order >= 2 and 2 ** (table.t * (table.t - 1) // 2) > MAX_MODELS:  # pair models alone
        raise EstimationError("too-many-models", lists=table.t, order=order, limit=MAX_MODELS)
    for count, terms in enumerate(hierarchical_models(table.t, order)):
        if count >= MAX_MODELS:
            raise EstimationError("too-many-models", lists=table.t, order=order, limit=MAX_MODELS)
        fit = fit_model(table, terms)
        if not check_model(table, terms, fit).ok:
            rejected += 1
            continue
        ranked.append((fit.bic, fit))
    ranked.sort(key=lambda r: r[0])
    ranking = tuple(RankedModel(f.terms, b, f.estimate) for b, f in ranked)
    return BicChoice(ranked[0][1], ranking, rejected)


def neighbours(terms: tuple[int, ...], t: int, max_order: int) -> list[tuple[int, ...]]:
    """Hierarchical models one step away: add a term whose sub-terms are all in, or drop
    a term no other term contains (main effects always stay)."""
    present = set(terms)

    def key(m: int) -> tuple[int, int]:
        return (m.bit_count(), m)

    out = []
    for order in range(2, min(max_order, t) + 1):
        for combo in combinations(range(t), order):
            term = sum(1 << j for j in combo)
            subs = [term & ~(1 << j) for j in combo]
            if term not in present and all(s in present or s.bit_count() < 2 for s in subs):
                out.append(tuple(sorted(present | {term}, key=key)))
    for term in sorted(present, key=key):
        if not any(other != term and other & term == term for other in present):
            out.append(tuple(sorted(present - {term}, key=key)))
    return out


def select_downhill(
    table: OverlapTable, max_order: int | None = None, max_steps: int = 20
) -> BicChoice:
    """Downhill BIC search from main effects (Silverman, Chan & Vincent 2024).

    Each step evaluates the neighbours not yet seen and moves to the best if it lowers
    BIC; models failing the existence/identifiability check are passed over.
    """
    order = table.t - 1 if max_order is None else max_order
    seen: dict[tuple[int, ...], ModelFit | None] = {}

    def evaluate(terms: tuple[int, ...]) -> ModelFit | None:
        fit = fit_model(table, terms)
        seen[terms] = fit if check_model(table, terms, fit).ok else None
        return seen[terms]

    best = evaluate(())
    if best is None:
        raise ValueError("the main-effects model has no estimate for this table")
    for _ in range(max_steps):
        fresh = [m for m in neighbours(best.terms, table.t, order) if m not in seen]
        if not fresh:
            break
        fits = [f for f in (evaluate(m) for m in fresh) if f is not None]
        if not fits:
            break
        step = min(fits, key=lambda f: f.bic)
        if step.bic >= best.bic:
            break
        best = step
    ranked = sorted((f for f in seen.values() if f is not None), key=lambda f: f.bic)
    ranking = tuple(RankedModel(f.terms, f.bic, f.estimate) for f in ranked)
    return BicChoice(best, ranking, sum(f is None for f in seen.values()))
