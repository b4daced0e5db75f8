"""Programme data: plans, trainings, budgets, campaigns and the legislation matrix."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opsc.records.base import Base


class Plan(Base):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    country: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(400))
    jurisdiction: Mapped[str] = mapped_column(String(12))  # country or geo code
    start_year: Mapped[int | None]
    end_year: Mapped[int | None]
    offences_covered: Mapped[str | None] = mapped_column(Text)  # space-separated codes
    children_consulted: Mapped[bool | None]
    budget_allocated: Mapped[bool | None]


class PlanEvaluation(Base):
    __tablename__ = "plan_evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    evaluated_on: Mapped[date]
    participatory: Mapped[bool | None]
    independent: Mapped[bool | None]
    summary: Mapped[str | None] = mapped_column(Text)


class Training(Base):
    __tablename__ = "training"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    date_start: Mapped[date]
    professional_group: Mapped[str] = mapped_column(String(40))
    participants_female: Mapped[int] = mapped_column(default=0)
    participants_male: Mapped[int] = mapped_column(default=0)
    participants_other: Mapped[int] = mapped_column(default=0)
    hours: Mapped[float | None]
    opsc_areas: Mapped[str | None] = mapped_column(Text)  # space-separated theme codes
    pre_score: Mapped[float | None]
    post_score: Mapped[float | None]


class BudgetLine(Base):
    __tablename__ = "budget_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    level: Mapped[str] = mapped_column(String(20))
    year: Mapped[int]
    purpose: Mapped[str] = mapped_column(String(40))  # coordination/prevention/protection/...
    currency: Mapped[str] = mapped_column(String(3))
    allocated: Mapped[float] = mapped_column(Numeric(18, 2))
    executed: Mapped[float | None] = mapped_column(Numeric(18, 2))


class Campaign(Base):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    title: Mapped[str] = mapped_column(String(400))
    date_start: Mapped[date]
    date_end: Mapped[date | None]
    audience: Mapped[str | None] = mapped_column(String(40))
    languages: Mapped[str | None] = mapped_column(String(200))  # space-separated codes
    reach: Mapped[int | None]
    co_designed_with_children: Mapped[bool | None]


class LegislationProvision(Base):
    """One cell of the legislation matrix: an OPSC act in one jurisdiction."""

    __tablename__ = "legislation_provision"
    __table_args__ = (
        UniqueConstraint(
            "country", "jurisdiction", "offence", "valid_from", name="uq_legislation_cell"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    country: Mapped[str] = mapped_column(String(2))
    jurisdiction: Mapped[str] = mapped_column(String(12))  # country or state/department code
    offence: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[date]
    criminalised: Mapped[bool]
    legal_provision: Mapped[str | None] = mapped_column(String(300))
    statute_of_limitations_years: Mapped[int | None]
    legal_person_liability: Mapped[bool | None]
    extraterritorial_jurisdiction: Mapped[bool | None]
    double_criminality_required: Mapped[bool | None]
    extradition_reciprocity_only: Mapped[bool | None]
