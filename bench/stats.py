"""Benchmark: cube build and queries on N synthetic victim records (default 10,000,000).

Source tables in the store's shape are generated inside DuckDB (hash-based, seeded), the
cube is built from them with the library's own SQL (`finish_cube`), and queries over up to
three dimensions are timed through `Cube.table` against the same query written by hand in
DuckDB SQL on the same fact tables (the anchor). Prints the ratios; the last line is one
JSON object. `--quick` uses 1,000,000 records (under two minutes on 2 cores).

Reading a 10-million-row store through SQLAlchemy is not part of this benchmark (it is the
store's cost, not the cube's); `read_seconds` of a real build is in the cube's metadata.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

from opsc.reference import load_profile
from opsc.stats.cube import BUILD_MEMORY_LIMIT, Cube, configure_build, finish_cube
from opsc.stats.dimensions import age_band_frame, geo_frame, offence_frame
from opsc.stats.keys import KeySource

OFFENCES = (
    "SALE_SEXUAL",
    "SALE_LABOUR",
    "PROSTITUTION_OFFER",
    "PROSTITUTION_PROCURE",
    "PORNOGRAPHY_PRODUCE",
    "PORNOGRAPHY_DISTRIBUTE",
    "SEX_TOURISM",
    "TRAFFICKING_SEXUAL",
    "TRAFFICKING_LABOUR",
    "GROOMING",
    "OTHER_SEXUAL_EXPLOITATION",
)
TYPES = (
    "POLICE",
    "PROSECUTION",
    "JUDICIARY",
    "CHILD_PROTECTION",
    "SHELTER",
    "NGO",
    "MIGRATION",
    "LABOUR_INSPECTION",
)
RISKS = ("UNACCOMPANIED_MIGRANT", "STREET_SITUATION", "OUT_OF_SCHOOL", "INDIGENOUS", "POVERTY")
STAGES = ("REPORT", "INVESTIGATION", "PROSECUTION", "TRIAL", "JUDGEMENT", "ARCHIVED")


def pick(values: tuple[str, ...], salt: int, key: str = "id") -> str:
    """SQL choosing one of `values` from a hash of the row id (deterministic)."""
    items = ", ".join(f"'{v}'" for v in values)
    return f"([{items}])[CAST(1 + hash({key} * 7919 + {salt}) % {len(values)} AS BIGINT)]"


def rnd(n: int, salt: int, key: str = "id") -> str:
    return f"CAST(hash({key} * 104729 + {salt}) % {n} AS BIGINT)"


def make_sources(con: duckdb.DuckDBPyConnection, n: int) -> None:
    cases, persons, true_cases = int(n * 0.8), int(n * 0.6), int(n * 0.45)
    con.execute(
        "CREATE TABLE munis AS SELECT row_number() OVER () - 1 AS k, geo_code "
        "FROM dim_geo WHERE length(geo_code) = 5"
    )
    nm = con.execute("SELECT count(*) FROM munis").fetchone()[0]  # type: ignore[index]
    con.execute(f"""CREATE TABLE src_institution AS SELECT id, 'MX' AS country,
        'I' || id AS code, {pick(TYPES, 1)} AS type, 'state' AS level, NULL AS geo_code
        FROM range(1, 101) t(id)""")
    con.execute(f"""CREATE TABLE src_case_record AS
        SELECT id, 1 AS submission_id, 1 + {rnd(100, 2)} AS institution_id,
               'C' || id AS agency_case_id,
               DATE '2019-01-01' + CAST({rnd(2190, 3)} AS INTEGER) AS date_offence,
               DATE '2019-01-01' + CAST({rnd(2190, 3)} + {rnd(90, 4)} AS INTEGER)
                   AS date_reported,
               m.geo_code, {rnd(5, 5)} = 0 AS online, {rnd(20, 6)} = 0 AS tourism_context,
               {rnd(20, 7)} = 0 AS transnational, {pick(STAGES, 8)} AS stage
        FROM range(1, {cases + 1}) t(id) JOIN munis m ON m.k = {rnd(nm, 9)}""")
    con.execute(f"""CREATE TABLE src_case_offence AS
        SELECT id AS case_id, {pick(OFFENCES, 10)} AS offence, false AS attempt
        FROM range(1, {cases + 1}) t(id)""")
    con.execute(f"""CREATE TABLE src_victim AS
        SELECT v.id, 1 AS submission_id, c.institution_id, 'V' || v.id AS agency_victim_id,
               c.id AS case_id, NULL::INTEGER AS birth_year,
               CASE WHEN {rnd(20, 11, "v.id")} = 0 THEN NULL
                    ELSE {rnd(18, 12, "v.id")} END AS age_at_offence,
               {pick(("F", "F", "M", "U"), 13, "v.id")} AS sex,
               {pick(("MEX",) * 8 + ("GTM", "HND"), 14, "v.id")} AS nationality,
               {pick(("NEITHER", "NAHUATL", "MAYA", "AFRO"), 15, "v.id")} AS ethnic_origin,
               'SPA' AS language, {rnd(20, 16, "v.id")} = 0 AS disability,
               'NOT_MIGRANT' AS migrant_status, {rnd(30, 17, "v.id")} = 0 AS street_situation,
               {rnd(4, 18, "v.id")} > 0 AS in_school,
               {pick(("POVERTY", "EXTREME_POVERTY", "VULNERABLE", "NOT_POOR"), 19, "v.id")}
                   AS socio_economic,
               NULL AS residence_geo, {pick(("STRANGER", "ONLINE_CONTACT", "PARENT"), 20, "v.id")}
                   AS relation_to_perpetrator, {rnd(25, 21, "v.id")} = 0 AS treated_as_offender
        FROM range(1, {n + 1}) v(id)
        JOIN src_case_record c ON c.id = 1 + {rnd(cases, 22, "v.id")}""")
    con.execute(f"""CREATE TABLE src_victim_risk_factor AS
        SELECT id AS victim_id, {pick(RISKS, 23)} AS risk_factor
        FROM range(1, {n + 1}) t(id) WHERE {rnd(3, 24)} = 0""")
    con.execute(
        """CREATE TABLE keys_victims AS
        SELECT i.code AS institution, v.agency_victim_id AS agency_id,
               'P' || CAST(hash(v.id * 31 + 25) % {persons} AS BIGINT) AS key
        FROM src_victim v JOIN src_institution i ON i.id = v.institution_id""".replace(
            "{persons}", str(persons)
        )
    )
    con.execute(f"""CREATE TABLE keys_cases AS
        SELECT i.code AS institution, c.agency_case_id AS agency_id,
               'K' || {rnd(true_cases, 26, "c.id")} AS key
        FROM src_case_record c JOIN src_institution i ON i.id = c.institution_id""")
    perps, procs = int(n * 0.3), int(n * 0.5)
    con.execute(f"""CREATE TABLE src_perpetrator AS
        SELECT id, 1 + {rnd(100, 27)} AS institution_id, 'X' || id AS agency_perpetrator_id,
               1 + {rnd(cases, 28)} AS case_id, 'natural' AS person_type, 'M' AS sex,
               30 AS age, 'MEX' AS nationality, 'PRINCIPAL' AS role,
               {rnd(50, 29)} = 0 AS public_official
        FROM range(1, {perps + 1}) t(id)""")
    con.execute("""CREATE TABLE keys_perpetrators AS
        SELECT i.code AS institution, p.agency_perpetrator_id AS agency_id, 'Q' || p.id AS key
        FROM src_perpetrator p JOIN src_institution i ON i.id = p.institution_id""")
    con.execute(f"""CREATE TABLE src_proceeding AS
        SELECT t.id, p.institution_id, p.case_id, p.id AS perpetrator_id, NULL AS offence,
               {pick(STAGES, 30, "t.id")} AS stage,
               {pick(("CONVICTION", "ACQUITTAL", "DISMISSAL"), 31, "t.id")} AS outcome,
               DATE '2019-02-01' + CAST({rnd(2190, 32, "t.id")} AS INTEGER) AS stage_date,
               NULL::INTEGER AS sentence_months, false AS extradition_requested,
               NULL AS extradition_refusal_ground
        FROM range(1, {procs + 1}) t(id)
        JOIN src_perpetrator p ON p.id = 1 + {rnd(perps, 33, "t.id")}""")
    con.execute(f"""CREATE TABLE src_service AS
        SELECT id, 1 AS institution_id, 1 + {rnd(n, 34)} AS victim_id,
               {pick(("SHELTER", "MEDICAL", "PSYCHOSOCIAL", "CHILD_FRIENDLY_INTERVIEW"), 35)}
                   AS service_type,
               DATE '2020-01-01' + CAST({rnd(1500, 36)} AS INTEGER) AS date_start,
               NULL::DATE AS date_end, 1 + {rnd(3, 37)} AS interviews,
               NULL::DOUBLE AS amount_claimed, NULL::DOUBLE AS amount_awarded,
               NULL::DOUBLE AS amount_paid
        FROM range(1, {procs + 1}) t(id)""")
    small = {
        "src_helpline_contact": "SELECT id, 1 AS institution_id, DATE '2021-01-01' AS "
        "contact_date, 'MOBILE' AS channel, 'CHILD' AS caller, NULL AS offence, '09002' AS "
        "geo_code, NULL AS referred_to FROM range(1, 10001) t(id)",
        "src_complaint": "SELECT id, 1 AS institution_id, DATE '2021-01-01' AS date_filed, "
        "true AS filed_by_child, NULL::BOOLEAN AS parental_consent_required, NULL AS offence, "
        "NULL AS geo_code, NULL AS outcome FROM range(1, 1001) t(id)",
        "src_aggregate_cell": "SELECT id, 1 AS submission_id, 2 AS institution_id, "
        "'victims_identified' AS measure, 'children' AS unit, DATE '2021-01-01' AS "
        "period_start, DATE '2021-12-31' AS period_end, '09' AS geo_code, 'GROOMING' AS "
        "offence, 'F' AS sex, '10-14' AS age_band, NULL AS nationality, NULL AS "
        "ethnic_origin, NULL AS stage, 3 AS value FROM range(1, 1001) t(id)",
        "src_plan": "SELECT 1 AS id, 'MX' AS country, 'plan' AS title, 'MX' AS jurisdiction, "
        "2021 AS start_year, 2024 AS end_year, 'SALE PROSTITUTION' AS offences_covered, "
        "true AS children_consulted, true AS budget_allocated",
        "src_plan_evaluation": "SELECT 1 AS id, 1 AS plan_id, DATE '2023-01-01' AS "
        "evaluated_on, true AS participatory, true AS independent",
        "src_training": "SELECT id, 1 AS institution_id, DATE '2022-01-01' AS date_start, "
        "'police' AS professional_group, 10 AS participants_female, 12 AS participants_male, "
        "0 AS participants_other, 8.0 AS hours, 'sale' AS opsc_areas, 50.0 AS pre_score, "
        "60.0 AS post_score FROM range(1, 1001) t(id)",
        "src_budget_line": "SELECT id, 1 AS institution_id, 'national' AS level, 2022 AS year, "
        "'prevention' AS purpose, 'MXN' AS currency, 1000.0 AS allocated, 900.0 AS executed "
        "FROM range(1, 1001) t(id)",
        "src_campaign": "SELECT 1 AS id, 1 AS institution_id, 'c' AS title, DATE '2022-01-01' "
        "AS date_start, NULL::DATE AS date_end, 'children' AS audience, 'SPA NAH' AS "
        "languages, 1000 AS reach, false AS co_designed_with_children",
        "src_legislation_provision": "SELECT id, 'MX' AS country, 'MX' AS jurisdiction, "
        "'SALE_SEXUAL' AS offence, DATE '2020-01-01' + CAST(id AS INTEGER) AS valid_from, "
        "true AS criminalised, 10 AS statute_of_limitations_years, true AS "
        "legal_person_liability, false AS extraterritorial_jurisdiction, true AS "
        "double_criminality_required, true AS extradition_reciprocity_only "
        "FROM range(1, 11) t(id)",
    }
    for name, sql in small.items():
        con.execute(f"CREATE TABLE {name} AS {sql}")


# (measure, dims, hand-written SQL on the same fact table)
QUERIES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("unique_children", ("sex",), "SELECT sex, count(*) FROM child GROUP BY sex ORDER BY sex"),
    (
        "unique_children",
        ("sex", "age_band"),
        "SELECT sex, age_band, count(*) FROM child GROUP BY ALL ORDER BY ALL",
    ),
    (
        "unique_children",
        ("sex", "age_band", "state"),
        "SELECT sex, age_band, state, count(*) FROM child GROUP BY ALL ORDER BY ALL",
    ),
    (
        "unique_children",
        ("year", "offence", "sex"),
        "SELECT year, offence, sex, count(*) FROM child GROUP BY ALL ORDER BY ALL",
    ),
    (
        "unique_children",
        ("risk_factor", "sex"),
        "SELECT risk_factor, sex, count(*) FROM (SELECT unnest(risk_factors) AS risk_factor, "
        "sex FROM child) GROUP BY ALL ORDER BY ALL",
    ),
    (
        "unique_children",
        ("institution_type", "year"),
        "SELECT institution_type, year, count(*) FROM (SELECT unnest(institution_types) AS "
        "institution_type, year FROM child) GROUP BY ALL ORDER BY ALL",
    ),
    (
        "victim_records",
        ("institution_type", "year", "state"),
        "SELECT institution_type, year, state, count(*) FROM victim_record "
        "GROUP BY ALL ORDER BY ALL",
    ),
    (
        "cases",
        ("offence_group", "year", "state"),
        'SELECT offence_group, year, state, count(*) FROM "case" GROUP BY ALL ORDER BY ALL',
    ),
    (
        "proceedings",
        ("stage", "outcome", "year"),
        "SELECT stage, outcome, year, count(DISTINCT proceeding_id) FROM proceeding "
        "GROUP BY ALL ORDER BY ALL",
    ),
    (
        "perpetrators",
        ("offence_group", "public_official", "year"),
        "SELECT offence_group, public_official, year, count(DISTINCT perpetrator_id) "
        "FROM perpetrator_record GROUP BY ALL ORDER BY ALL",
    ),
    (
        "children_served",
        ("service_type", "year", "sex"),
        "SELECT service_type, year, sex, count(DISTINCT person_id) FROM service "
        "GROUP BY ALL ORDER BY ALL",
    ),
    # 100 institutions: too many cells for bitmaps, so a hash of the ids, like the anchor.
    (
        "proceedings",
        ("institution", "stage", "year"),
        "SELECT institution, stage, year, count(DISTINCT proceeding_id) FROM proceeding "
        "GROUP BY ALL ORDER BY ALL",
    ),
)


def best_of(fn: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_queries(cube: Cube, con: duckdb.DuckDBPyConnection, runs: int) -> list[dict[str, Any]]:
    """Each query through the cube and by hand (median of `runs`), with the ratio."""
    results = []
    for measure, dims, hand in QUERIES:
        cube.table(measure, dims)  # warm
        con.execute(hand).df()
        ours = best_of(lambda m=measure, d=dims: cube.table(m, d), runs)
        anchor = best_of(lambda h=hand: con.execute(h).df(), runs)
        ratio = ours / anchor
        distinct = "bitmap" if "bitstring_agg" in cube.sql(measure, dims)[0] else ""
        results.append(
            {
                "measure": measure,
                "by": list(dims),
                "distinct_by": distinct,
                "cube_s": round(ours, 4),
                "hand_sql_s": round(anchor, 4),
                "ratio": round(ratio, 3),
            }
        )
        print(
            f"{measure:18} by {','.join(dims):32} cube {ours:7.3f} s  hand SQL "
            f"{anchor:7.3f} s  ratio {ratio:5.2f} {distinct}"
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1,000,000 records")
    parser.add_argument("--records", type=int, default=None)
    parser.add_argument(
        "--queries-only",
        type=Path,
        default=None,
        help="time the queries on a cube file a previous run built (its build figures stand)",
    )
    parser.add_argument(
        "--memory-limit",
        default=BUILD_MEMORY_LIMIT,
        help=f"DuckDB memory limit of the build (default {BUILD_MEMORY_LIMIT}; 'none': DuckDB's)",
    )
    args = parser.parse_args()
    if args.queries_only:
        cube = Cube.open(args.queries_only)
        results = time_queries(cube, cube.con, 5)
        print(
            json.dumps(
                {
                    "benchmark": "stats",
                    "cube": str(args.queries_only),
                    "rows": cube.meta["rows"],
                    "queries": results,
                    "slowest_query_seconds": max(r["cube_s"] for r in results),
                    "worst_ratio": max(r["ratio"] for r in results),
                }
            )
        )
        return
    n = args.records or (1_000_000 if args.quick else 10_000_000)
    profile = load_profile("MX")
    tmp = Path(tempfile.mkdtemp(prefix="opsc-bench-stats-"))
    con = duckdb.connect(str(tmp / "cube.duckdb"))
    configure_build(con, None if args.memory_limit == "none" else args.memory_limit)
    con.register("dim_geo", geo_frame(profile))
    con.register("dim_offence", offence_frame(profile))
    con.register("dim_age", age_band_frame(profile))
    start = time.perf_counter()
    make_sources(con, n)
    generate_s = time.perf_counter() - start
    start = time.perf_counter()
    cube: Cube = finish_cube(con, profile, KeySource("truth", "bench"), {}, start)
    build_s = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    db_mb = (tmp / "cube.duckdb").stat().st_size / 2**20
    print(
        f"records {n:,}: sources {generate_s:.1f} s, cube build {build_s:.1f} s, peak RSS "
        f"{rss_mb:,.0f} MB, cube file {db_mb:,.0f} MB ({tmp / 'cube.duckdb'})",
        flush=True,
    )
    results = time_queries(cube, con, 3 if args.quick else 5)
    worst = max(r["cube_s"] for r in results)
    worst_ratio = max(r["ratio"] for r in results)
    print(
        f"records {n:,}: sources {generate_s:.1f} s, cube build {build_s:.1f} s, peak RSS "
        f"{rss_mb:,.0f} MB, cube file {db_mb:,.0f} MB; slowest query {worst:.3f} s, "
        f"worst ratio {worst_ratio:.2f}"
    )
    print(
        json.dumps(
            {
                "benchmark": "stats",
                "records": n,
                "quick": args.quick,
                "rows": cube.meta["rows"],
                "generate_seconds": round(generate_s, 2),
                "build_seconds": round(build_s, 2),
                "peak_rss_mb": round(rss_mb),
                "memory_limit": args.memory_limit,
                "cube_file_mb": round(db_mb),
                "queries": results,
                "slowest_query_seconds": worst,
                "worst_ratio": worst_ratio,
                "target_seconds": 1.0,
                "target_ratio": 1.5,
                "python": platform.python_version(),
                "duckdb": duckdb.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
