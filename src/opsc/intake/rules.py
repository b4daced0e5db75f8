"""Cross-field and cross-file rules, as checks over `t` and the reference tables.

Reference tables are prepared by the caller (see `refs.py`): `ref_<contract>` holds the
agency ids this institution already has in the store, `own_keys` the ids of this contract
kept from other submissions, `ref_steps` the justice steps already recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from opsc.intake.checks import Check, lit, q
from opsc.intake.contracts import Contract
from opsc.intake.definitions import AGGREGATE_DIMENSIONS, PERSON_COLUMNS

PROSECUTION_STEPS = ("PROSECUTION", "TRIAL", "JUDGEMENT")
OUTCOME_CODES = ("CONVICTION", "ACQUITTAL", "DISMISSAL", "ARCHIVED", "LAPSED")
# The date that places a record in a period, per contract.
PERIOD_DATE = {
    "cases": "date_reported",
    "helpline_contacts": "contact_date",
    "complaints": "date_filed",
    "proceedings": "stage_date",
    "trainings": "date_start",
}
# (later, earlier): the first date may not come before the second.
DATE_ORDER = {
    "cases": (("date_reported", "date_offence"),),
    "services": (("date_end", "date_start"),),
    "campaigns": (("date_end", "date_start"),),
    "aggregate_cells": (("period_end", "period_start"),),
    "plans": (("end_year", "start_year"),),
}
AMOUNT_ORDER = {
    "services": (("amount_paid", "amount_awarded"), ("amount_awarded", "amount_claimed"))
}


@dataclass(frozen=True)
class RuleContext:
    with_store: bool  # reference tables exist (an institution and a store were given)
    period: tuple[date, date] | None = None


def rules(contract: Contract, ctx: RuleContext) -> Iterator[Check]:
    yield from _order_rules(contract)
    if contract.name == "victims":
        yield Check("not-a-child", "age_at_offence", '"age_at_offence" >= 18', '"age_at_offence"')
    if contract.name == "perpetrators":
        yield from _legal_person_rules(contract)
    if contract.name == "proceedings":
        yield Check(
            "not-an-outcome",
            "outcome",
            f'"outcome" IS NOT NULL AND "outcome" NOT IN {_tuple(OUTCOME_CODES)} '
            "AND \"outcome\" IN (SELECT code FROM codes WHERE list = 'justice_stages')",
            '"outcome__raw"',
            {"codes": ", ".join(OUTCOME_CODES)},
        )
        yield _conviction_rule(ctx)
    if contract.kind == "aggregate":
        yield from _parts_rules()
    if ctx.period and contract.name in PERIOD_DATE:
        name = PERIOD_DATE[contract.name]
        start, end = ctx.period
        yield Check(
            "outside-period",
            name,
            f"{q(name)} NOT BETWEEN DATE {lit(start.isoformat())} AND DATE {lit(end.isoformat())}",
            q(name + "__raw"),
            {"period": f"{start.isoformat()} – {end.isoformat()}"},
        )
    if ctx.period and contract.name == "perpetrators":
        end = ctx.period[1]
        yield Check(
            "born-after-period",
            "birth_year",
            f'"birth_year" > {end.year}',
            '"birth_year"',
            {"period": f"{ctx.period[0].isoformat()} – {end.isoformat()}"},
        )
    if ctx.with_store:
        yield from _reference_rules(contract)


def _order_rules(contract: Contract) -> Iterator[Check]:
    for later, earlier in DATE_ORDER.get(contract.name, ()):
        yield Check(
            "date-order",
            later,
            f"{q(later)} < {q(earlier)}",
            q(later + "__raw"),
            {"other_field": earlier},
            extra={"other_value": q(earlier + "__raw")},
        )
    for more, less in AMOUNT_ORDER.get(contract.name, ()):
        yield Check(
            "amount-order",
            more,
            f"{q(more)} > {q(less)}",
            q(more + "__raw"),
            {"other_field": less},
            extra={"other_value": q(less + "__raw")},
        )


def _legal_person_rules(contract: Contract) -> Iterator[Check]:
    """A company has no person's name or birth date: only its tax ID token (tk_identity)."""
    person = PERSON_COLUMNS
    for name in (n for n in contract.field_names if n in person):
        yield Check(
            "legal-person-identity",
            name,
            f"\"person_type\" = 'legal' AND {q(name)} IS NOT NULL",
            q(name + "__raw"),
        )


def _conviction_rule(ctx: RuleContext) -> Check:
    steps = (
        "SELECT agency_case_id, agency_perpetrator_id FROM t_steps"
        if not ctx.with_store
        else "SELECT agency_case_id, agency_perpetrator_id FROM t_steps UNION ALL "
        "SELECT agency_case_id, agency_perpetrator_id FROM ref_steps"
    )
    return Check(
        "conviction-without-prosecution",
        "outcome",
        "(\"outcome\" = 'CONVICTION' OR \"stage\" = 'CONVICTION') AND NOT EXISTS ("
        f"SELECT 1 FROM ({steps}) s WHERE s.agency_case_id = t.agency_case_id AND "
        "(t.agency_perpetrator_id IS NULL OR s.agency_perpetrator_id IS NULL OR "
        "s.agency_perpetrator_id = t.agency_perpetrator_id))",
        '"agency_case_id__raw"',
    )


def steps_table_sql() -> str:
    """Prosecution-or-later steps in this file (used by the conviction rule)."""
    return (
        "CREATE OR REPLACE TABLE t_steps AS SELECT agency_case_id, agency_perpetrator_id "
        f"FROM t WHERE stage IN {_tuple(PROSECUTION_STEPS)}"
    )


def _parts_rules() -> Iterator[Check]:
    """For each dimension: cells broken down by it may not add up to more than its total."""
    for dim in AGGREGATE_DIMENSIONS:
        others = [d for d in AGGREGATE_DIMENSIONS if d != dim]
        same = " AND ".join(
            f"p.{q(o)} IS NOT DISTINCT FROM tot.{q(o)}"
            for o in ("measure", "unit", "period_start", "period_end", *others)
        )
        keys = ", ".join(q(o) for o in ("measure", "unit", "period_start", "period_end", *others))
        parts = (
            f"(SELECT {keys}, sum(value) AS total_parts, min(_row) AS first_part FROM t "
            f"WHERE {q(dim)} IS NOT NULL AND value IS NOT NULL GROUP BY ALL)"
        )
        yield Check(
            "parts-exceed-total",
            dim,
            "total_parts > value",
            "total_parts",
            extra={"total": "value", "total_row": "tot_row"},
            source=f"(SELECT p.first_part AS _row, p.total_parts, tot.value, tot._row AS "
            f"tot_row FROM {parts} p JOIN t tot ON tot.{q(dim)} IS NULL AND {same})",
        )


def _reference_rules(contract: Contract) -> Iterator[Check]:
    for fk in contract.foreign_keys:
        yield Check(
            "unknown-reference",
            fk.field,
            f"{q(fk.field)} IS NOT NULL AND {q(fk.field)} NOT IN "
            f"(SELECT agency_id FROM {q('ref_' + fk.target)})",
            q(fk.field + "__raw"),
            {"target": fk.target},
        )
    if contract.agency_key:
        key = contract.agency_key
        yield Check(
            "already-submitted",
            key,
            "true",
            "v_raw",
            extra={"submission": "submission_id", "period": "period"},
            source=f"(SELECT t._row, t.{q(key + '__raw')} AS v_raw, o.submission_id, o.period "
            f"FROM t JOIN own_keys o ON o.agency_id = t.{q(key)})",
        )
    if contract.name == "victims":
        # Birth year against the case's offence date: older than 17 whatever the birthday.
        yield Check(
            "not-a-child",
            "birth_year",
            "year(date_offence) - birth_year - 1 >= 18",
            "year(date_offence) - birth_year - 1",
            source="(SELECT t._row, t.birth_year, c.date_offence FROM t JOIN ref_cases c "
            "ON c.agency_id = t.agency_case_id)",
        )


def _tuple(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")"
