"""Laws that hold for every table (hypothesis): the protected output passes the audit, its
margins add up, protection is deterministic, the audit catches broken patterns, and
publishing back never hides a cell nor breaks the bar."""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsc.disclosure import Rules, Table, audit_published, build_table, protect
from opsc.disclosure.cleanup import publish_back
from opsc.disclosure.heuristic import Perturber, stretch, suppress_heuristic
from opsc.disclosure.local import LocalWitness
from opsc.disclosure.localback import publish_back_local
from opsc.disclosure.primary import Requirements, requirements
from opsc.disclosure.table import CellSystem, link

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RULES = Rules(k=4, k_by_level={}, max_suppressed_share=1.0, exact_max_size=40, exact_time_limit=0.5)


@st.composite
def tables(draw: st.DrawFn) -> Table:
    """1–3 dimensions of 2–5 codes, optionally a 2-level hierarchy, small Poisson counts."""
    sizes = draw(st.lists(st.integers(2, 4), min_size=1, max_size=3))
    nested = draw(st.booleans()) and len(sizes) < 3
    mean = draw(st.floats(1.0, 12.0))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    columns = [f"d{i}" for i in range(len(sizes))]
    hierarchy: list[tuple[str, str]] = []
    if nested:
        columns.insert(1, "sub")
        hierarchy = [("d0", "sub")]
    rows = []
    for combo in itertools.product(*(range(s) for s in sizes)):
        subs = range(int(rng.integers(1, 4))) if nested else [None]
        for sub in subs:
            codes = [f"c{combo[0]}"] + ([f"c{combo[0]}.{sub}"] if nested else [])
            codes += [f"c{v}" for v in combo[1:]]
            rows.append((*codes, int(rng.poisson(mean))))
    frame = pd.DataFrame(rows, columns=[*columns, "count"])
    dims = [c for c in columns if c != "sub"]
    return build_table(frame, dims, hierarchy=hierarchy)


@SETTINGS
@given(tables())
def test_protected_tables_pass_the_audit_at_both_bounds(table: Table) -> None:
    result = protect(table, RULES)
    doc = result.to_json()
    assert result.audit is not None and result.audit.safe
    assert audit_published(doc, lower=1).safe
    assert audit_published(doc, lower=0).safe


@SETTINGS
@given(tables())
def test_published_margins_are_consistent_and_statuses_complete(table: Table) -> None:
    cells = protect(table, RULES).tables["table"]
    assert len(cells) == len(table)
    system = link([table])
    # Cells are published in reading order: match them to the table's values by codes.
    at = {tuple(sorted(table.cell_labels(i).items())): i for i in range(len(table))}
    flat = [
        at[tuple(sorted((k, str(v)) for k, v in c.items() if k in table.columns))] for c in cells
    ]
    values = table.values[flat].tolist()
    shown = table.values.copy()
    for i, c in zip(flat, cells, strict=True):
        shown[i] = c["value"] if c["value"] is not None else shown[i]
    assert sorted(flat) == list(range(len(table)))
    assert np.abs(system.matrix @ shown).max(initial=0) == 0
    for cell, value in zip(cells, values, strict=True):
        assert cell["status"] in {"published", "primary", "secondary"}
        if cell["status"] == "published":
            assert cell["value"] == value
            assert value == 0 or value >= RULES.k
        else:
            assert cell["value"] is None
        assert (cell["status"] == "primary") == (0 < value < RULES.k)


@SETTINGS
@given(tables())
def test_protection_is_deterministic(table: Table) -> None:
    assert protect(table, RULES).tables == protect(table, RULES).tables


@SETTINGS
@given(tables(), st.integers(0, 2**16))
def test_the_audit_catches_a_primary_cell_left_alone(table: Table, pick: int) -> None:
    """Publish every hidden cell but one primary: the margins give it back exactly."""
    doc = protect(table, RULES).to_json()
    cells = doc["cells"]
    assert isinstance(cells, list)
    primary = [i for i, c in enumerate(cells) if c["status"] == "primary"]
    if not primary:
        return  # nothing to protect
    keep = primary[pick % len(primary)]
    at = {tuple(sorted(table.cell_labels(i).items())): i for i in range(len(table))}
    for i, cell in enumerate(cells):
        if i != keep and cell["value"] is None:
            flat = at[tuple(sorted((k, str(v)) for k, v in cell.items() if k in table.columns))]
            cell["value"], cell["status"] = int(table.values[flat]), "published"
    report = audit_published(doc)

    def codes(cell: dict[str, object]) -> dict[str, object]:
        named = {c: v for c, v in cell.items() if c.startswith(("d", "sub")) and v != "_total"}
        return named or {"cell": "grand total"}

    recovered = [f for f in report.findings if "exactly recovered" in f.reason]
    assert [f.cell for f in recovered] == [codes(cells[keep])]
    # The other primary cells, now shown, break the threshold rule: read from their values.
    shown = [f.cell for f in report.findings if f not in recovered]
    assert shown == [codes(cells[i]) for i in primary if i != keep and cells[i]["value"]]


@SETTINGS
@given(tables())
def test_publishing_back_only_publishes_and_keeps_the_bar(table: Table) -> None:
    """The clean-up shows cells again, never hides one, and its pattern passes the audit."""
    system = link([table])
    found = suppress_heuristic(system, requirements(system, RULES), prune_seconds=0.0)
    hidden = publish_back(system, found.req, found.hidden, witnesses=found.witnesses, budget=10_000)
    assert not (hidden & ~found.hidden).any()
    assert (hidden | ~found.req.primary).all()  # every primary cell stays hidden
    assert audit_published(_document(table, system, found.req, hidden), lower=1).safe


@SETTINGS
@given(tables())
def test_publishing_back_on_neighbourhoods_only_publishes_and_keeps_the_bar(
    table: Table,
) -> None:
    """The large tables' clean-up (checks on neighbourhoods) obeys the same law."""
    system = link([table])
    found = suppress_heuristic(system, requirements(system, RULES), prune_seconds=0.0)
    local = LocalWitness(Perturber(system, found.req, found.hidden))
    hidden, _ = publish_back_local(local, found.hidden, found.witnesses, budget=10_000)
    assert not (hidden & ~found.hidden).any()
    assert (hidden | ~found.req.primary).all()
    assert audit_published(_document(table, system, found.req, hidden), lower=1).safe


@SETTINGS
@given(tables(), st.integers(0, 2**16))
def test_local_witnesses_are_perturbations_within_bounds(table: Table, seed: int) -> None:
    """A neighbourhood LP's answer, with hidden margins free and started in the basis, is a
    perturbation of the whole table (every equation kept, hierarchies included) that moves
    its cell by the amount asked and no cell beyond its room."""
    system = link([table])
    req = requirements(system, RULES)
    hidden = req.primary | (np.random.default_rng(seed).random(system.n) < 0.4)
    lp = Perturber(system, req, hidden)
    local = LocalWitness(lp)
    for cell, column in lp.moves():
        amount = local.required((cell, column))
        cells = np.flatnonzero(local.neighbourhood(cell, 12, hidden) & local.movable)
        free = hidden[cells] & local.margin[cells]
        here = int(np.searchsorted(cells, cell))
        free[here] = True
        a, start = local.free_block(cells, free, here)
        # The start: one row per free margin, each its own, and the square block they make
        # is not singular (HiGHS would repair a singular one quietly).
        dense = sp.csc_matrix((a.data, a.indices, a.indptr), shape=(a.rows, a.cols)).toarray()
        claimed = dense[np.ix_(start.rows, np.flatnonzero(start.basic))]
        assert len(set(start.rows.tolist())) == start.rows.size
        assert np.linalg.matrix_rank(claimed) == start.rows.size
        y = local.witness((cell, column))
        if y is None:
            continue
        assert np.abs(system.matrix @ y).max(initial=0.0) < 1e-6
        assert y[cell] == pytest.approx(amount if column == cell else -amount)
        assert (y <= lp.upper[: lp.n] + 1e-9).all()
        assert (-y <= lp.upper[lp.n :] + 1e-9).all()


def _document(
    table: Table, system: CellSystem, req: Requirements, hidden: npt.NDArray[np.bool_]
) -> dict[str, object]:
    cells = []
    for i, value in enumerate(table.values.tolist()):
        status = "primary" if req.primary[i] else "secondary" if hidden[i] else "published"
        cells.append(
            table.cell_labels(i) | {"value": None if hidden[i] else value, "status": status}
        )
    return {"cells": cells, "k": RULES.k, "k_by_level": {}}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-4, 4), st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=8
    )
)
def test_a_stretched_or_reversed_perturbation_stays_within_the_bounds(
    cells: list[tuple[int, int, int]],
) -> None:
    """t·y keeps every cell within its room to rise and fall for t in [−back, ahead], and
    the bounds are tight: a little further breaks one of them (when there is a limit)."""
    y = np.array([float(v) for v, _, _ in cells])
    up = np.array([max(float(u), v) for v, u, _ in cells])  # y itself is feasible
    down = np.array([max(float(d), -v) for v, _, d in cells])
    ahead, back = stretch(y, up, down)
    assert ahead >= 1.0 and back >= 0.0

    def within(z: npt.NDArray[np.float64]) -> bool:
        return bool(np.all(z <= up + 1e-9) and np.all(-z <= down + 1e-9))

    assert within(ahead * y) if np.isfinite(ahead) else within(1e6 * y)
    assert within(-back * y) if np.isfinite(back) else within(-1e6 * y)
    if np.isfinite(ahead) and ahead > 1.0:
        assert not within((ahead + 1e-3) * y)
    if np.isfinite(back):
        assert not within(-(back + 1e-3) * y)
