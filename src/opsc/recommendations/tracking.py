"""The registry: store parsed documents and follow their recommendations.

Workflow (the SIMORE model): a contributor of a responsible institution proposes an update
(status, actions, evidence); a validator of the same institution approves or rejects it;
only approved updates count towards the status, and every update stays in the history.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opsc.recommendations import references, themes
from opsc.recommendations.document import Document
from opsc.recommendations.models import (
    STATUSES,
    CoAction,
    CoAssignment,
    CoDocument,
    CoEvidence,
    CoIndicatorLink,
    CoParagraph,
    CoUpdate,
)
from opsc.records.base import utcnow
from opsc.records.institutions import Institution, User

DEFAULT_STATUS = STATUSES[0]
PROPOSERS = ("contributor", "validator", "analyst", "admin")
REF = re.compile(r"^(?P<symbol>.+?):(?P<number>\d{1,3})(?:\((?P<label>[a-z])\))?$")


class TrackingError(ValueError):
    """A registry operation that cannot be done; the message says why and what to do."""


@dataclass
class ActionIn:
    description: str
    started_on: date
    ended_on: date | None = None


@dataclass
class EvidenceIn:
    uri: str
    kind: str = "link"  # "link" or "file"
    title: str = ""
    public: bool = False
    sha256: str | None = None

    @classmethod
    def file(cls, path: Path, store: Path, title: str = "", public: bool = False) -> EvidenceIn:
        """Evidence from a local file, copied into `store` under its SHA-256 so the record
        survives the original being moved or deleted; the copy's path is recorded."""
        if not path.is_file():
            raise TrackingError(f"evidence file {path} does not exist")
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        target = store / digest[:2] / f"{digest[:16]}-{path.name}"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return cls(str(target), "file", title or path.name, public, digest)


@dataclass
class Imported:
    document: CoDocument
    created: bool
    paragraphs: int = 0
    recommendations: int = 0
    notes: list[str] = field(default_factory=list)


# -- documents ------------------------------------------------------------------------------
def import_document(s: Session, doc: Document, source_name: str, sha256: str) -> Imported:
    """Store a parsed document with its paragraphs and sub-items; idempotent on the same file."""
    if not doc.symbol or not doc.state:
        raise TrackingError(
            f"{source_name}: the document's symbol or State could not be read from the text; "
            "give them with --symbol (e.g. CRC/C/OPSC/MEX/CO/1) and --state (e.g. MX)"
        )
    existing = s.scalar(select(CoDocument).where(CoDocument.symbol == doc.symbol))
    if existing is not None:
        if existing.source_sha256 == sha256:
            return Imported(existing, created=False, notes=["already imported (same file)"])
        raise TrackingError(
            f"{source_name}: {doc.symbol} is already in the registry from "
            f"{existing.source_name}; a different file for the same symbol is not imported "
            "over it (its tracking would be lost): check the symbol, or give --symbol"
        )
    row = CoDocument(
        symbol=doc.symbol,
        state=doc.state,
        body=doc.body or "CRC",
        instrument=doc.instrument or "OPSC",
        language=doc.language,
        title=doc.title,
        report=doc.report,
        meetings=doc.meetings,
        considered_on=date.fromisoformat(doc.considered_on) if doc.considered_on else None,
        adopted_on=date.fromisoformat(doc.adopted_on) if doc.adopted_on else None,
        session=doc.session,
        source_name=source_name,
        source_sha256=sha256,
    )
    s.add(row)
    result = Imported(row, created=True)
    for p in doc.paragraphs:
        parent = CoParagraph(
            number=p.number,
            label="",
            kind=p.kind,
            verb=p.verb,
            strength=p.strength,
            section=p.section,
            text=p.full_text,
            refs=p.references.as_dict(),
            themes=p.themes,
            groups=p.groups,
            pairs_with=p.pairs_with,
        )
        row.paragraphs.append(parent)
        result.paragraphs += 1
        result.recommendations += p.kind == "recommendation"
        for item in p.subitems:
            refs = references.extract(item.text, row.instrument)
            row.paragraphs.append(
                CoParagraph(
                    number=p.number,
                    label=item.label,
                    kind=p.kind,
                    verb=p.verb,
                    strength=p.strength,
                    section=p.section,
                    text=item.text,
                    refs=refs.as_dict(),
                    themes=themes.themes(p.section, item.text, p.kind),
                    groups=themes.groups(item.text),
                    pairs_with=p.pairs_with,
                    parent=parent,
                )
            )
    s.flush()
    return result


def find(s: Session, ref: str) -> CoParagraph:
    """A paragraph by "SYMBOL:NUMBER" or "SYMBOL:NUMBER(label)", or by its numeric id."""
    if ref.isdigit():
        found = s.get(CoParagraph, int(ref))
    else:
        m = REF.match(ref.strip())
        if not m:
            raise TrackingError(
                f"{ref!r} is not a recommendation reference; write SYMBOL:NUMBER or "
                "SYMBOL:NUMBER(letter), e.g. CRC/C/OPSC/MEX/CO/1:16(c), or the row id"
            )
        found = s.scalar(
            select(CoParagraph)
            .join(CoDocument)
            .where(
                CoDocument.symbol == m["symbol"],
                CoParagraph.number == int(m["number"]),
                CoParagraph.label == (m["label"] or ""),
            )
        )
    if found is None:
        raise TrackingError(f"{ref}: no such paragraph in the registry (import it with co import)")
    return found


# -- people and institutions ----------------------------------------------------------------
def _user(s: Session, username: str) -> User:
    user = s.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise TrackingError(f"user {username!r} does not exist or is not active")
    return user


def institution(s: Session, code: str, country: str | None = None) -> Institution:
    query = select(Institution).where(Institution.code == code)
    if country:
        query = query.where(Institution.country == country)
    found = list(s.scalars(query))
    if len(found) != 1:
        what = "no institution" if not found else f"{len(found)} institutions (give --country)"
        raise TrackingError(f"institution code {code!r}: {what}")
    return found[0]


def assign(
    s: Session,
    ref: str,
    code: str,
    role: str = "lead",
    by: str | None = None,
    country: str | None = None,
) -> CoAssignment:
    """Make an institution responsible (lead or support) for a recommendation."""
    paragraph = _trackable(find(s, ref))
    inst = institution(s, code, country or paragraph.document.state)
    if role not in ("lead", "support"):
        raise TrackingError(f"role {role!r} is not 'lead' or 'support'")
    existing = s.scalar(
        select(CoAssignment).where(
            CoAssignment.paragraph_id == paragraph.id, CoAssignment.institution_id == inst.id
        )
    )
    if existing is not None:
        existing.role = role
        return existing
    row = CoAssignment(
        paragraph_id=paragraph.id,
        institution_id=inst.id,
        role=role,
        assigned_by=_user(s, by).id if by else None,
    )
    s.add(row)
    s.flush()
    return row


def _trackable(paragraph: CoParagraph) -> CoParagraph:
    if paragraph.kind != "recommendation":
        raise TrackingError(
            f"{paragraph.ref} is a {paragraph.kind} paragraph; only recommendations are "
            "tracked (use the recommendation that answers it"
            + (f", paragraph {paragraph.pairs_with}" if paragraph.pairs_with else "")
            + ")"
        )
    return paragraph


def _assigned(s: Session, paragraph: CoParagraph) -> list[int]:
    return list(
        s.scalars(
            select(CoAssignment.institution_id).where(CoAssignment.paragraph_id == paragraph.id)
        )
    )


# -- updates and review ---------------------------------------------------------------------
def propose(
    s: Session,
    ref: str,
    username: str,
    status: str | None = None,
    note: str = "",
    actions: list[ActionIn] | None = None,
    evidence: list[EvidenceIn] | None = None,
    institution_code: str | None = None,
) -> CoUpdate:
    """Record a proposed update; it counts only once a validator approves it."""
    paragraph = _trackable(find(s, ref))
    user = _user(s, username)
    if user.role not in PROPOSERS:
        raise TrackingError(
            f"user {username} has role {user.role!r}; updates come from {PROPOSERS}"
        )
    if status is not None and status not in STATUSES:
        raise TrackingError(f"status {status!r} is not one of: {', '.join(STATUSES)}")
    if status is None and not note and not actions and not evidence:
        raise TrackingError("an update needs a status, a note, an action or evidence")
    assigned = _assigned(s, paragraph)
    if institution_code:
        inst_id = institution(s, institution_code, paragraph.document.state).id
    elif user.institution_id is not None:
        inst_id = user.institution_id
    elif len(assigned) == 1:
        inst_id = assigned[0]
    else:
        raise TrackingError(f"say for which institution {username} reports (--institution)")
    if inst_id not in assigned:
        raise TrackingError(
            f"{paragraph.ref} is not assigned to that institution; assign it first "
            "(recs assign) or report for an assigned one"
        )
    if user.role in ("contributor", "validator") and user.institution_id != inst_id:
        raise TrackingError(f"{username} belongs to another institution and cannot report for it")
    for e in evidence or []:
        if e.kind not in ("link", "file"):
            raise TrackingError(f"evidence kind {e.kind!r} is not 'link' or 'file'")
    update = CoUpdate(
        paragraph_id=paragraph.id,
        institution_id=inst_id,
        status=status,
        note=note,
        proposed_by=user.id,
        actions=[
            CoAction(description=a.description, started_on=a.started_on, ended_on=a.ended_on)
            for a in actions or []
        ],
        evidence=[
            CoEvidence(kind=e.kind, uri=e.uri, sha256=e.sha256, title=e.title, public=e.public)
            for e in evidence or []
        ],
    )
    s.add(update)
    s.flush()
    return update


def review(s: Session, update_id: int, username: str, approve: bool, note: str = "") -> CoUpdate:
    """Approve or reject a pending update: by a validator of its institution (or an admin),
    never by the person who proposed it."""
    update = s.get(CoUpdate, update_id)
    if update is None:
        raise TrackingError(f"update {update_id} does not exist")
    if update.review != "pending":
        raise TrackingError(f"update {update_id} is already {update.review}")
    user = _user(s, username)
    if user.role == "admin":
        pass
    elif user.role != "validator" or user.institution_id != update.institution_id:
        raise TrackingError(
            f"{username} cannot review update {update_id}: only a validator of the reporting "
            "institution (or an admin) can"
        )
    if user.id == update.proposed_by:
        raise TrackingError(
            f"{username} proposed update {update_id}; another person must review it"
        )
    update.review = "approved" if approve else "rejected"
    update.reviewed_by, update.reviewed_at, update.review_note = user.id, utcnow(), note
    s.flush()
    return update


def history(s: Session, ref: str) -> list[dict[str, Any]]:
    """Every update of a recommendation, oldest first, with its review state."""
    paragraph = find(s, ref)
    users = {u.id: u.username for u in s.scalars(select(User))}
    insts = {i.id: i.code for i in s.scalars(select(Institution))}
    rows = s.scalars(
        select(CoUpdate).where(CoUpdate.paragraph_id == paragraph.id).order_by(CoUpdate.id)
    )
    return [
        {
            "update": u.id,
            "institution": insts[u.institution_id],
            "status": u.status,
            "note": u.note,
            "proposed_by": users[u.proposed_by],
            "proposed_at": u.proposed_at.isoformat(timespec="seconds"),
            "review": u.review,
            "reviewed_by": users.get(u.reviewed_by) if u.reviewed_by else None,
            "reviewed_at": u.reviewed_at.isoformat(timespec="seconds") if u.reviewed_at else None,
            "actions": [
                {
                    "description": a.description,
                    "started_on": a.started_on.isoformat(),
                    "ended_on": a.ended_on.isoformat() if a.ended_on else None,
                }
                for a in u.actions
            ],
            "evidence": [
                {"kind": e.kind, "uri": e.uri, "title": e.title, "public": e.public}
                for e in u.evidence
            ],
        }
        for u in rows
    ]


def link_indicator(s: Session, ref: str, indicator_id: str, note: str = "") -> CoIndicatorLink:
    """Link a recommendation to an indicator of the statistics layer."""
    paragraph = _trackable(find(s, ref))
    existing = s.scalar(
        select(CoIndicatorLink).where(
            CoIndicatorLink.paragraph_id == paragraph.id,
            CoIndicatorLink.indicator_id == indicator_id,
        )
    )
    if existing is not None:
        existing.note = note or existing.note
        return existing
    link = CoIndicatorLink(paragraph_id=paragraph.id, indicator_id=indicator_id, note=note)
    s.add(link)
    s.flush()
    return link
