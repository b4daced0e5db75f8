"""Read the store into data frames (SQLAlchemy → pandas), never identifiers.

Only the columns the cube needs are read: the victim's tokens and Bloom filters stay in the
store. Each frame keeps the store's column names so the fact SQL reads like the models.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Boolean, Date, DateTime, Engine, Float, Integer, Numeric, Table, select

from opsc.records import Base

# Columns read per table; anything pseudonymous (tk_*, bf_*) is left out on purpose.
COLUMNS: dict[str, tuple[str, ...]] = {
    "institution": ("id", "country", "code", "type", "level", "geo_code"),
    "submission": (
        "id",
        "institution_id",
        "contract",
        "period_start",
        "period_end",
        "status",
        "synthetic",
    ),
    "case_record": (
        "id",
        "submission_id",
        "institution_id",
        "agency_case_id",
        "date_reported",
        "date_offence",
        "geo_code",
        "online",
        "tourism_context",
        "transnational",
        "stage",
    ),
    "case_offence": ("case_id", "offence", "attempt"),
    "victim": (
        "id",
        "submission_id",
        "institution_id",
        "agency_victim_id",
        "case_id",
        "birth_year",
        "age_at_offence",
        "sex",
        "nationality",
        "ethnic_origin",
        "language",
        "disability",
        "migrant_status",
        "street_situation",
        "in_school",
        "socio_economic",
        "residence_geo",
        "relation_to_perpetrator",
        "treated_as_offender",
    ),
    "victim_risk_factor": ("victim_id", "risk_factor"),
    "perpetrator": (
        "id",
        "institution_id",
        "agency_perpetrator_id",
        "case_id",
        "person_type",
        "sex",
        "age",
        "nationality",
        "role",
        "public_official",
    ),
    "proceeding": (
        "id",
        "institution_id",
        "case_id",
        "perpetrator_id",
        "offence",
        "stage",
        "outcome",
        "stage_date",
        "sentence_months",
        "extradition_requested",
        "extradition_refusal_ground",
    ),
    "service": (
        "id",
        "institution_id",
        "victim_id",
        "service_type",
        "date_start",
        "date_end",
        "interviews",
        "amount_claimed",
        "amount_awarded",
        "amount_paid",
    ),
    "helpline_contact": (
        "id",
        "institution_id",
        "contact_date",
        "channel",
        "caller",
        "offence",
        "geo_code",
        "referred_to",
    ),
    "complaint": (
        "id",
        "institution_id",
        "date_filed",
        "filed_by_child",
        "parental_consent_required",
        "offence",
        "geo_code",
        "outcome",
    ),
    "aggregate_cell": (
        "id",
        "submission_id",
        "institution_id",
        "measure",
        "unit",
        "period_start",
        "period_end",
        "geo_code",
        "offence",
        "sex",
        "age_band",
        "nationality",
        "ethnic_origin",
        "stage",
        "value",
    ),
    "plan": (
        "id",
        "country",
        "title",
        "jurisdiction",
        "start_year",
        "end_year",
        "offences_covered",
        "children_consulted",
        "budget_allocated",
    ),
    "plan_evaluation": ("id", "plan_id", "evaluated_on", "participatory", "independent"),
    "training": (
        "id",
        "institution_id",
        "date_start",
        "professional_group",
        "participants_female",
        "participants_male",
        "participants_other",
        "hours",
        "opsc_areas",
        "pre_score",
        "post_score",
    ),
    "budget_line": (
        "id",
        "institution_id",
        "level",
        "year",
        "purpose",
        "currency",
        "allocated",
        "executed",
    ),
    "campaign": (
        "id",
        "institution_id",
        "title",
        "date_start",
        "date_end",
        "audience",
        "languages",
        "reach",
        "co_designed_with_children",
    ),
    "legislation_provision": (
        "id",
        "country",
        "jurisdiction",
        "offence",
        "valid_from",
        "criminalised",
        "statute_of_limitations_years",
        "legal_person_liability",
        "extraterritorial_jurisdiction",
        "double_criminality_required",
        "extradition_reciprocity_only",
    ),
}


def read_store(engine: Engine, country: str) -> dict[str, pd.DataFrame]:
    """Every table the cube reads, restricted to one country's institutions."""
    frames: dict[str, pd.DataFrame] = {}
    with engine.connect() as conn:
        for name, columns in COLUMNS.items():
            table: Table = Base.metadata.tables[name]
            query = select(*(table.c[c] for c in columns))
            frames[name] = _typed(pd.read_sql(query, conn), table)
    inst = frames["institution"]
    ours = set(inst.loc[inst["country"] == country, "id"])
    for name, frame in frames.items():
        if "institution_id" in frame.columns:
            frames[name] = frame[frame["institution_id"].isin(ours)].reset_index(drop=True)
        elif "country" in frame.columns:
            frames[name] = frame[frame["country"] == country].reset_index(drop=True)
    frames["institution"] = inst[inst["country"] == country].reset_index(drop=True)
    return frames


def _typed(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Give every column one dtype whatever the backend returned (NULLs stay missing)."""
    for name in frame.columns:
        kind = table.c[name].type
        if isinstance(kind, Boolean):
            frame[name] = frame[name].astype("boolean")
        elif isinstance(kind, (Date, DateTime)):
            frame[name] = pd.to_datetime(frame[name])
        elif isinstance(kind, (Numeric, Float)):
            frame[name] = pd.to_numeric(frame[name]).astype("float64")
        elif isinstance(kind, Integer):
            frame[name] = pd.to_numeric(frame[name]).astype("Int64")
        else:
            frame[name] = frame[name].astype("string")
    return frame
