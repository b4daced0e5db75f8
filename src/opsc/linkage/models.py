"""Store tables for linkage: runs, cluster assignments, pairs for review, analyst decisions.

A run is a record: which model, thresholds, library versions and input submissions gave
which clusters, so every statistic can name the linkage it rests on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from opsc.records.base import Base, utcnow

ENTITIES = ("victim", "perpetrator", "case")
DECISIONS = ("match", "non-match")


class LinkageRun(Base):
    __tablename__ = "linkage_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))  # victim / perpetrator / case
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    engine: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(20))  # pseudonymised / clear
    threshold: Mapped[float] = mapped_column(Float)
    review_lower: Mapped[float] = mapped_column(Float)
    review_upper: Mapped[float] = mapped_column(Float)
    parent_run_id: Mapped[int | None] = mapped_column(ForeignKey("linkage_run.id"))
    input_sha256: Mapped[str] = mapped_column(String(64))  # hash of the records linked
    submissions: Mapped[list[int]] = mapped_column(JSON)
    versions: Mapped[dict[str, str]] = mapped_column(JSON)  # splink, duckdb, opsc, ...
    model: Mapped[dict[str, Any]] = mapped_column(JSON)  # trained Splink model
    n_records: Mapped[int]
    n_clusters: Mapped[int]
    seconds: Mapped[dict[str, float]] = mapped_column(JSON)


class LinkageCluster(Base):
    """The cluster (person/case) each record belongs to in a run."""

    __tablename__ = "linkage_cluster"
    __table_args__ = (Index("ix_linkage_cluster_run_cluster", "run_id", "cluster_id"),)

    run_id: Mapped[int] = mapped_column(ForeignKey("linkage_run.id"), primary_key=True)
    record_id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int]


class LinkagePair(Base):
    """A scored pair a run left uncertain, with the match weight of each comparison."""

    __tablename__ = "linkage_pair"

    run_id: Mapped[int] = mapped_column(ForeignKey("linkage_run.id"), primary_key=True)
    record_l: Mapped[int] = mapped_column(primary_key=True)
    record_r: Mapped[int] = mapped_column(primary_key=True)
    match_probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float] = mapped_column(Float)
    weights: Mapped[dict[str, float]] = mapped_column(JSON)


class LinkageDecision(Base):
    """An analyst's decision on a pair; later runs respect it."""

    __tablename__ = "linkage_decision"
    __table_args__ = (
        CheckConstraint("record_l < record_r", name="ordered_pair"),
        CheckConstraint("decision IN ('match', 'non-match')", name="decision"),
    )

    entity: Mapped[str] = mapped_column(String(20), primary_key=True)
    record_l: Mapped[int] = mapped_column(primary_key=True)
    record_r: Mapped[int] = mapped_column(primary_key=True)
    decision: Mapped[str] = mapped_column(String(10))
    analyst: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(String(500), default="")
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("linkage_run.id"))
