"""Secondary suppression internals: the protection asked of primaries, local witnesses,
and publishing back (on all hidden cells for small systems, on neighbourhoods for large)."""

from __future__ import annotations

import random
import sys
import threading
import time
from typing import Any

import numpy as np
import pandas as pd
import pytest

import opsc.disclosure.heuristic as heuristic
import opsc.disclosure.localback as localback
import opsc.disclosure.lookahead as lookahead
import opsc.disclosure.protect  # noqa: F401  (the package re-exports a function of that name)
from opsc.disclosure import Rules, audit_published, build_table, protect
from opsc.disclosure.cleanup import publish_back
from opsc.disclosure.heuristic import Perturber, suppress_heuristic
from opsc.disclosure.local import LocalWitness
from opsc.disclosure.localback import NeighbourhoodRoom, primary_left_alone, publish_back_local
from opsc.disclosure.primary import Requirements, requirements
from opsc.disclosure.table import Table, link

protect_module = sys.modules["opsc.disclosure.protect"]

_RULES = Rules(k=5, max_suppressed_share=1.0, exact_max_size=0)


def _table(seed: int = 3, states: int = 6, mean: float = 4.0) -> Table:
    rng = np.random.default_rng(seed)
    rows = [
        (f"{s:02d}", sex, age, int(rng.poisson(mean)))
        for s in range(1, states + 1)
        for sex in ("F", "M")
        for age in ("0-11", "12-14", "15-17")
    ]
    frame = pd.DataFrame(rows, columns=["state", "sex", "age_band", "count"])
    return build_table(frame, ["state", "sex", "age_band"])


def test_primaries_fall_as_far_as_the_attacker_bound_allows() -> None:
    frame = pd.DataFrame(
        [("01", "F", 1), ("01", "M", 3), ("02", "F", 4), ("02", "M", 20)],
        columns=["state", "sex", "count"],
    )
    system = link([build_table(frame, ["state", "sex"])])
    at = {tuple(v for _, v in key): j for j, key in enumerate(system.keys)}
    f1, m1, f2, state1 = at[("F", "01")], at[("M", "01")], at[("F", "02")], at[("01",)]
    req = requirements(system, Rules(k=5))  # P = 5, L = 1

    def asked(r: Requirements, j: int) -> tuple[int, int]:
        return int(r.down[j]), int(r.up[j])

    # A count of 1 cannot fall at all once the attacker knows hidden cells are ≥ 1; the
    # others fall as far as that bound allows and rise by the rest of P.
    assert [asked(req, j) for j in (f1, m1, f2)] == [(0, 5), (2, 3), (3, 2)]
    # The margin of state 01 (1 + 3 = 4) sums two non-zero cells: it cannot fall below 2.
    assert asked(req, state1) == (2, 3)
    zero_bound = requirements(system, Rules(k=5), lower=0)
    assert zero_bound.lower == 0
    assert [asked(zero_bound, j) for j in (f1, state1)] == [(1, 4), (4, 1)]


def test_a_local_witness_never_moves_the_forbidden_cell() -> None:
    system = link([_table()])
    req = requirements(system, Rules(k=5))
    lp = Perturber(system, req, req.primary)
    local = LocalWitness(lp)
    cell = int(np.flatnonzero(req.primary & (req.up > 0))[0])
    move = (cell, cell)
    free = local.witness(move)
    assert free is not None
    assert np.abs(system.matrix @ free).max() < 1e-6
    assert free[cell] == pytest.approx(req.up[cell])
    other = int(next(j for j in np.flatnonzero(np.abs(free) > 1e-7) if j != cell))
    rerouted = local.witness(move, forbidden=other)
    if rerouted is not None:  # another route exists: it must avoid the forbidden cell
        assert rerouted[other] == 0.0
        assert np.abs(system.matrix @ rerouted).max() < 1e-6
        assert rerouted[cell] == pytest.approx(req.up[cell])


def test_large_system_path_with_local_witnesses_is_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Systems above LOCAL_ABOVE cells search and publish back on neighbourhoods: force that path
    on a small table and check the result with the independent audit at L = 1."""
    monkeypatch.setattr(heuristic, "LOCAL_ABOVE", 0)
    table = _table(seed=11, states=8, mean=5.0)
    result = protect(table, Rules(k=5, max_suppressed_share=1.0, exact_max_size=0))
    assert result.method.startswith("heuristic")
    assert result.loss.suppressed > result.loss.primary > 0
    assert audit_published(result.to_json(), lower=1).safe


def test_the_start_that_ignores_l_is_kept_only_when_cheaper_and_safe() -> None:
    table = _table(seed=1, states=32, mean=6.0)  # with P = 1 that start wins here
    system = link([table])
    methods = []
    for rules in (Rules(k=5, p=1, max_suppressed_share=1.0), Rules(k=5, max_suppressed_share=1.0)):
        plain = suppress_heuristic(system, requirements(system, rules)).hidden
        result = protect(table, rules)
        methods.append(result.method)
        assert result.loss.suppressed <= int(plain.sum())
        assert audit_published(result.to_json(), lower=1).safe
        if "L = 0 start" in result.method:
            assert result.loss.suppressed < int(plain.sum())
    assert "L = 0 start" in methods[0]


def test_publishing_back_shows_cells_the_fixed_split_kept_hidden() -> None:
    """The construction asks each primary a fixed rise and fall; the audit asks only a
    width of P. On this table the clean-up publishes cells again and the audit agrees."""
    system = link([_table(seed=5, states=10)])
    found = suppress_heuristic(system, requirements(system, _RULES), prune_seconds=0.0)
    hidden = publish_back(system, found.req, found.hidden, witnesses=found.witnesses, budget=10_000)
    assert hidden.sum() < found.hidden.sum()
    assert not (hidden & ~found.hidden).any()
    result = protect(system.tables, _RULES)
    assert result.loss.suppressed == int(hidden.sum())
    assert result.audit is not None and result.audit.safe


def test_publishing_back_stops_at_its_budget() -> None:
    system = link([_table(seed=5, states=10)])
    found = suppress_heuristic(system, requirements(system, _RULES), prune_seconds=0.0)
    same = publish_back(system, found.req, found.hidden, witnesses=found.witnesses, budget=0)
    assert (same == found.hidden).all()


def test_the_exact_model_never_returns_an_unverified_pattern() -> None:
    """Found by hypothesis: 4 = (1 + 1) + (1 + 1) with every cell but the total primary.
    Publishing the total lets the attacker recover every cell (each is at least 1)."""
    frame = pd.DataFrame(
        [("c0", "c0.0", 1), ("c0", "c0.1", 1), ("c1", "c1.0", 1), ("c1", "c1.1", 1)],
        columns=["d0", "sub", "count"],
    )
    table = build_table(frame, ["d0"], hierarchy=[("d0", "sub")])
    rules = Rules(k=4, k_by_level={}, max_suppressed_share=1.0, exact_max_size=40)
    result = protect(table, rules)
    assert result.audit is not None and result.audit.safe
    assert result.loss.suppressed == 7


def test_local_alternatives_prefer_codes_whose_path_is_already_hidden() -> None:
    """The state a move swaps with comes first when its cells on the move's path (own sex
    or total, own age or total) are hidden; among the rest, the one holding least."""
    system = link([_table(seed=2, states=6, mean=8.0)])
    req = requirements(system, Rules(k=5))
    lp = Perturber(system, req, np.zeros(system.n, dtype=np.bool_))
    local = LocalWitness(lp)
    at = {key: j for j, key in enumerate(system.keys)}
    cell = at[(("age_band", "12-14"), ("sex", "F"), ("state", "02"))]
    names = {code: name for name, code in local.names["state"].items()}

    def path_value(state: str) -> int:
        path = [
            (("age_band", "12-14"), ("sex", "F"), ("state", state)),
            (("age_band", "12-14"), ("state", state)),
            (("sex", "F"), ("state", state)),
            (("state", state),),
        ]
        return sum(int(system.values[at[key]]) for key in path)

    ranked = [names[c] for c in local._alternatives(cell, "state", 5)]
    assert "02" not in ranked and len(ranked) == 5
    assert [path_value(s) for s in ranked] == sorted(path_value(s) for s in ranked)
    last = ranked[-1]
    lp.hidden[at[(("age_band", "12-14"), ("state", last))]] = True
    assert names[local._alternatives(cell, "state", 5)[0]] == last


def test_publishing_back_on_neighbourhoods_shows_cells_and_stops_at_its_budget() -> None:
    """Large tables check each primary on the hidden cells around it: on this table that
    publishes cells again, the audit agrees, and with no budget nothing changes."""
    system = link([_table(seed=5, states=10)])
    found = suppress_heuristic(system, requirements(system, _RULES), prune_seconds=0.0)
    local = LocalWitness(Perturber(system, found.req, found.hidden))
    hidden, _ = publish_back_local(local, found.hidden, found.witnesses, budget=10_000)
    assert hidden.sum() < found.hidden.sum()
    assert not (hidden & ~found.hidden).any()
    same, _ = publish_back_local(local, found.hidden, found.witnesses, budget=0)
    assert (same == found.hidden).all()


def test_known_moves_show_every_primary_cell_of_the_construction_pattern() -> None:
    """The construction's perturbations, stretched within the LPs' bounds, show each primary
    cell's whole width through its pattern (each move was met by one of them); a move
    through a cell published again no longer counts."""
    system = link([_table(seed=5, states=10)])
    found = suppress_heuristic(system, requirements(system, _RULES), prune_seconds=0.0)
    local = LocalWitness(Perturber(system, found.req, found.hidden))
    known = localback.KnownMoves(local, found.moves)
    width = found.req.up + found.req.down
    for primary in np.flatnonzero(found.req.primary).tolist():
        reach, support = known.width(primary, found.hidden)
        assert reach >= width[primary] - 1e-6
        assert found.hidden[support].all() and primary in support.tolist()
    primary = int(np.flatnonzero(found.req.primary)[0])
    hidden = found.hidden.copy()
    for k in known.of[primary]:  # one other cell of each move published again
        cells = known.moves[k][0]
        hidden[cells[cells != primary][0]] = False
    assert known.width(primary, hidden)[0] == 0.0


def test_publishing_back_is_the_same_with_or_without_a_spare_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fall solved on a worker beside the rise is dropped, and not counted, when the
    rise is enough: however late it answers, the cells shown again and the LPs counted
    against the budget are those of solving one after the other."""
    system = link([_table(seed=5, states=10)])
    found = suppress_heuristic(system, requirements(system, _RULES), prune_seconds=0.0)
    fall = localback.NeighbourhoodRoom._fall
    delays = random.Random(1)

    def late(self: localback.NeighbourhoodRoom, *args: Any) -> Any:
        time.sleep(delays.uniform(0.0, 0.004))  # answers arrive out of step
        return fall(self, *args)

    monkeypatch.setattr(localback.NeighbourhoodRoom, "_fall", late)
    by_budget = {}
    for budget in (10_000, 30, 60):
        shown = []
        for cores in (0, 1):
            monkeypatch.setattr(localback, "spare_cores", lambda c=cores: c)
            local = LocalWitness(Perturber(system, found.req, found.hidden))
            shown.append(
                publish_back_local(
                    local, found.hidden, found.witnesses, budget=budget, moves=found.moves
                )[0]
            )
        assert (shown[0] == shown[1]).all()
        by_budget[budget] = int(shown[0].sum())
    # The budget binds here, so an LP counted differently would change what is shown.
    assert by_budget[10_000] < by_budget[60] < by_budget[30]
    # Primary by primary: the same reach, cells moved and LPs counted, the fall solved
    # or not (a rise alone enough, or short).
    width = (found.req.up + found.req.down).astype(np.float64)
    counted = set()
    for cell in np.flatnonzero(found.hidden & ~found.req.primary).tolist()[:8]:
        hidden = found.hidden.copy()
        hidden[cell] = False
        rooms = []
        for cores in (0, 1):
            monkeypatch.setattr(localback, "spare_cores", lambda c=cores: c)
            rooms.append(
                NeighbourhoodRoom(LocalWitness(Perturber(system, found.req, hidden)), hidden)
            )
        try:
            for primary in np.flatnonzero(found.req.primary).tolist():
                (one, moved_one), (two, moved_two) = (
                    r.width(primary, width[primary]) for r in rooms
                )
                assert one == pytest.approx(two) and (moved_one == moved_two).all()
                assert rooms[0].solves == rooms[1].solves
        finally:
            for room in rooms:
                room.close()
        counted.add(rooms[0].solves)
    assert len(counted) > 1


def test_large_system_path_publishes_back_and_passes_the_audit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(heuristic, "LOCAL_ABOVE", 0)
    monkeypatch.setattr(protect_module, "LOCAL_ABOVE", 0)
    table = _table(seed=5, states=10)
    hidden = []
    for lps in (0.0, 20.0):
        monkeypatch.setattr(protect_module, "_LOCAL_BACK_LPS", lps)
        result = protect(table, _RULES)
        assert result.audit is not None and result.audit.safe
        hidden.append(result.loss.suppressed)
    assert hidden[1] < hidden[0]


def test_stretch_scales_a_perturbation_to_its_tightest_cell() -> None:
    y = np.array([1.0, -1.0, 0.0])
    up = np.array([4.0, 3.0, 0.0])
    down = np.array([1.0, 2.0, 0.0])
    # forwards: cell 0 may rise to 4, cell 1 fall to 2 → 2; backwards: cell 0 may fall 1
    assert heuristic.stretch(y, up, down) == (2.0, 1.0)
    assert heuristic.stretch(y, up, np.array([0.0, 2.0, 0.0]))[1] == 0.0  # no way back


def test_publishing_back_skips_only_cells_that_would_leave_a_primary_alone() -> None:
    """The check without an LP: a secondary cell is skipped when an equation through it would
    keep a single hidden cell, a primary one; that primary cell then cannot move at all."""
    system = link([_table(seed=5, states=10)])
    found = suppress_heuristic(system, requirements(system, _RULES), prune_seconds=0.0)
    local = LocalWitness(Perturber(system, found.req, found.hidden))
    rows = local.matrix.tocsr()
    skipped = 0
    for cell in np.flatnonzero(found.hidden & ~found.req.primary).tolist():
        hidden = found.hidden.copy()
        hidden[cell] = False
        alone = primary_left_alone(local, rows, hidden, cell)
        if alone < 0:
            continue
        skipped += 1
        assert found.req.primary[alone] and hidden[alone]
        reach, _ = NeighbourhoodRoom(local, hidden).width(alone, 1.0)
        assert reach < 1e-6
    assert skipped > 0


def test_deepest_fall_is_not_outweighed_by_large_counts() -> None:
    """The fall of a primary cell is found whatever the counts around it: with a fixed
    weight on the fall, cells of 20,000 made it look as if the cell could not fall."""
    frame = pd.DataFrame(
        [("A", "x", 3), ("A", "y", 20_000), ("B", "x", 20_000), ("B", "y", 20_000)],
        columns=["region", "group", "count"],
    )
    system = link([build_table(frame, ["region", "group"])])
    req = requirements(system, Rules(k=5))
    primary = int(np.flatnonzero(req.primary)[0])
    lp = Perturber(system, req, req.primary.copy())
    assert lp.deepest_fall(primary) == pytest.approx(2.0)  # 3 down to L = 1
    # The costs are restored: the next witness still prefers hidden cells.
    assert lp.perturbation((primary, primary)) is not None


def test_the_pattern_is_the_same_on_any_number_of_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Moves solved ahead on spare cores are taken by a rule that depends only on their
    answers: with or without those cores, and however late the workers answer, the
    construction hides the same cells for the same reasons."""
    monkeypatch.setattr(heuristic, "LOCAL_ABOVE", 0)
    system = link([_table(seed=5, states=12, mean=4.0)])
    req = requirements(system, Rules(k=5))
    taken: list[tuple[int, int]] = []
    close = lookahead.Lookahead.close

    def counted(self: lookahead.Lookahead) -> None:
        taken.append((self.taken, self.resolved))
        close(self)

    answer = LocalWitness.answer
    delays = random.Random(0)
    delayed = []

    def late(self: LocalWitness, *args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name.startswith("opsc-lookahead"):
            delayed.append(1)
            time.sleep(delays.uniform(0.0, 0.004))  # answers arrive out of step
        return answer(self, *args, **kwargs)

    monkeypatch.setattr(lookahead.Lookahead, "close", counted)
    monkeypatch.setattr(LocalWitness, "answer", late)
    patterns = []
    for cores in (0, 1, 1):
        monkeypatch.setattr(lookahead, "spare_cores", lambda c=cores: c)
        patterns.append(suppress_heuristic(system, req))
    assert delayed  # the workers' answers were late
    # Answers solved ahead were used, and some solved again warm: the same on any cores.
    assert taken[0] == taken[1] == taken[2] and taken[0][0] > 0 and taken[0][1] > 0
    first = patterns[0]
    for other in patterns[1:]:
        assert (other.hidden == first.hidden).all()
        assert (other.req.up == first.req.up).all() and (other.req.down == first.req.down).all()
        assert other.witnesses.keys() == first.witnesses.keys()
        assert all((other.witnesses[m] == w).all() for m, w in first.witnesses.items())


def test_an_answer_solved_ahead_on_an_older_pattern_is_solved_again_warm(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An answer solved on an older pattern is taken as it is when it moves hidden cells
    only; otherwise its LP is solved again from its basis on the costs and requirement now."""
    monkeypatch.setattr(lookahead, "spare_cores", lambda: 0)
    system = link([_table()])
    req = requirements(system, Rules(k=5))
    lp = Perturber(system, req, req.primary)
    ahead = lookahead.Lookahead(LocalWitness(lp))
    cell = int(np.flatnonzero(req.primary & (req.up > 0))[0])
    assert ahead.take(8, version=0) == (False, None)  # never started
    ahead.start(7, (cell, cell), version=0)
    ready, first = ahead.take(7, version=0)  # nothing changed: taken as it is
    assert ready and first is not None and ahead.resolved == 0
    route = np.abs(first) > 1e-7
    assert not lp.hidden[route].all()  # it needs published cells

    def cost(y: np.ndarray) -> float:
        return float(lp.unit_costs() @ np.abs(y))

    # Cells hidden since, off its route: a cheaper route opens, and the warm LP takes it.
    ahead.start(7, (cell, cell), version=0)
    lp.hidden |= ~route
    ready, y = ahead.take(7, version=1)
    assert ready and y is not None and ahead.resolved == 1
    assert cost(y) < cost(first) - 0.5
    assert np.abs(system.matrix @ y).max() < 1e-7 and y[cell] == pytest.approx(req.up[cell])
    # A raised requirement (the deepest-fall path moves the rest of P upwards) is met too.
    lp.hide(np.flatnonzero(np.abs(y) > 1e-7))
    lp.hidden[:] = req.primary
    lp.hidden[cell] = True
    ahead.start(7, (cell, cell), version=2)
    lp.req.up[cell] += 1
    ready, y = ahead.take(7, version=3)
    assert ready and y is not None and y[cell] == pytest.approx(req.up[cell])
    # Through hidden cells only, an answer going further than needed stays a witness as it is.
    ahead.start(7, (cell, cell), version=3)
    lp.hidden[:] = True
    lp.req.up[cell] -= 2
    ready, y = ahead.take(7, version=4)
    assert ready and y is not None and y[cell] == pytest.approx(req.up[cell] + 2)
    assert ahead.resolved == 2


def test_two_moves_are_solved_ahead_at_once_and_skipped_ones_are_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The loop starts the next move while it waits for this one: both stay pending, each
    is taken at its own turn, and a move the loop skipped (its answer found meanwhile) is
    discarded."""
    monkeypatch.setattr(lookahead, "spare_cores", lambda: 1)
    system = link([_table()])
    req = requirements(system, Rules(k=5))
    lp = Perturber(system, req, req.primary)
    ahead = lookahead.Lookahead(LocalWitness(lp))
    try:
        cells = np.flatnonzero(req.primary & (req.up > 0))[:3].tolist()
        for at, cell in zip((3, 5, 8), cells, strict=True):
            ahead.start(at, (cell, cell), version=0)
        assert sorted(ahead.pending) == [3, 5, 8]
        ready, y = ahead.take(3, version=0)
        assert ready and y is not None and y[cells[0]] == pytest.approx(req.up[cells[0]])
        ahead.discard(5)  # skipped
        ready, y = ahead.take(8, version=0)
        assert ready and y is not None and y[cells[2]] == pytest.approx(req.up[cells[2]])
        assert ahead.pending == {} and ahead.taken == 2
    finally:
        ahead.close()
