"""Who sends data and who uses the system: institutions, users, submissions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opsc.records.base import Base, utcnow


class Institution(Base):
    """An agency or NGO that submits records (police, prosecution, shelter, ...)."""

    __tablename__ = "institution"
    __table_args__ = (UniqueConstraint("country", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(40))  # reference: institution_types
    level: Mapped[str] = mapped_column(String(20))  # national / state / municipal
    geo_code: Mapped[str | None] = mapped_column(String(12))  # INEGI / UBIGEO code


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    # argon2 hash, never the password
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # admin/analyst/submitter/contributor/validator
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Submission(Base):
    """One file an institution sent for one period under one contract version."""

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("institution_id", "contract", "file_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    contract: Mapped[str] = mapped_column(String(60))  # e.g. "victims"
    contract_version: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[date]
    period_end: Mapped[date]
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))  # received/rejected/imported/superseded
    row_count: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    synthetic: Mapped[bool] = mapped_column(default=False)  # generated demo/test data
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)


class RecordArchive(Base):
    """A stored row as it was before a corrected resubmission superseded its submission.

    Every row of the superseded submission is kept here (`data`: its stored values and
    multi-valued fields, as JSON) with what the new submission did to it: `unchanged`,
    `updated` (values differ; the row keeps its id so references stay valid) or `deleted`.
    """

    __tablename__ = "record_archive"

    id: Mapped[int] = mapped_column(primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int]
    agency_id: Mapped[str | None] = mapped_column(String(80))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    superseded_by: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    change: Mapped[str] = mapped_column(String(10))  # unchanged / updated / deleted
    data: Mapped[str] = mapped_column(Text)
