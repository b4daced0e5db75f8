"""Submit a file: validate it, then import it in one transaction — all rows or none.

The same bytes sent twice are a no-op (SHA-256 of the file). A different file for the same
institution, contract and period supersedes the earlier one: rows with the same agency id
are updated in place (so records that refer to them stay valid), new ones are inserted,
missing ones deleted, and the earlier submission stays in the store marked `superseded`;
its rows as they were go to `record_archive`, each marked unchanged, updated or deleted
(`opsc.intake.archive`).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, Table, select
from sqlalchemy.exc import IntegrityError

from opsc.intake.archive import archive_superseded, mark_changes
from opsc.intake.contracts import Contract
from opsc.intake.errors import ErrorRecord
from opsc.intake.load import load_rows
from opsc.intake.validate import Report, validate_file
from opsc.records.institutions import Institution, Submission
from opsc.reference import load_profile


class SubmitError(ValueError):
    """A submission that cannot start (unknown institution, bad period); message says why."""


@dataclass
class SubmitResult:
    status: str  # imported / unchanged / rejected
    submission_id: int | None
    report: Report
    rows: int = 0
    superseded: list[int] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def submit_file(
    engine: Engine,
    path: Path,
    contract: Contract,
    *,
    country: str,
    institution: str,
    period: tuple[date, date],
    synthetic: bool = False,
    today: date | None = None,
) -> SubmitResult:
    """Validate `path` and import it atomically for `institution` (its code) and `period`."""
    if period[1] < period[0]:
        raise SubmitError(f"period ends ({period[1]}) before it starts ({period[0]})")
    profile = load_profile(country)
    sha = file_sha256(path) if path.is_file() else ""
    with engine.begin() as conn:
        inst = conn.execute(
            select(Institution.id).where(
                Institution.country == profile.code, Institution.code == institution
            )
        ).scalar()
        if inst is None:
            raise SubmitError(
                f"Institution {institution!r} is not registered for {profile.code}; register it "
                "first (manifest institutions file). / La institución no está registrada."
            )
        same = conn.execute(
            select(Submission.id, Submission.status).where(
                Submission.institution_id == inst,
                Submission.contract == contract.name,
                Submission.file_sha256 == sha,
            )
        ).first()
        if same is not None and same.status in ("imported", "superseded"):
            report = Report(contract.name, str(path))
            report.notes.append(f"identical to submission {same.id}: nothing to do")
            return SubmitResult("unchanged", same.id, report)
        replaced = [
            r[0]
            for r in conn.execute(
                select(Submission.id).where(
                    Submission.institution_id == inst,
                    Submission.contract == contract.name,
                    Submission.period_start == period[0],
                    Submission.period_end == period[1],
                    Submission.status == "imported",
                )
            )
        ]
        validation = validate_file(
            path,
            contract,
            profile,
            store=conn,
            institution_id=inst,
            replaced=tuple(replaced),
            period=period,
            today=today,
        )
        try:
            report = validation.report
            values = {
                "institution_id": inst,
                "contract": contract.name,
                "contract_version": contract.version,
                "period_start": period[0],
                "period_end": period[1],
                "file_name": path.name[:300],
                "file_sha256": sha,
                "row_count": report.rows,
                "error_count": report.error_count,
                "synthetic": synthetic,
            }
            sub_table: Table = Submission.__table__  # type: ignore[assignment]
            if same is not None:  # an earlier rejected copy of the same bytes: reuse its row
                sub_id = same.id
                conn.execute(sub_table.update().where(sub_table.c.id == sub_id), values)
            else:
                sub_id = conn.execute(sub_table.insert().values(status="received", **values))
                sub_id = sub_id.inserted_primary_key[0]  # type: ignore[index]
            if not report.ok or validation.con is None:
                conn.execute(
                    sub_table.update().where(sub_table.c.id == sub_id),
                    {"status": "rejected", "note": _counts_note(report)},
                )
                return SubmitResult("rejected", sub_id, report)
            nested = conn.begin_nested()
            clock = time.perf_counter()
            try:
                archive_superseded(conn, contract, replaced, sub_id)
                rows = load_rows(
                    conn, validation.con, contract, sub_id, inst, profile.code, replaced
                )
                changes = mark_changes(conn, contract, sub_id) if replaced else {}
                nested.commit()
                report.timings["load"] = time.perf_counter() - clock
            except IntegrityError as exc:
                nested.rollback()
                report.add(
                    [ErrorRecord("still-referenced", params={"reason": str(exc.orig)[:200]})]
                )
                conn.execute(
                    sub_table.update().where(sub_table.c.id == sub_id),
                    {"status": "rejected", "note": _counts_note(report)},
                )
                return SubmitResult("rejected", sub_id, report)
            changed = ", ".join(f"{v} {k}" for k, v in changes.items())
            for old in replaced:
                conn.execute(
                    sub_table.update().where(sub_table.c.id == old),
                    {
                        "status": "superseded",
                        "note": f"superseded by submission {sub_id}"
                        + (f" (rows: {changed}; old values in record_archive)" if changed else ""),
                    },
                )
            conn.execute(
                sub_table.update().where(sub_table.c.id == sub_id),
                {"status": "imported", "row_count": rows},
            )
            return SubmitResult("imported", sub_id, report, rows, replaced)
        finally:
            validation.close()


def _counts_note(report: Report) -> str:
    return "errors: " + ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items()))
