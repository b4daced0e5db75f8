"""Programme facts: plans, trainings, budgets, campaigns and the legislation matrix."""

from __future__ import annotations

import duckdb

from opsc.stats.build import code, yes_no


def build_programme(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"""
        CREATE OR REPLACE TABLE training AS
        SELECT t.id AS record_id, i.code AS institution, i.type AS institution_type,
               year(t.date_start) AS year, {code("t.professional_group")} AS professional_group,
               coalesce(t.participants_female, 0) AS participants_female,
               coalesce(t.participants_male, 0) AS participants_male,
               coalesce(t.participants_other, 0) AS participants_other,
               coalesce(t.participants_female, 0) + coalesce(t.participants_male, 0)
                   + coalesce(t.participants_other, 0) AS participants,
               t.hours, coalesce(t.opsc_areas, '') AS opsc_areas, t.pre_score, t.post_score
        FROM src_training t JOIN src_institution i ON i.id = t.institution_id""")
    con.execute(f"""
        CREATE OR REPLACE TABLE budget AS
        SELECT b.id AS record_id, i.code AS institution, i.type AS institution_type,
               {code("b.level")} AS level, b.year, {code("b.purpose")} AS purpose,
               b.currency, b.allocated, b.executed
        FROM src_budget_line b JOIN src_institution i ON i.id = b.institution_id""")
    con.execute(f"""
        CREATE OR REPLACE TABLE plan AS
        SELECT p.id AS record_id, p.jurisdiction, p.start_year, p.end_year,
               coalesce(p.offences_covered, '') AS offences_covered,
               {yes_no("p.children_consulted")} AS children_consulted,
               {yes_no("p.budget_allocated")} AS budget_allocated,
               (SELECT count(*) FROM src_plan_evaluation e WHERE e.plan_id = p.id)
                   AS evaluations,
               (SELECT count(*) FROM src_plan_evaluation e
                WHERE e.plan_id = p.id AND e.independent) AS independent_evaluations
        FROM src_plan p""")
    con.execute(f"""
        CREATE OR REPLACE TABLE campaign AS
        SELECT c.id AS record_id, i.code AS institution, year(c.date_start) AS year,
               {code("c.audience")} AS audience, coalesce(c.languages, '') AS languages,
               len(string_split(coalesce(c.languages, ''), ' ')) AS n_languages,
               c.reach, {yes_no("c.co_designed_with_children")} AS co_designed_with_children
        FROM src_campaign c JOIN src_institution i ON i.id = c.institution_id""")
    # The matrix keeps the latest provision per jurisdiction x offence (law in force now).
    con.execute(f"""
        CREATE OR REPLACE TABLE legislation AS
        SELECT jurisdiction, offence, valid_from,
               {yes_no("criminalised")} AS criminalised, statute_of_limitations_years,
               {yes_no("legal_person_liability")} AS legal_person_liability,
               {yes_no("extraterritorial_jurisdiction")} AS extraterritorial_jurisdiction,
               {yes_no("double_criminality_required")} AS double_criminality_required,
               {yes_no("extradition_reciprocity_only")} AS extradition_reciprocity_only
        FROM src_legislation_provision
        QUALIFY row_number() OVER (PARTITION BY jurisdiction, offence
                                   ORDER BY valid_from DESC) = 1""")
