"""Feasible points the suppression offers the audit: checked before they count, they spare
LPs, and no wrong point can make a leaking pattern pass."""

from __future__ import annotations

import sys

import highspy
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from opsc.disclosure import Rules, audit_published, build_table, protect
from opsc.disclosure.certificates import Certificates, certified_ranges, directions_matrix
from opsc.disclosure.heuristic import suppress_heuristic
from opsc.disclosure.primary import requirements
from opsc.disclosure.table import CellSystem, Table, link

RULES = Rules(k=5, k_by_level={})
protect_module = sys.modules["opsc.disclosure.protect"]  # the package exports a function


def _rectangle(side: int = 5) -> Table:
    """r1 × c1 is a cell of 1 that threshold-only suppression leaves recoverable; its
    neighbours in the row and the column hold `side`."""
    counts = {("r1", "c1"): 1, ("r1", "c2"): side, ("r2", "c1"): side, ("r2", "c2"): 20}
    frame = pd.DataFrame(
        [(r, c, v) for (r, c), v in counts.items()], columns=["row", "col", "count"]
    )
    return build_table(frame, ["row", "col"])


def _states(seed: int = 4) -> Table:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        [
            (f"{s:02d}", sex, age, int(rng.poisson(4.0)))
            for s in range(1, 9)
            for sex in ("F", "M")
            for age in ("0-11", "12-14", "15-17")
        ],
        columns=["state", "sex", "age_band", "count"],
    )
    return build_table(frame, ["state", "sex", "age_band"])


def _offer(
    system: CellSystem, rows: list[dict[int, float]], base: np.ndarray | None = None
) -> Certificates:
    moves = [
        (np.array(sorted(r), dtype=np.int64), np.array([r[c] for c in sorted(r)])) for r in rows
    ]
    values = system.values.astype(np.float64) if base is None else base
    return Certificates(system.keys, values, directions_matrix(moves, system.n))


def _at(system: CellSystem) -> dict[tuple[str, ...], int]:
    return {tuple(v for _, v in key): j for j, key in enumerate(system.keys)}


def _threshold_only(table: Table) -> dict[str, object]:
    doc = protect(table, RULES).to_json()
    cells = doc["cells"]
    assert isinstance(cells, list)
    for cell in cells:  # publish every secondary cell again: the primary one leaks
        if cell["status"] == "secondary":
            cell["status"] = "published"
            key = {c: v for c, v in cell.items() if c not in ("value", "status", "reason")}
            cell["value"] = _value(table, key)
    return doc


def _value(table: Table, labels: dict[str, object]) -> int:
    for i, v in enumerate(table.values.tolist()):
        if table.cell_labels(i) == labels:
            return int(v)
    raise KeyError(labels)


def test_a_direction_is_stretched_as_far_as_the_lower_bound_allows() -> None:
    system = link([_rectangle()])
    at = _at(system)
    index = {key: j for j, key in enumerate(system.keys)}
    one, r1c2, r2c1, r2c2 = (
        at[k] for k in (("c1", "r1"), ("c2", "r1"), ("c1", "r2"), ("c2", "r2"))
    )
    published = system.values.astype(np.float64)
    published[[one, r1c2, r2c1, r2c2]] = np.nan  # the four inner cells hidden
    cycle = {one: 1.0, r1c2: -1.0, r2c1: -1.0, r2c2: 1.0}
    lo, hi = certified_ranges(_offer(system, [cycle]), index, system.matrix, published, 1.0)
    # Forwards until r1c2 and r2c1 (5) reach L = 1: t = 4; backwards until r1c1 (1) does: 0.
    assert (lo[one], hi[one]) == (1, 5) and (lo[r2c2], hi[r2c2]) == (20, 24)
    assert (lo[r1c2], hi[r1c2]) == (1, 5)
    shown = ~np.isnan(published)
    assert np.isinf(lo[shown]).all() and np.isinf(hi[shown]).all()
    # A direction that only rises has no end: the cell and its margins, all hidden.
    margins = [at[("r1",)], at[("c1",)], at[()]]
    published[margins] = np.nan
    up = {one: 1.0} | {m: 1.0 for m in margins}
    lo, hi = certified_ranges(_offer(system, [up]), index, system.matrix, published, 1.0)
    assert lo[one] == 1 and hi[one] == np.inf


def test_offered_points_settle_primary_cells_without_lps(monkeypatch: pytest.MonkeyPatch) -> None:
    """The construction's own perturbations settle every primary cell of its pattern: the
    audit then solves no LP but the fast check's one per block."""
    system = link([_states()])
    req = requirements(system, RULES)
    found = suppress_heuristic(system, req)
    doc = protect_module._result(system, req, RULES, found.hidden, found.protects, "", 0.0)
    offered = Certificates(
        system.keys, system.values.astype(np.float64), directions_matrix(found.moves, system.n)
    )
    runs = [0]
    run = highspy.Highs.run

    def counted(self: highspy.Highs) -> highspy.HighsStatus:
        runs[0] += 1
        return run(self)

    monkeypatch.setattr(highspy.Highs, "run", counted)
    plain = audit_published(doc.to_json(), lower=1, secondary=False)
    without, runs[0] = runs[0], 0
    helped = audit_published(doc.to_json(), lower=1, secondary=False, offered=offered)
    assert plain.safe and helped.safe
    assert without > helped.blocks and runs[0] <= helped.blocks, (runs[0], without)


@pytest.mark.parametrize(
    "wrong",
    ["moves a published cell", "breaks an equation"],
)
def test_wrong_points_never_make_a_leaking_pattern_pass(wrong: str) -> None:
    table = _rectangle(side=9)  # the rectangle, were it hidden, would protect r1c1
    system = link([table])
    at = _at(system)
    doc = _threshold_only(table)
    plain = audit_published(doc, lower=1, secondary=False)
    assert not plain.safe
    one = at[("c1", "r1")]
    cycle = {one: 1.0, at[("c2", "r1")]: -1.0, at[("c1", "r2")]: -1.0, at[("c2", "r2")]: 1.0}
    if wrong == "moves a published cell":
        offered = _offer(system, [cycle])
    else:
        offered = _offer(system, [{one: 1.0}, {one: -1.0}])
    checked = audit_published(doc, lower=1, secondary=False, offered=offered)
    assert not checked.safe
    assert [str(f) for f in checked.findings] == [str(f) for f in plain.findings]


def test_offered_points_for_other_cells_are_ignored() -> None:
    table = _rectangle()
    system = link([table])
    doc = _threshold_only(table)
    other = Certificates(
        system.keys[:-1], system.values[:-1].astype(np.float64), sp.csr_matrix((0, system.n - 1))
    )
    assert not audit_published(doc, lower=1, secondary=False, offered=other).safe


@pytest.mark.parametrize("wrong", ["below L", "not as published"])
def test_a_base_that_is_not_a_feasible_table_does_not_count(wrong: str) -> None:
    """Inner cells hidden, margins shown: at L = 1 the cell of 1 spans only [1, 5]. Each
    base below fits the equations and, with the rectangle, would span P = 5; it must not
    count: one puts r1c1 at 0 (the attacker knows it is not), one changes published margins.
    """
    table = _rectangle()
    system = link([table])
    at = _at(system)
    cells = [at[k] for k in (("c1", "r1"), ("c2", "r1"), ("c1", "r2"), ("c2", "r2"))]
    doc = protect_module._result(
        system,
        requirements(system, RULES),
        RULES,
        np.isin(np.arange(system.n), cells),
        {},
        "",
        0.0,
    ).to_json()
    plain = audit_published(doc, lower=1, secondary=False)
    assert not plain.safe
    base = system.values.astype(np.float64)
    if wrong == "below L":
        base[cells] += [-1.0, 1.0, 1.0, -1.0]  # r1c1 = 0, r1c2 = r2c1 = 6: then up to 5
    else:
        base[[cells[0], at[("r1",)], at[("c1",)], at[()]]] += 5  # r1c1 = 6: down to 1
    cycle = dict(zip(cells, [1.0, -1.0, -1.0, 1.0], strict=True))
    checked = audit_published(doc, lower=1, secondary=False, offered=_offer(system, [cycle], base))
    assert [str(f) for f in checked.findings] == [str(f) for f in plain.findings]
