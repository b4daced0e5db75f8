"""The audit is independent of the suppression: it must catch wrong patterns."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsc.disclosure import Rules, Table, audit_published, build_table, protect
from opsc.disclosure.exactcheck import determined_cells

audit_module = sys.modules[
    "opsc.disclosure.audit"
]  # the package re-exports a function of that name

Labels = dict[str, str]


DOCS = Path(__file__).resolve().parent.parent / "docs" / "disclosure.md"


def _doc(table: Table, hide: Callable[[Labels, int], bool], k: int = 5) -> dict[str, object]:
    """A published document with a hand-made pattern: primary below k, `hide` for others."""
    cells = []
    for i, value in enumerate(table.values.tolist()):
        labels = table.cell_labels(i)
        status = "primary" if 0 < value < k else "secondary" if hide(labels, value) else "published"
        cells.append(labels | {"value": None if status != "published" else value, "status": status})
    return {"cells": cells, "k": k, "k_by_level": {}, "zeros_published": True}


def _rectangle() -> Table:
    """2 × 2 inner cells (plus a third row and column) around a cell of 1."""
    counts = {
        ("r1", "c1"): 1,
        ("r1", "c2"): 5,
        ("r2", "c1"): 5,
        ("r2", "c2"): 20,
        ("r1", "c3"): 9,
        ("r2", "c3"): 8,
        ("r3", "c1"): 7,
        ("r3", "c2"): 6,
        ("r3", "c3"): 9,
    }
    frame = pd.DataFrame(
        [(r, c, v) for (r, c), v in counts.items()], columns=["row", "col", "count"]
    )
    return build_table(frame, ["row", "col"])


def test_threshold_only_suppression_is_recovered_exactly() -> None:
    doc = _doc(_rectangle(), lambda labels, value: False)
    report = audit_published(doc)
    assert not report.safe
    [finding] = report.findings
    assert finding.cell == {"col": "c1", "row": "r1"}
    assert (finding.low, finding.high) == (1, 1)
    assert "exactly recovered" in finding.reason


def test_a_rectangle_passes_with_l0_but_leaks_with_l1() -> None:
    inner = {("r1", "c2"), ("r2", "c1"), ("r2", "c2")}
    doc = _doc(_rectangle(), lambda c, v: (c["row"], c["col"]) in inner)
    at_zero = audit_published(doc, lower=0)
    assert at_zero.safe, at_zero.findings
    assert at_zero.intervals[(("col", "c1"), ("row", "r1"))] == pytest.approx((0, 6))
    at_one = audit_published(doc, lower=1)
    assert not at_one.safe
    assert at_one.intervals[(("col", "c1"), ("row", "r1"))] == pytest.approx((1, 5))
    assert "width 4 < P = 5" in at_one.findings[0].reason


def test_protected_rectangle_passes_both_bounds() -> None:
    result = protect(_rectangle(), Rules(k_by_level={}))
    doc = result.to_json()
    one = (("col", "c1"), ("row", "r1"))
    at_zero, at_one = audit_published(doc, lower=0), audit_published(doc, lower=1)
    assert at_zero.safe and at_one.safe
    # The numbers of the worked example in docs/disclosure.md.
    assert (result.method, result.loss.suppressed) == ("exact", 4)
    assert at_zero.intervals[one] == pytest.approx((0, 8))
    assert at_one.intervals[one] == pytest.approx((1, 7))
    secondary = {(c["row"], c["col"]) for c in result.tables["table"] if c["status"] == "secondary"}
    assert secondary == {("r1", "c3"), ("r3", "c1"), ("r3", "c3")}
    loss = result.loss
    text = DOCS.read_text(encoding="utf-8")  # the doc states what the code computes
    assert (
        f"Information loss: {loss.suppressed} of {loss.cells} cells, "
        f"{loss.suppressed_count_share:.0%} of the count"
    ) in text
    assert "[0, 8] with L = 0 and [1, 7] with L = 1" in text
    assert "narrowed to [1, 5], width 4 < P = 5" in text


def test_audit_catches_a_secondary_cell_published_again() -> None:
    frame = pd.DataFrame(
        [
            (s, x, a, v)
            for (s, x, a), v in np.ndenumerate(np.random.default_rng(3).poisson(6, size=(6, 2, 3)))
        ],
        columns=["state", "sex", "age", "count"],
    ).astype({"state": str, "sex": str, "age": str})
    table = build_table(frame, ["state", "sex", "age"])
    doc = protect(table, Rules(k_by_level={})).to_json()
    assert audit_published(doc).safe
    cells = doc["cells"]
    assert isinstance(cells, list)
    values = {tuple(table.cell_labels(i).items()): int(v) for i, v in enumerate(table.values)}
    broken = 0
    for cell in cells:
        if cell["status"] == "secondary":
            key = tuple((c, cell[c]) for c in ("state", "sex", "age"))
            cell["value"], cell["status"] = values[key], "published"
            broken += 1
    assert broken
    assert not audit_published(doc).safe


def test_intervals_do_not_depend_on_the_cores_or_the_split(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A block with many hidden cells is solved on two models in rounds: full intervals are
    those of one model, and the verdict and spans reported do not depend on the cores."""
    frame = pd.DataFrame(
        [
            (s, x, a, v)
            for (s, x, a), v in np.ndenumerate(np.random.default_rng(4).poisson(4, size=(8, 2, 4)))
        ],
        columns=["state", "sex", "age", "count"],
    ).astype({"state": str, "sex": str, "age": str})
    doc = protect(build_table(frame, ["state", "sex", "age"]), Rules(k_by_level={})).to_json()
    broken = json.loads(json.dumps(doc))
    secondary = [c for c in broken["cells"] if c["status"] == "secondary"]
    values = {
        tuple((c, v) for c, v in row.items() if c != "count"): row["count"]
        for row in frame.to_dict("records")
    }
    for cell in secondary[: len(secondary) // 2]:  # some published again: a narrower table
        key = tuple((c, cell[c]) for c in ("state", "sex", "age"))
        if key in values:
            cell["value"], cell["status"] = int(values[key]), "published"
    reports = {}
    for split, cores in ((10_000, 0), (4, 0), (4, 1)):
        monkeypatch.setattr(audit_module, "_SPLIT_FROM", split)
        monkeypatch.setattr(audit_module, "_ROUND", 3)
        monkeypatch.setattr(audit_module, "spare_cores", lambda c=cores: c)
        reports[split, cores] = [
            audit_published(d, lower=1, secondary=full)
            for d in (doc, broken)
            for full in (True, False)
        ]
    one, two, spare = reports[10_000, 0], reports[4, 0], reports[4, 1]
    assert one[0].hidden > 3 * 4 and one[0].safe and not one[2].safe
    for a, b in zip(one[::2], two[::2], strict=True):  # full intervals: the LP optima
        assert a.intervals.keys() == b.intervals.keys()
        assert all(np.allclose(a.intervals[k], b.intervals[k]) for k in a.intervals)
    for a, b in zip(two, spare, strict=True):
        assert a.intervals == b.intervals and a.to_dict()["findings"] == b.to_dict()["findings"]
    assert [r.safe for r in one] == [r.safe for r in two]


def test_inconsistent_published_cells_are_flagged() -> None:
    doc = _doc(_rectangle(), lambda labels, value: False)
    cells = doc["cells"]
    assert isinstance(cells, list)
    next(c for c in cells if c["row"] == "r3" and c["col"] == "c3")["value"] = 10
    assert any("do not add up" in f.reason for f in audit_published(doc).findings)


def test_fast_check_agrees_with_the_intervals() -> None:
    doc = _doc(_rectangle(), lambda c, v: c["row"] == "r1" and c["col"] == "c2")
    full = audit_published(doc)
    fast = audit_published(doc, exact_only=True)
    assert {tuple(f.cell.items()) for f in full.findings} == {
        tuple(f.cell.items()) for f in fast.findings
    }
    assert fast.exact_precheck == 2


def test_determined_cells_finds_pinned_and_null_space_cases() -> None:
    import scipy.sparse as sp

    # z0 + z1 = 2 with L = 1 pins both; z2 + z3 = 5 leaves them free.
    a = sp.csc_matrix(np.array([[1, 1, 0, 0], [0, 0, 1, 1]], dtype=float))
    assert determined_cells(a, np.array([2.0, 5.0]), 1.0).tolist() == [0, 1]
    # Three pair sums determine all three cells.
    b = sp.csc_matrix(np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]], dtype=float))
    assert determined_cells(b, np.array([4.0, 6.0, 6.0]), 0.0).tolist() == [0, 1, 2]
