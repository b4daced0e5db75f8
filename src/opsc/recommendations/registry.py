"""Read the registry: list recommendations with their status, institutions and indicators,
and export them as CSV or JSON for the ministry's follow-up table."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opsc.recommendations.models import (
    STATUSES,
    CoAssignment,
    CoDocument,
    CoIndicatorLink,
    CoParagraph,
    CoUpdate,
)
from opsc.recommendations.similarity import DEFAULT_MIN_SCORE, Candidate, Match, rank
from opsc.recommendations.tracking import DEFAULT_STATUS, TrackingError, find
from opsc.records.institutions import Institution

COLUMNS = (
    "ref",
    "state",
    "symbol",
    "adopted_on",
    "number",
    "label",
    "kind",
    "verb",
    "strength",
    "section",
    "themes",
    "groups",
    "status",
    "institutions",
    "indicators",
    "pairs_with",
    "text",
)
FORMATS = ("csv", "json")


def rows(
    s: Session,
    state: str | None = None,
    theme: str | None = None,
    status: str | None = None,
    symbol: str | None = None,
    kind: str | None = "recommendation",
    institution: str | None = None,
) -> list[dict[str, Any]]:
    """Paragraphs (by default recommendations, sub-items included) matching every filter."""
    if status is not None and status not in STATUSES:
        raise TrackingError(f"status {status!r} is not one of: {', '.join(STATUSES)}")
    query = select(CoParagraph, CoDocument).join(CoDocument)
    if state:
        query = query.where(CoDocument.state == state.upper())
    if symbol:
        query = query.where(CoDocument.symbol == symbol)
    if kind:
        query = query.where(CoParagraph.kind == kind)
    found = list(
        s.execute(query.order_by(CoDocument.symbol, CoParagraph.number, CoParagraph.label))
    )
    ids = [p.id for p, _ in found]
    statuses = _statuses(s, ids)
    insts: dict[int, list[str]] = defaultdict(list)
    for pid, code, role in s.execute(
        select(CoAssignment.paragraph_id, Institution.code, CoAssignment.role)
        .join(Institution)
        .where(CoAssignment.paragraph_id.in_(ids))
        .order_by(CoAssignment.role, Institution.code)
    ):
        insts[pid].append(code if role == "lead" else f"{code} (support)")
    indicators: dict[int, list[str]] = defaultdict(list)
    for pid, indicator in s.execute(
        select(CoIndicatorLink.paragraph_id, CoIndicatorLink.indicator_id).where(
            CoIndicatorLink.paragraph_id.in_(ids)
        )
    ):
        indicators[pid].append(indicator)
    out = []
    for p, d in found:
        row = {
            "ref": p.ref,
            "state": d.state,
            "symbol": d.symbol,
            "adopted_on": d.adopted_on.isoformat() if d.adopted_on else None,
            "number": p.number,
            "label": p.label,
            "kind": p.kind,
            "verb": p.verb,
            "strength": p.strength,
            "section": p.section,
            "themes": p.themes,
            "groups": p.groups,
            "status": statuses.get(p.id, DEFAULT_STATUS),
            "institutions": insts[p.id],
            "indicators": sorted(indicators[p.id]),
            "pairs_with": p.pairs_with,
            "text": p.text,
        }
        if theme and theme not in p.themes:
            continue
        if status and row["status"] != status:
            continue
        if institution and not any(i.split(" ")[0] == institution for i in insts[p.id]):
            continue
        out.append(row)
    return out


def _statuses(s: Session, ids: list[int]) -> dict[int, str]:
    """The current status of each paragraph: its latest approved update that sets one."""
    latest: dict[int, str] = {}
    for pid, value in s.execute(
        select(CoUpdate.paragraph_id, CoUpdate.status)
        .where(
            CoUpdate.paragraph_id.in_(ids),
            CoUpdate.review == "approved",
            CoUpdate.status.is_not(None),
        )
        .order_by(CoUpdate.reviewed_at, CoUpdate.id)
    ):
        if value is not None:
            latest[pid] = value  # later rows overwrite earlier ones
    return latest


def status(s: Session, paragraph: CoParagraph) -> str:
    """The status from the latest approved update that sets one; "not started" otherwise."""
    return _statuses(s, [paragraph.id]).get(paragraph.id, DEFAULT_STATUS)


def export(found: list[dict[str, Any]], fmt: str) -> str:
    """The rows as CSV (lists joined with "; ") or JSON."""
    if fmt == "json":
        return json.dumps(found, ensure_ascii=False, indent=2)
    if fmt != "csv":
        raise TrackingError(f"format {fmt!r} is not one of: {', '.join(FORMATS)}")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in found:
        writer.writerow(
            {
                k: "; ".join(v) if isinstance(v, list) else ("" if v is None else v)
                for k, v in row.items()
            }
        )
    return buffer.getvalue()


def recurring(
    s: Session, ref: str, top: int = 5, min_score: float = DEFAULT_MIN_SCORE
) -> list[Match]:
    """Recommendations in other documents of the registry most similar to `ref`."""
    target = find(s, ref)
    others = s.execute(
        select(CoParagraph, CoDocument.symbol)
        .join(CoDocument)
        .where(
            CoParagraph.kind == "recommendation",
            CoParagraph.label == "",
            CoParagraph.document_id != target.document_id,
        )
    )
    candidates = [
        Candidate(f"{symbol}:{p.number}", p.text, tuple(p.themes)) for p, symbol in others
    ]
    return rank(
        Candidate(target.ref, target.text, tuple(target.themes)), candidates, top, min_score
    )
