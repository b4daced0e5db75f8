"""Protect tables for publication: primary rule, secondary suppression, audit, refusal.

`protect` chooses the method (exact model when it is small enough to solve within the time
limit, else the heuristic), audits the result with the independent audit, repairs what the
audit flags, and refuses tables that would lose too much (with coarsening advice).
`publish` is the one gate every publication path calls: it returns only audited tables.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NoReturn

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from opsc.disclosure.audit import AuditReport
from opsc.disclosure.certificates import Certificates, directions_matrix
from opsc.disclosure.cleanup import publish_back
from opsc.disclosure.errors import TableRefusedError, UnsafeTableError, message, texts
from opsc.disclosure.exact import suppress_exact
from opsc.disclosure.heuristic import (
    LOCAL_ABOVE,
    Move,
    Pattern,
    Perturber,
    cell_costs,
    suppress_heuristic,
)
from opsc.disclosure.local import LocalWitness
from opsc.disclosure.localback import publish_back_local
from opsc.disclosure.output import audit_published, table_cells
from opsc.disclosure.primary import Requirements, requirements, round_values
from opsc.disclosure.rules import Rules
from opsc.disclosure.table import CellSystem, Table, link

_REPAIR_ROUNDS = 5
_PUBLISH_BACK_LPS = 20  # LPs per primary cell at most: deterministic, unlike seconds
# The same on large tables (each a neighbourhood LP, ~6 ms). On 32 × 2 × 4 × 5 (seeds 0–4)
# 0.25 hides 999/1,248/1,114/1,089/962 cells, 18 more than 0.35 and still 7–21 a seed below
# tau-Argus Modular at the same bar, for 10 % fewer simplex iterations (and 14 % less
# time on seed 1): the 5 s asked binds, the cells below Modular's had room (docs/disclosure.md).
_LOCAL_BACK_LPS = 0.25


@dataclass(frozen=True)
class Loss:
    """Information loss of a pattern (what a user of the table does not get)."""

    cells: int
    suppressed: int
    primary: int
    nonzero: int
    suppressed_nonzero_share: float
    suppressed_count_share: float

    def to_dict(self) -> dict[str, float | int]:
        return {
            "cells": self.cells,
            "suppressed": self.suppressed,
            "primary": self.primary,
            "secondary": self.suppressed - self.primary,
            "suppressed_nonzero_share": round(self.suppressed_nonzero_share, 4),
            "suppressed_count_share": round(self.suppressed_count_share, 4),
        }


def loss_of(
    system: CellSystem, hidden: npt.NDArray[np.bool_], primary: npt.NDArray[np.bool_]
) -> Loss:
    nonzero = system.values > 0
    # The count share is over inner cells, so margins do not count a child twice.
    inner = np.zeros(system.n, dtype=np.bool_)
    for table, local in zip(system.tables, system.index, strict=True):
        inner[local[table.inner()]] = True
    total = float(system.values[inner].sum())
    return Loss(
        cells=system.n,
        suppressed=int(hidden.sum()),
        primary=int(primary.sum()),
        nonzero=int(nonzero.sum()),
        suppressed_nonzero_share=float((hidden & nonzero).sum()) / max(int(nonzero.sum()), 1),
        suppressed_count_share=float(system.values[hidden & inner].sum()) / total if total else 0.0,
    )


@dataclass
class ProtectedTables:
    """The published tables: every cell with its status and reason, plus the audit."""

    tables: dict[str, list[dict[str, object]]]
    rules: Rules
    method: str
    loss: Loss
    seconds: float
    audit: AuditReport | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """The publication format: one table as `cells`, several as `tables`."""
        out: dict[str, object] = {}
        if len(self.tables) == 1:
            out["cells"] = next(iter(self.tables.values()))
        else:
            out["tables"] = {name: {"cells": cells} for name, cells in self.tables.items()}
        out |= {
            "k": self.rules.k,
            "suppressed": self.loss.suppressed,
            "k_by_level": dict(self.rules.k_by_level),
            "p": self.rules.p,
            "zeros_published": self.rules.publish_zeros,
            "rounding_base": self.rules.rounding_base,
            "method": self.method,
            "loss": self.loss.to_dict(),
        }
        if self.audit is not None:
            out["audit"] = {"safe": self.audit.safe, "L": self.audit.lower}
        return out


def _as_tables(tables: Table | Sequence[Table] | Mapping[str, Table]) -> list[Table]:
    if isinstance(tables, Table):
        return [tables]
    return list(tables.values()) if isinstance(tables, Mapping) else list(tables)


def protect(
    tables: Table | Sequence[Table] | Mapping[str, Table],
    rules: Rules | None = None,
    *,
    method: str = "auto",
    advise: bool = True,
) -> ProtectedTables:
    """Protect one table, or several published together (shared cells are one figure)."""
    rules = rules or Rules()
    start = time.perf_counter()
    tabs = _as_tables(tables)
    system = link(tabs)
    req = requirements(system, rules)
    if rules.rounding_base is not None:
        return _rounded(system, req, rules, start)
    alone = ("primary cells alone", "las celdas primarias por sí solas ocultarían")
    _refuse_if_too_much(system, req, req.primary, rules, tabs, advise, alone)
    try:
        hidden, protects, used, moves = _pattern(system, req, rules, method, start)
    except TimeoutError:
        _refuse(
            rules,
            tabs,
            advise,
            texts("no-pattern-in-time", seconds=rules.time_limit),
        )
    pattern = ("the protected pattern", "el patrón protegido ocultaría")
    _refuse_if_too_much(system, req, hidden, rules, tabs, advise, pattern)
    result = _result(system, req, rules, hidden, protects, used, start)
    # The perturbations found are feasible points: the audit checks them, then needs LPs
    # only for the primary cells they do not settle (32 × 2 × 4 × 5, seeds 0–2: 185/221/189
    # LPs → none, 0.5–1.0 → 0.14–0.17 s at a slow hour).
    offered = Certificates(system.keys, system.values.astype(np.float64), moves)
    for _ in range(_REPAIR_ROUNDS):
        result.audit = audit_published(
            result.to_json(), lower=req.lower, secondary=False, offered=offered
        )
        if result.audit.safe:
            break
        hidden = _repair(system, req, hidden, result.audit)
        result = _result(system, req, rules, hidden, protects, used + "+repair", start)
    result.seconds = time.perf_counter() - start
    return result


def publish(
    tables: Table | Sequence[Table] | Mapping[str, Table], rules: Rules | None = None
) -> ProtectedTables:
    """The gate for every publication: protect, audit at L, and refuse anything unsafe."""
    result = protect(tables, rules)
    if result.audit is None or not result.audit.safe:
        findings = [] if result.audit is None else result.audit.findings
        raise UnsafeTableError(message("unsafe"), [str(f) for f in findings])
    return result


def _pattern(
    system: CellSystem, req: Requirements, rules: Rules, method: str, start: float
) -> tuple[npt.NDArray[np.bool_], dict[int, int], str, sp.csr_matrix]:
    """The pattern, a primary cell each secondary cell protects, the method, and the
    perturbations found on the way (one row each)."""
    # Leave part of the time limit for the audit and, if it comes to that, the advice.
    # Up to LOCAL_ABOVE cells, publishing back (below) replaces the construction's pruning:
    # it publishes more, at the audit's bar. Above, its LPs on all hidden cells cost too
    # much (about 55 ms each on 32 × 2 × 4 × 5).
    small = system.n <= LOCAL_ABOVE
    found = suppress_heuristic(
        system,
        req,
        prune_seconds=0.0 if small else rules.time_limit / 4,
        deadline=start + rules.time_limit / 2,
    )
    hidden, protects, req, used = found.hidden, found.protects, found.req, "heuristic"
    witnesses: dict[Move, npt.NDArray[np.int64]] | None = found.witnesses
    moves = list(found.moves)
    if req.lower > 0 and small and rules.p_for(rules.k) <= 1:
        hidden, protects, used = _optimistic(system, req, rules, found)
        witnesses = found.witnesses if hidden is found.hidden else None
    if small:
        hidden = publish_back(
            system,
            req,
            hidden,
            witnesses=witnesses,
            budget=_PUBLISH_BACK_LPS * max(int(req.primary.sum()), 1),
            deadline=start + rules.time_limit / 2,
        )
        protects = {cell: p for cell, p in protects.items() if hidden[cell]}
    else:
        local = LocalWitness(Perturber(system, req, hidden))
        budget = int(_LOCAL_BACK_LPS * max(int(req.primary.sum()), 1))
        hidden, checked = publish_back_local(
            local, hidden, found.witnesses, budget=budget, moves=found.moves
        )
        moves += checked
        protects = {cell: p for cell, p in protects.items() if hidden[cell]}
    # On three dimensions the exact model did not converge in 2 s (nor in 60 s) on tables
    # of 135–145 cells: it only spent its time limit (docs/disclosure.md, Limits).
    flat = all(len(t.dims) <= 2 for t in system.tables)
    if method == "exact" or (method == "auto" and flat and system.n <= rules.exact_max_size):
        cost = cell_costs(system.values)
        cutoff = float(cost[hidden & ~req.primary].sum()) - 1e-3  # only a strictly better one
        left = min(rules.exact_time_limit, rules.time_limit - (time.perf_counter() - start))
        exact = suppress_exact(system, req, cost, cutoff, max(left, 0.1))
        if exact.hidden is not None:
            hidden, protects, used = (
                exact.hidden,
                {},
                "exact" if exact.optimal else "exact (time limit)",
            )
        elif exact.optimal:
            used = "heuristic (proven optimal)"
    return hidden, protects, used, directions_matrix(moves, system.n)


def _optimistic(
    system: CellSystem, req: Requirements, rules: Rules, found: Pattern
) -> tuple[npt.NDArray[np.bool_], dict[int, int], str]:
    """A second start that ignores L (as tau-Argus does), kept only when it is cheaper and
    the audit at the true L passes it. With a small P it often does (P = 1 on 32 × 2 × 4:
    152 cells against 156), with P = k it seldom does (the audit rejects it)."""
    cost = cell_costs(system.values)
    other = suppress_heuristic(system, requirements(system, rules, lower=0), prune_seconds=0.0)
    if cost[other.hidden].sum() >= cost[found.hidden].sum():
        return found.hidden, found.protects, "heuristic"
    doc = _result(system, req, rules, other.hidden, other.protects, "", 0.0).to_json()
    if audit_published(doc, lower=req.lower, secondary=False).safe:
        return other.hidden, other.protects, "heuristic (L = 0 start, audited at L)"
    return found.hidden, found.protects, "heuristic"


def _refuse_if_too_much(
    system: CellSystem,
    req: Requirements,
    hidden: npt.NDArray[np.bool_],
    rules: Rules,
    tabs: list[Table],
    advise: bool,
    what: tuple[str, str],  # English, Spanish
) -> None:
    loss = loss_of(system, hidden, req.primary)
    if loss.suppressed_nonzero_share <= rules.max_suppressed_share:
        return
    _refuse(
        rules,
        tabs,
        advise,
        texts(
            "hides-too-much",
            what=what,
            share=loss.suppressed_nonzero_share,
            hidden=loss.suppressed,
            cells=loss.cells,
            allowed=rules.max_suppressed_share,
        ),
    )


def _refuse(
    rules: Rules,
    tabs: list[Table],
    advise: bool,
    why: tuple[str, str],  # English, Spanish
) -> NoReturn:
    from opsc.disclosure.advice import coarsening_advice  # advice protects candidate tables

    advice = coarsening_advice(tabs, rules) if advise else []
    raise TableRefusedError(message("refused", why=why), list(advice))


def _repair(
    system: CellSystem, req: Requirements, hidden: npt.NDArray[np.bool_], report: AuditReport
) -> npt.NDArray[np.bool_]:
    """Hide every suppressible cell sharing an equation with a flagged cell, then re-solve."""
    flagged = {tuple(sorted((c, v) for c, v in f.cell.items())) for f in report.findings}
    rows = system.matrix.tocsr()
    extra = hidden.copy()
    for cell, key in enumerate(system.keys):
        if key in flagged:
            eq = rows[:, cell].nonzero()[0]
            extra[np.unique(rows[eq].indices)] = True
    extra &= ~req.fixed
    return suppress_heuristic(system, req, extra, prune_seconds=0.0).hidden


def _result(
    system: CellSystem,
    req: Requirements,
    rules: Rules,
    hidden: npt.NDArray[np.bool_],
    protects: dict[int, int],
    method: str,
    start: float,
) -> ProtectedTables:
    tables = {
        t.name: table_cells(t, local, system, req, hidden, protects)
        for t, local in zip(system.tables, system.index, strict=True)
    }
    loss = loss_of(system, hidden, req.primary)
    return ProtectedTables(tables, rules, method, loss, time.perf_counter() - start)


def _rounded(system: CellSystem, req: Requirements, rules: Rules, start: float) -> ProtectedTables:
    base = int(rules.rounding_base or 1)
    rounded = CellSystem(
        system.tables, system.index, round_values(system.values, base), system.keys, system.matrix
    )
    none = np.zeros(system.n, dtype=np.bool_)
    tables = {
        t.name: table_cells(t, local, rounded, req, none, {}, rounded_to=base)
        for t, local in zip(system.tables, system.index, strict=True)
    }
    result = ProtectedTables(
        tables,
        rules,
        f"rounding (base {base})",
        loss_of(system, none, none),
        time.perf_counter() - start,
    )
    # Rounded margins need not add up, so the audit checks the values: each a multiple of
    # the base, none shown for a primary cell.
    result.audit = audit_published(result.to_json(), lower=req.lower, secondary=False)
    return result
