"""Clerical review: uncertain pairs with the evidence of each comparison, and decisions.

A pair between the run's two review thresholds is shown with the match weight each
comparison contributed (log2 of its Bayes factor: positive for agreement, negative for
disagreement). An analyst's decision is stored; later runs join accepted pairs and never
join rejected ones directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from opsc.linkage.errors import LinkageError
from opsc.linkage.models import DECISIONS, LinkageDecision, LinkagePair
from opsc.linkage.runs import _run
from opsc.records import session
from opsc.records.base import utcnow


@dataclass(frozen=True)
class ReviewPair:
    record_l: int
    record_r: int
    match_probability: float
    match_weight: float
    weights: dict[str, float]
    decision: str | None


def review_pairs(
    engine: Engine, run_id: int | None = None, limit: int = 50, undecided_only: bool = True
) -> tuple[int, list[ReviewPair]]:
    """(run id, uncertain pairs of the run), closest to a coin toss first."""
    run = _run(engine, run_id)
    with engine.connect() as conn:
        decided = {
            (a, b): d
            for a, b, d in conn.execute(
                select(
                    LinkageDecision.record_l, LinkageDecision.record_r, LinkageDecision.decision
                ).where(LinkageDecision.entity == run.entity)
            )
        }
        rows = conn.execute(select(LinkagePair).where(LinkagePair.run_id == run.id)).all()
    pairs = [
        ReviewPair(
            r.record_l,
            r.record_r,
            r.match_probability,
            r.match_weight,
            dict(r.weights),
            decided.get((r.record_l, r.record_r)),
        )
        for r in rows
    ]
    if undecided_only:
        pairs = [p for p in pairs if p.decision is None]
    pairs.sort(key=lambda p: (abs(p.match_weight), p.record_l, p.record_r))
    return run.id, pairs[:limit]


def decide(
    engine: Engine,
    record_a: int,
    record_b: int,
    decision: str,
    analyst: str,
    note: str = "",
    entity: str = "victim",
    run_id: int | None = None,
) -> None:
    """Store (or replace) an analyst's decision on a pair of records."""
    if decision not in DECISIONS:
        raise LinkageError(f"decision {decision!r} must be one of: {', '.join(DECISIONS)}")
    if record_a == record_b:
        raise LinkageError(f"a record ({record_a}) cannot be paired with itself")
    if not analyst.strip():
        raise LinkageError("say who decides (--analyst NAME): decisions are audited")
    lo, hi = sorted((record_a, record_b))
    with session(engine) as s:
        row = s.get(LinkageDecision, (entity, lo, hi))
        if row is None:
            row = LinkageDecision(entity=entity, record_l=lo, record_r=hi)
            s.add(row)
        row.decision = decision
        row.analyst = analyst
        row.note = note
        row.run_id = run_id
        row.decided_at = utcnow()
