"""Store tables for concluding observations and the follow-up of their recommendations.

A document has paragraphs; a paragraph's sub-items are paragraphs too (with a `label` and a
`parent_id`), so a ministry can follow MX 16(c) apart from MX 16. Institutions are assigned
to paragraphs; progress is recorded as updates (status, actions, evidence) that a contributor
proposes and the institution's validator approves: only approved updates count (the SIMORE
model), and every update is kept as history.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opsc.records.base import Base, utcnow

# The status vocabulary, in the order a recommendation usually moves through it.
STATUSES = (
    "not started",
    "in progress",
    "partially implemented",
    "implemented",
    "not implemented",
    "no longer relevant",
)
REVIEW_STATES = ("pending", "approved", "rejected")
_STATUS_LIST = ", ".join(f"'{s}'" for s in STATUSES)


class CoDocument(Base):
    """One concluding-observations document (one State, one body, one cycle)."""

    __tablename__ = "co_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    symbol: Mapped[str] = mapped_column(String(60), unique=True)
    state: Mapped[str] = mapped_column(String(2), index=True)
    body: Mapped[str] = mapped_column(String(20))
    instrument: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(Text)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    meetings: Mapped[dict[str, Any]] = mapped_column(JSON)
    considered_on: Mapped[date | None]
    adopted_on: Mapped[date | None]
    session: Mapped[str | None] = mapped_column(String(80))
    source_name: Mapped[str] = mapped_column(String(300))
    source_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    paragraphs: Mapped[list[CoParagraph]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="CoParagraph.id"
    )


class CoParagraph(Base):
    """A numbered paragraph, or one of its sub-items (label "a", "b", ...)."""

    __tablename__ = "co_paragraph"
    __table_args__ = (UniqueConstraint("document_id", "number", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("co_document.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("co_paragraph.id"))
    number: Mapped[int]
    label: Mapped[str] = mapped_column(String(4), default="")  # "" for the whole paragraph
    kind: Mapped[str] = mapped_column(String(20), index=True)
    verb: Mapped[str | None] = mapped_column(String(40))
    strength: Mapped[int | None]
    section: Mapped[list[str]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    refs: Mapped[dict[str, Any]] = mapped_column(JSON)
    themes: Mapped[list[str]] = mapped_column(JSON)
    groups: Mapped[list[str]] = mapped_column(JSON)
    pairs_with: Mapped[int | None]  # number of the concern paragraph it answers

    document: Mapped[CoDocument] = relationship(back_populates="paragraphs")
    parent: Mapped[CoParagraph | None] = relationship(remote_side="CoParagraph.id")

    @property
    def ref(self) -> str:
        """How people cite it: "CRC/C/OPSC/MEX/CO/1:16(c)"."""
        label = f"({self.label})" if self.label else ""
        return f"{self.document.symbol}:{self.number}{label}"


class CoAssignment(Base):
    """An institution responsible (lead or support) for following up a paragraph."""

    __tablename__ = "co_assignment"
    __table_args__ = (
        UniqueConstraint("paragraph_id", "institution_id"),
        CheckConstraint("role IN ('lead', 'support')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paragraph_id: Mapped[int] = mapped_column(ForeignKey("co_paragraph.id", ondelete="CASCADE"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    role: Mapped[str] = mapped_column(String(10), default="lead")
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class CoUpdate(Base):
    """A proposed change: new status and/or actions and evidence, awaiting review."""

    __tablename__ = "co_update"
    __table_args__ = (
        CheckConstraint(f"status IS NULL OR status IN ({_STATUS_LIST})", name="status"),
        CheckConstraint("review IN ('pending', 'approved', 'rejected')", name="review"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paragraph_id: Mapped[int] = mapped_column(
        ForeignKey("co_paragraph.id", ondelete="CASCADE"), index=True
    )
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    status: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    proposed_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    review: Mapped[str] = mapped_column(String(10), default="pending")
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(Text)

    actions: Mapped[list[CoAction]] = relationship(cascade="all, delete-orphan")
    evidence: Mapped[list[CoEvidence]] = relationship(cascade="all, delete-orphan")


class CoAction(Base):
    """Something an institution did towards a recommendation, with its dates."""

    __tablename__ = "co_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("co_update.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(Text)
    started_on: Mapped[date]
    ended_on: Mapped[date | None]


class CoEvidence(Base):
    """A file (by name and SHA-256) or a link that supports an update; public or not."""

    __tablename__ = "co_evidence"
    __table_args__ = (CheckConstraint("kind IN ('file', 'link')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("co_update.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(4))
    uri: Mapped[str] = mapped_column(String(1000))  # URL, or the file's stored path
    sha256: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300), default="")
    public: Mapped[bool] = mapped_column(default=False)


class CoIndicatorLink(Base):
    """A link from a paragraph to an indicator of the statistics layer (by its id)."""

    __tablename__ = "co_indicator_link"
    __table_args__ = (UniqueConstraint("paragraph_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paragraph_id: Mapped[int] = mapped_column(ForeignKey("co_paragraph.id", ondelete="CASCADE"))
    indicator_id: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")
