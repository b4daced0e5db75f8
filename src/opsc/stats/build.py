"""Build the cube's fact tables in DuckDB from frames read from the store.

Every fact keeps the keys of its counting units (record, person, case, perpetrator,
proceeding) next to conformed dimension columns, so one SQL pattern answers any
disaggregation. Missing categories become `UNK` so that cells add up to totals.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from opsc.reference import Profile
from opsc.stats.dimensions import age_band_frame, geo_frame, geo_levels, offence_frame
from opsc.stats.keys import KeySource

# Child attributes resolved across a child's records: the most frequent known value, ties
# broken by code order (deterministic), `UNK` when no record knows it.
CHILD_MODE_COLUMNS = (
    "sex",
    "age",
    "nationality",
    "ethnic_origin",
    "socio_economic",
    "migrant_status",
    "in_school",
    "disability",
    "relation",
)
# Age at the offence: as recorded, else the age reached in the offence's year from the year
# of birth (pseudonymisation keeps only the year; a child may be one year younger, and a
# child victim "18" in that year was 17 at the offence).
AGE = (
    "CAST(coalesce(v.age_at_offence, CASE WHEN c.year - v.birth_year BETWEEN 0 AND 18 "
    "THEN least(c.year - v.birth_year, 17) END) AS INTEGER)"
)

# Codes that mean "not recorded" in a code list besides the cube's own UNK.
_UNKNOWN = {"sex": "'U'"}


def yes_no(column: str) -> str:
    return f"CASE WHEN {column} THEN 'yes' WHEN NOT {column} THEN 'no' ELSE 'UNK' END"


def code(column: str) -> str:
    return f"coalesce(nullif(CAST({column} AS VARCHAR), ''), 'UNK')"


def register_sources(
    con: duckdb.DuckDBPyConnection,
    frames: dict[str, pd.DataFrame],
    profile: Profile,
    keys: KeySource,
) -> None:
    for name, frame in frames.items():
        con.register(f"src_{name}", frame)
    con.register("dim_geo", geo_frame(profile))
    con.register("dim_offence", offence_frame(profile))
    con.register("dim_age", age_band_frame(profile))
    for contract in ("victims", "cases", "perpetrators"):
        con.register(f"keys_{contract}", keys.for_contract(contract))


def _geo_columns(profile: Profile, alias: str = "g") -> str:
    return ", ".join(f"coalesce({alias}.{lvl}, 'UNK') AS {lvl}" for lvl in geo_levels(profile))


def _period(date: str) -> str:
    return f"year({date}) AS year, quarter({date}) AS quarter, month({date}) AS month"


def build_facts(con: duckdb.DuckDBPyConnection, profile: Profile) -> None:
    """Create every fact table (replacing earlier ones) from the registered sources."""
    geo = _geo_columns(profile)
    # Dimension tables travel with the cube (labels, roll-ups, offence groups).
    con.execute("CREATE OR REPLACE TABLE offence_dim AS SELECT * FROM dim_offence")
    con.execute("CREATE OR REPLACE TABLE geo_dim AS SELECT * FROM dim_geo")
    con.execute("""
        CREATE OR REPLACE TABLE case_offence_rank AS
        SELECT co.case_id, co.offence, coalesce(o.rank, 999) AS rank
        FROM src_case_offence co LEFT JOIN dim_offence o USING (offence)""")
    con.execute(f"""
        CREATE OR REPLACE TABLE case_record AS
        WITH po AS (SELECT case_id, arg_min(offence, rank) AS offence
                    FROM case_offence_rank GROUP BY case_id)
        SELECT c.id AS record_id, i.code AS institution, i.type AS institution_type,
               i.level AS institution_level,
               coalesce(k.key, 'R:' || i.code || ':' || c.agency_case_id) AS case_key,
               k.key IS NOT NULL AS keyed,
               {_period("coalesce(c.date_offence, c.date_reported)")},
               CAST(c.date_reported AS DATE) AS date_reported, {geo},
               coalesce(po.offence, 'UNK') AS offence,
               coalesce(o.offence_group, 'UNK') AS offence_group,
               coalesce(o.iccs, 'UNK') AS iccs, coalesce(o.rank, 999) AS offence_rank,
               {yes_no("c.online")} AS online, {yes_no("c.tourism_context")} AS tourism,
               {yes_no("c.transnational")} AS transnational, {code("c.stage")} AS stage
        FROM src_case_record c JOIN src_institution i ON i.id = c.institution_id
        LEFT JOIN po ON po.case_id = c.id
        LEFT JOIN dim_offence o ON o.offence = po.offence
        LEFT JOIN dim_geo g ON g.geo_code = c.geo_code
        LEFT JOIN keys_cases k ON k.institution = i.code AND k.agency_id = c.agency_case_id""")
    con.execute(f"""
        CREATE OR REPLACE TABLE victim_record AS
        SELECT v.id AS record_id, i.code AS institution, i.type AS institution_type,
               i.level AS institution_level,
               coalesce(k.key, 'R:' || i.code || ':' || v.agency_victim_id) AS person_key,
               k.key IS NOT NULL AS keyed,
               coalesce(c.case_key, 'R:' || i.code || ':' || v.agency_victim_id) AS case_key,
               c.year, c.quarter, c.month,
               {
        ", ".join(f"coalesce(c.{lvl}, g.{lvl}, 'UNK') AS {lvl}" for lvl in geo_levels(profile))
    },
               coalesce(c.offence, 'UNK') AS offence,
               coalesce(c.offence_group, 'UNK') AS offence_group,
               coalesce(c.iccs, 'UNK') AS iccs, coalesce(c.offence_rank, 999) AS offence_rank,
               coalesce(nullif(v.sex, ''), 'U') AS sex, {AGE} AS age,
               CASE WHEN v.age_at_offence IS NOT NULL THEN 'recorded'
                    WHEN {AGE} IS NOT NULL THEN 'year_of_birth' ELSE 'UNK' END AS age_source,
               coalesce(a.age_band, 'UNK') AS age_band,
               {code("v.nationality")} AS nationality,
               {code("v.ethnic_origin")} AS ethnic_origin,
               {code("v.socio_economic")} AS socio_economic,
               {code("v.migrant_status")} AS migrant_status,
               {yes_no("v.in_school")} AS in_school, {yes_no("v.disability")} AS disability,
               {yes_no("v.treated_as_offender")} AS treated_as_offender,
               {code("v.relation_to_perpetrator")} AS relation,
               coalesce(c.online, 'UNK') AS online, coalesce(c.tourism, 'UNK') AS tourism
        FROM src_victim v JOIN src_institution i ON i.id = v.institution_id
        LEFT JOIN case_record c ON c.record_id = v.case_id
        LEFT JOIN dim_geo g ON g.geo_code = v.residence_geo
        LEFT JOIN dim_age a ON a.age = {AGE}
        LEFT JOIN keys_victims k ON k.institution = i.code AND k.agency_id = v.agency_victim_id""")
    con.execute("""
        CREATE OR REPLACE TABLE victim_risk AS
        SELECT DISTINCT r.victim_id AS record_id, v.person_key, r.risk_factor
        FROM src_victim_risk_factor r JOIN victim_record v ON v.record_id = r.victim_id""")
    con.execute("""
        CREATE OR REPLACE TABLE victim_record AS
        SELECT v.*, coalesce(r.risk_factors, []::VARCHAR[]) AS risk_factors
        FROM victim_record v LEFT JOIN (
            SELECT record_id, list_sort(list(risk_factor)) AS risk_factors
            FROM victim_risk GROUP BY record_id) r USING (record_id)""")
    build_units(con, profile)
    build_justice(con)
    build_services(con, profile)


def _known(column: str) -> str:
    unknown = _UNKNOWN.get(column, "''")
    return f"{column} IS NOT NULL AND CAST({column} AS VARCHAR) NOT IN ('UNK', {unknown})"


def _mode(column: str) -> str:
    """Per child whose records disagree on a column, the most frequent known value, ties to
    the smallest value (children whose records agree take the value from `child_base`)."""
    return f"""(SELECT person_key, arg_min(v, {{'n': -n, 'v': v}}) AS {column}
               FROM (SELECT person_key, {column} AS v, count(*) AS n FROM victim_record
                     WHERE {_known(column)} AND person_key IN (
                         SELECT person_key FROM child_base WHERE lo_{column} <> hi_{column})
                     GROUP BY ALL) GROUP BY person_key)"""


def _resolved(column: str) -> str:
    return (
        f"CASE WHEN b.lo_{column} = b.hi_{column} THEN b.lo_{column} ELSE m_{column}.{column} END"
    )


def build_units(con: duckdb.DuckDBPyConnection, profile: Profile) -> None:
    """Linked units: one row per child (person key) and per case (case key)."""
    columns = (*CHILD_MODE_COLUMNS, *geo_levels(profile))
    # One pass over the records gives each child's own attributes and, per column, the
    # smallest and largest known value: when they agree (most children) that is the mode,
    # so the most-frequent-value count runs only over the children whose records disagree.
    bounds = ",\n".join(
        f"min({c}) FILTER (WHERE {_known(c)}) AS lo_{c}, "
        f"max({c}) FILTER (WHERE {_known(c)}) AS hi_{c}"
        for c in columns
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE child_base AS
        SELECT person_key, min(year) AS year, arg_min(offence, offence_rank) AS offence,
               min(offence_rank) AS offence_rank, count(*) AS records,
               bool_and(keyed) AS keyed,
               CASE WHEN bool_or(treated_as_offender = 'yes') THEN 'yes'
                    WHEN bool_or(treated_as_offender = 'no') THEN 'no' ELSE 'UNK' END
                    AS treated_as_offender,
               CASE WHEN bool_or(online = 'yes') THEN 'yes'
                    WHEN bool_or(online = 'no') THEN 'no' ELSE 'UNK' END AS online,
               CASE WHEN bool_or(tourism = 'yes') THEN 'yes'
                    WHEN bool_or(tourism = 'no') THEN 'no' ELSE 'UNK' END AS tourism,
               list_sort(list_distinct(flatten(list(risk_factors)))) AS risk_factors,
               list_sort(list(DISTINCT institution)) AS institutions,
               list_sort(list(DISTINCT institution_type)) AS institution_types,
               {bounds}
        FROM victim_record GROUP BY person_key""")
    modes = "\n".join(f"LEFT JOIN {_mode(c)} AS m_{c} USING (person_key)" for c in columns)
    known = {c: f"coalesce({_resolved(c)}, 'UNK') AS {c}" for c in columns}
    known["age"] = f"{_resolved('age')} AS age"
    known["sex"] = f"coalesce({_resolved('sex')}, 'U') AS sex"
    con.execute(f"""
        CREATE OR REPLACE TABLE child AS
        SELECT b.person_key, b.year, b.offence,
               coalesce(o.offence_group, 'UNK') AS offence_group,
               coalesce(o.iccs, 'UNK') AS iccs, {", ".join(known.values())},
               coalesce(a.age_band, 'UNK') AS age_band, b.treated_as_offender,
               b.online, b.tourism, b.records, b.keyed, b.risk_factors,
               b.institutions, b.institution_types
        FROM child_base b {modes}
        LEFT JOIN dim_offence o ON o.offence = b.offence
        LEFT JOIN dim_age a ON a.age = {_resolved("age")}""")
    con.execute("DROP TABLE child_base")
    # A linked case takes its dimensions from its earliest record, its offence from the
    # first-ranked offence any record gives it.
    con.execute("""
        CREATE OR REPLACE TABLE "case" AS
        WITH ranked AS (
            SELECT *, row_number() OVER (PARTITION BY case_key
                                         ORDER BY date_reported NULLS LAST, record_id) AS r,
                      min(offence_rank) OVER (PARTITION BY case_key) AS best_rank,
                      count(*) OVER (PARTITION BY case_key) AS records
            FROM case_record)
        SELECT ranked.* EXCLUDE (r, offence, offence_group, iccs, offence_rank, best_rank,
                                 record_id, institution, institution_type, institution_level),
               coalesce(o.offence, 'UNK') AS offence,
               coalesce(o.offence_group, 'UNK') AS offence_group,
               coalesce(o.iccs, 'UNK') AS iccs
        FROM ranked LEFT JOIN dim_offence o ON o.rank = ranked.best_rank
        WHERE r = 1""")


def build_justice(con: duckdb.DuckDBPyConnection) -> None:
    """Perpetrators and proceedings with their linked keys."""
    con.execute(f"""
        CREATE OR REPLACE TABLE perpetrator_record AS
        SELECT p.id AS record_id, i.code AS institution, i.type AS institution_type,
               coalesce(k.key, 'R:' || i.code || ':' || p.agency_perpetrator_id)
                   AS perpetrator_key,
               c.case_key, c.year, c.offence, c.offence_group,
               {code("p.person_type")} AS person_type, {code("p.sex")} AS sex,
               {code("p.nationality")} AS nationality, {code("p.role")} AS role,
               {yes_no("p.public_official")} AS public_official
        FROM src_perpetrator p JOIN src_institution i ON i.id = p.institution_id
        LEFT JOIN case_record c ON c.record_id = p.case_id
        LEFT JOIN keys_perpetrators k
               ON k.institution = i.code AND k.agency_id = p.agency_perpetrator_id""")
    con.execute(f"""
        CREATE OR REPLACE TABLE proceeding AS
        SELECT r.id AS record_id, i.code AS institution, i.type AS institution_type,
               c.case_key, coalesce(p.perpetrator_key, 'UNK') AS perpetrator_key,
               coalesce(nullif(r.offence, ''), c.offence, 'UNK') AS offence,
               coalesce(o.offence_group, c.offence_group, 'UNK') AS offence_group,
               c.case_key || '|' || coalesce(p.perpetrator_key, '?') || '|'
                   || coalesce(nullif(r.offence, ''), c.offence, 'UNK') AS proceeding_key,
               {code("r.stage")} AS stage, coalesce(nullif(r.outcome, ''), 'NA') AS outcome,
               CAST(r.stage_date AS DATE) AS stage_date, c.year AS year,
               year(r.stage_date) AS stage_year,
               r.sentence_months, {yes_no("r.extradition_requested")} AS extradition_requested,
               {code("r.extradition_refusal_ground")} AS refusal_ground,
               coalesce(p.public_official, 'UNK') AS public_official,
               coalesce(p.person_type, 'UNK') AS person_type
        FROM src_proceeding r JOIN src_institution i ON i.id = r.institution_id
        LEFT JOIN case_record c ON c.record_id = r.case_id
        LEFT JOIN perpetrator_record p ON p.record_id = r.perpetrator_id
        LEFT JOIN dim_offence o ON o.offence = r.offence""")
    for table, key in (("perpetrator_record", "perpetrator"), ("proceeding", "proceeding")):
        add_integer_id(con, table, key)


def add_integer_id(con: duckdb.DuckDBPyConnection, table: str, unit: str) -> None:
    """`<unit>_id`, a dense integer per distinct `<unit>_key`: distinct counts on integers
    are several times faster than on the text keys at ten million rows."""
    con.execute(f"""
        CREATE OR REPLACE TABLE "{table}" AS
        SELECT t.*, ids.{unit}_id FROM "{table}" t
        LEFT JOIN (SELECT {unit}_key, row_number() OVER () AS {unit}_id
                   FROM (SELECT DISTINCT {unit}_key FROM "{table}")) ids USING ({unit}_key)""")


def build_services(con: duckdb.DuckDBPyConnection, profile: Profile) -> None:
    """Services, helpline contacts, complaints and aggregate cells."""
    geo = _geo_columns(profile)
    con.execute(f"""
        CREATE OR REPLACE TABLE service AS
        SELECT s.id AS record_id, i.code AS institution, i.type AS institution_type,
               v.person_key, {code("s.service_type")} AS service_type,
               coalesce(year(s.date_start), v.year) AS year,
               coalesce(v.sex, 'UNK') AS sex, coalesce(v.age_band, 'UNK') AS age_band,
               coalesce(v.offence, 'UNK') AS offence,
               s.interviews, s.amount_claimed, s.amount_awarded, s.amount_paid
        FROM src_service s JOIN src_institution i ON i.id = s.institution_id
        LEFT JOIN victim_record v ON v.record_id = s.victim_id""")
    add_integer_id(con, "service", "person")
    con.execute(f"""
        CREATE OR REPLACE TABLE helpline_contact AS
        SELECT h.id AS record_id, i.code AS institution, {_period("h.contact_date")},
               {code("h.channel")} AS channel, {code("h.caller")} AS caller,
               {code("h.offence")} AS offence, {code("h.referred_to")} AS referred_to, {geo}
        FROM src_helpline_contact h JOIN src_institution i ON i.id = h.institution_id
        LEFT JOIN dim_geo g ON g.geo_code = h.geo_code""")
    con.execute(f"""
        CREATE OR REPLACE TABLE complaint AS
        SELECT c.id AS record_id, i.code AS institution, {_period("c.date_filed")},
               {yes_no("c.filed_by_child")} AS filed_by_child,
               {yes_no("c.parental_consent_required")} AS parental_consent_required,
               {code("c.offence")} AS offence, {code("c.outcome")} AS outcome, {geo}
        FROM src_complaint c JOIN src_institution i ON i.id = c.institution_id
        LEFT JOIN dim_geo g ON g.geo_code = c.geo_code""")
    con.execute(f"""
        CREATE OR REPLACE TABLE aggregate AS
        SELECT a.id AS cell_id, a.submission_id, i.code AS institution,
               i.type AS institution_type, a.measure, a.unit,
               CAST(a.period_start AS DATE) AS period_start,
               CAST(a.period_end AS DATE) AS period_end,
               CASE WHEN year(a.period_start) = year(a.period_end)
                    THEN year(a.period_start) END AS year,
               {code("a.geo_code")} AS geo_code, {geo}, {code("a.offence")} AS offence,
               {code("a.sex")} AS sex, {code("a.age_band")} AS age_band,
               {code("a.nationality")} AS nationality,
               {code("a.ethnic_origin")} AS ethnic_origin, {code("a.stage")} AS stage,
               CAST(a.value AS BIGINT) AS value
        FROM src_aggregate_cell a JOIN src_institution i ON i.id = a.institution_id
        LEFT JOIN dim_geo g ON g.geo_code = a.geo_code""")
