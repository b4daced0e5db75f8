"""Measures of the cube: each names its fact table, its counting unit and its aggregate.

A measure over linked units (unique children, cases, perpetrators, proceedings) counts
each unit once per cell. Margins of such tables are computed, never added from cells: a
child with two risk factors or seen by two institutions is one child in the total.
"""

from __future__ import annotations

from dataclasses import dataclass

from opsc.stats.errors import UnknownNameError


@dataclass(frozen=True)
class Measure:
    name: str
    unit: str  # counting unit (reference: counting_units) or an amount
    table: str
    expr: str
    help: str
    # Multi-valued dimensions held as list columns: (dimension, list column). Grouping by one
    # unnests the list (a child counts once under each of its values, never twice in a
    # cell, because lists hold distinct values); filtering tests membership.
    lists: tuple[tuple[str, str], ...] = ()
    where: str = ""  # fixed condition of the measure (SQL over the fact's columns)
    # For a distinct count of linked units: the dense integer id (1..N) it counts. The cube
    # then counts small tables with a bitmap per cell instead of a hash of every id.
    unit_id: str = ""


_CHILD_LISTS = (
    ("risk_factor", "risk_factors"),
    ("institution", "institutions"),
    ("institution_type", "institution_types"),
)
_RECORD_LISTS = (("risk_factor", "risk_factors"),)

MEASURES: tuple[Measure, ...] = (
    Measure(
        "unique_children",
        "children",
        "child",
        "count(*)",
        "child victims, each counted once across institutions (linked persons)",
        _CHILD_LISTS,
    ),
    Measure(
        "children_at_risk",
        "children",
        "child",
        "count(*)",
        "child victims with at least one recorded risk factor",
        _CHILD_LISTS,
        where="len(risk_factors) > 0",
    ),
    Measure(
        "victim_records",
        "records",
        "victim_record",
        "count(*)",
        "victim records as institutions sent them (a child may appear several times)",
        _RECORD_LISTS,
    ),
    Measure(
        "cases",
        "cases",
        "case",
        "count(*)",
        "linked cases (a case known to several institutions counts once)",
    ),
    Measure(
        "case_records",
        "records",
        "case_record",
        "count(*)",
        "case records as institutions sent them",
    ),
    Measure(
        "perpetrators",
        "perpetrators",
        "perpetrator_record",
        "count(DISTINCT perpetrator_id)",
        "natural and legal persons, linked",
        unit_id="perpetrator_id",
    ),
    Measure(
        "perpetrator_records",
        "records",
        "perpetrator_record",
        "count(*)",
        "perpetrator records as institutions sent them",
    ),
    Measure(
        "proceedings",
        "proceedings",
        "proceeding",
        "count(DISTINCT proceeding_id)",
        "case x perpetrator x offence proceedings reaching the stage of the cell",
        unit_id="proceeding_id",
    ),
    Measure(
        "proceeding_records",
        "records",
        "proceeding",
        "count(*)",
        "proceeding steps as institutions sent them",
    ),
    Measure(
        "median_sentence_months",
        "months",
        "proceeding",
        "median(sentence_months)",
        "median sentence of convictions, in months",
        where="outcome = 'CONVICTION'",
    ),
    Measure("services", "services", "service", "count(*)", "services delivered"),
    Measure(
        "children_served",
        "children",
        "service",
        "count(DISTINCT person_id)",
        "children who received at least one service of the cell",
        unit_id="person_id",
    ),
    Measure(
        "interviews",
        "interviews",
        "service",
        "coalesce(sum(interviews), 0)",
        "interviews held with child victims (child-friendly interview services)",
    ),
    Measure(
        "compensation_claimed",
        "currency",
        "service",
        "coalesce(sum(amount_claimed), 0)",
        "compensation claimed (national currency)",
    ),
    Measure(
        "compensation_awarded",
        "currency",
        "service",
        "coalesce(sum(amount_awarded), 0)",
        "compensation awarded (national currency)",
    ),
    Measure(
        "compensation_paid",
        "currency",
        "service",
        "coalesce(sum(amount_paid), 0)",
        "compensation paid (national currency)",
    ),
    Measure(
        "helpline_contacts",
        "records",
        "helpline_contact",
        "count(*)",
        "contacts with child helplines",
    ),
    Measure(
        "complaints", "records", "complaint", "count(*)", "complaints to human rights commissions"
    ),
    Measure(
        "aggregate_children",
        "children",
        "aggregate",
        "coalesce(sum(value), 0)",
        "children counted by institutions that send only aggregates (not linked: may "
        "include children also recorded elsewhere)",
        where="measure = 'victims_identified' AND counted",
    ),
    Measure("trainings", "records", "training", "count(*)", "training events"),
    Measure(
        "training_participants",
        "participants",
        "training",
        "coalesce(sum(participants), 0)",
        "participants in training (persons x events)",
    ),
    Measure(
        "budget_allocated",
        "currency",
        "budget",
        "coalesce(sum(allocated), 0)",
        "budget allocated (national currency)",
    ),
    Measure(
        "budget_executed",
        "currency",
        "budget",
        "coalesce(sum(executed), 0)",
        "budget executed (national currency)",
    ),
    Measure(
        "training_score_change",
        "points",
        "training",
        "avg(post_score - pre_score)",
        "mean change from pre- to post-training assessment (score points)",
        where="pre_score IS NOT NULL AND post_score IS NOT NULL",
    ),
    Measure(
        "training_hours",
        "hours",
        "training",
        "coalesce(sum(hours * participants), 0)",
        "participant-hours of training",
    ),
    Measure("plans", "records", "plan", "count(*)", "plans of action"),
    Measure(
        "plan_offence_coverage",
        "share",
        "plan",
        "avg(((offences_covered LIKE '%SALE%')::INT + (offences_covered LIKE '%PROSTITUTION%')"
        "::INT + (offences_covered LIKE '%PORNOGRAPHY%')::INT) / 3.0)",
        "mean share of the three OPSC offences (sale, prostitution, pornography) plans cover",
    ),
    Measure("campaigns", "records", "campaign", "count(*)", "awareness campaigns"),
    Measure(
        "campaigns_multilingual",
        "records",
        "campaign",
        "count(*)",
        "campaigns in more than one language",
        where="n_languages > 1",
    ),
    Measure(
        "campaign_reach",
        "persons",
        "campaign",
        "coalesce(sum(reach), 0)",
        "persons reached by campaigns (as reported)",
    ),
    Measure(
        "legislation_cells",
        "records",
        "legislation",
        "count(*)",
        "cells of the legislation matrix (OPSC act x jurisdiction, law in force)",
    ),
    Measure(
        "statute_years_median",
        "years",
        "legislation",
        "median(statute_of_limitations_years)",
        "median statute of limitations of OPSC offences (years; law in force)",
    ),
    Measure(
        "reconciliation_difference",
        "children",
        "reconciliation",
        "coalesce(sum(abs(difference)), 0)",
        "absolute differences between aggregate cells and case-level counts (overlap)",
    ),
)

_BY_NAME = {m.name: m for m in MEASURES}


def measure(name: str) -> Measure:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownNameError("measure", name, list(_BY_NAME)) from None
