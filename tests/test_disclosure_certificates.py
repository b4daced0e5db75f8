"""Feasible points the suppression offers the audit: checked before they count, they spare
LPs, and no wrong point can make a leaking pattern pass."""

from __future__ import annotations

import sys
from typing import Any

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
audit_module = sys.modules["opsc.disclosure.audit"]  # of each name


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
    one, r1c2, r2c1, r2c2 = (
        at[k] for k in (("c1", "r1"), ("c2", "r1"), ("c1", "r2"), ("c2", "r2"))
    )
    published = system.values.astype(np.float64)
    published[[one, r1c2, r2c1, r2c2]] = np.nan  # the four inner cells hidden
    cycle = {one: 1.0, r1c2: -1.0, r2c1: -1.0, r2c2: 1.0}
    lo, hi = certified_ranges(_offer(system, [cycle]), system.keys, system.matrix, published, 1.0)
    # Forwards until r1c2 and r2c1 (5) reach L = 1: t = 4; backwards until r1c1 (1) does: 0.
    assert (lo[one], hi[one]) == (1, 5) and (lo[r2c2], hi[r2c2]) == (20, 24)
    assert (lo[r1c2], hi[r1c2]) == (1, 5)
    shown = ~np.isnan(published)
    assert np.isinf(lo[shown]).all() and np.isinf(hi[shown]).all()
    # A direction that only rises has no end (it is checked a million up): the cell and
    # its margins, all hidden.
    margins = [at[("r1",)], at[("c1",)], at[()]]
    published[margins] = np.nan
    up = {one: 1.0} | {m: 1.0 for m in margins}
    lo, hi = certified_ranges(_offer(system, [up]), system.keys, system.matrix, published, 1.0)
    assert lo[one] == 1 and hi[one] == 1 + 1e6


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
    # The same points offered in another order of the cells settle the same cells.
    order = np.random.default_rng(0).permutation(system.n)
    shuffled = Certificates(
        [system.keys[i] for i in order], offered.base[order], offered.directions[:, order]
    )
    runs[0] = 0
    assert audit_published(doc.to_json(), lower=1, secondary=False, offered=shuffled).safe
    assert runs[0] <= helped.blocks


def test_protect_offers_its_audit_points_it_accepts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The points `protect` offers are of the audit's cells and pass its checks: every
    hidden cell gets the base's value at least, and some primary cell is settled."""
    ranges: list[tuple[np.ndarray, np.ndarray]] = []
    check = audit_module.certified_ranges

    def kept(*args: Any) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = check(*args)
        ranges.append((lo, hi))
        return lo, hi

    monkeypatch.setattr(audit_module, "certified_ranges", kept)
    result = protect(_states(), RULES)
    assert result.audit is not None and result.audit.safe and ranges
    lo, hi = ranges[0]
    assert np.isfinite(lo).sum() == result.loss.suppressed
    assert (hi - lo >= 5).any()


@pytest.mark.parametrize(
    "wrong",
    ["moves a published cell", "breaks an equation", "breaks it by a hair", "holds a NaN"],
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
    elif wrong == "breaks an equation":
        offered = _offer(system, [{one: 1.0}, {one: -1.0}])
    elif wrong == "breaks it by a hair":  # then stretched a long way: its ends are checked
        offered = _offer(system, [{one: 1e-7}, {one: -1e-8}])
    else:
        offered = _offer(system, [{one: 1.0, at[("r1",)]: np.nan, at[("c1",)]: np.nan}])
    checked = audit_published(doc, lower=1, secondary=False, offered=offered)
    assert not checked.safe
    assert [str(f) for f in checked.findings] == [str(f) for f in plain.findings]


def test_offered_points_for_other_cells_are_ignored() -> None:
    table = _rectangle()
    system = link([table])
    doc = _threshold_only(table)
    twice = [*system.keys[:-1], system.keys[0]]  # as many keys, one of them twice
    again = Certificates(twice, system.values.astype(np.float64), sp.csr_matrix((0, system.n)))
    assert not audit_published(doc, lower=1, secondary=False, offered=again).safe
    other = Certificates(
        system.keys[:-1], system.values[:-1].astype(np.float64), sp.csr_matrix((0, system.n - 1))
    )
    assert not audit_published(doc, lower=1, secondary=False, offered=other).safe


@pytest.mark.parametrize(
    "wrong", ["below L", "not as published", "NaN", "a cell listed twice", "none: too short"]
)
def test_a_base_that_is_not_a_feasible_table_does_not_count(wrong: str) -> None:
    """Inner cells hidden, margins shown: at L = 1 the cell of 1 spans only [1, 5]. Each
    wrong offer below, with the rectangle, would span P = 5 if it counted: a base with r1c1
    at 0 (the attacker knows it is not), one that changes published margins, one with NaNs,
    and the true base with a direction that lists a cell twice. The true points alone span
    4 and settle nothing."""
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
    cycle = dict(zip(cells, [1.0, -1.0, -1.0, 1.0], strict=True))
    if wrong == "below L":
        base[cells] += [-1.0, 1.0, 1.0, -1.0]  # r1c1 = 0, r1c2 = r2c1 = 6: then up to 5
    elif wrong == "not as published":
        base[[cells[0], at[("r1",)], at[("c1",)], at[()]]] += 5  # r1c1 = 6: down to 1
    elif wrong == "NaN":  # on the published margins, and r1c1 = 50
        base[[at[("r1",)], at[("c1",)], at[()]]] = np.nan
        base[cells[0]] = 50
    elif wrong == "a cell listed twice":  # each fall as two halves: twice the room if summed
        rows = np.array([cells[0], cells[1], cells[1], cells[2], cells[2], cells[3]])
        twice = sp.csr_matrix(
            ([1.0, -0.5, -0.5, -0.5, -0.5, 1.0], rows, [0, 6]), shape=(1, system.n)
        )
    # "none: too short": the true table and the rectangle span 4 < P; the LPs decide.
    offered = _offer(system, [cycle], base)
    if wrong == "a cell listed twice":
        offered = Certificates(system.keys, base, twice)
    checked = audit_published(doc, lower=1, secondary=False, offered=offered)
    assert [str(f) for f in checked.findings] == [str(f) for f in plain.findings]


def test_a_cell_in_no_equation_and_an_empty_offer_are_handled() -> None:
    """A hidden cell in no equation can move freely above L; no directions leave the base."""
    keys: list[tuple[tuple[str, str], ...]] = [(("a", "1"),), ()]
    none = sp.csr_matrix((0, 2))
    base = np.array([3.0, 3.0])
    published = np.array([np.nan, 3.0])
    up = Certificates(keys, base, sp.csr_matrix(np.array([[1.0, 0.0]])))
    lo, hi = certified_ranges(up, keys, none, published, 1.0)
    assert (lo[0], hi[0]) == (1.0, 3.0 + 1e6)
    lo, hi = certified_ranges(Certificates(keys, base, none), keys, none, published, 1.0)
    assert (lo[0], hi[0]) == (3.0, 3.0)
