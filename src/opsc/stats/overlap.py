"""Where case-level and aggregate data overlap, which counts, and the reconciliation.

Rule (documented in docs/stats.md): when an institution sent case-level victim records
for a year, its aggregate cells for that same year are NOT counted — the case-level
records are, because they can be linked (unique children) and disaggregated further. The
aggregate cells stay in the store and are compared with the case-level count of the same
cell in the `reconciliation` table, which is itself a report. Aggregate cells of
institutions with no case-level records that year are counted as `aggregate_children`.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from opsc.reference import Profile
from opsc.stats.dimensions import geo_levels

# Cell dimensions compared with the same victim-record column ('UNK' in a cell = all).
_MATCHED = ("offence", "sex", "age_band", "nationality", "ethnic_origin")


def apply_overlap_rule(con: duckdb.DuckDBPyConnection, profile: Profile) -> None:
    con.execute("""
        CREATE OR REPLACE TABLE aggregate AS
        WITH case_level AS (SELECT DISTINCT institution, year FROM victim_record)
        SELECT a.*, cl.institution IS NOT NULL AS overlap, cl.institution IS NULL AS counted
        FROM aggregate a
        LEFT JOIN case_level cl ON cl.institution = a.institution AND cl.year = a.year""")
    geo_match = " OR ".join(f"v.{lvl} = a.geo_code" for lvl in geo_levels(profile))
    dims = " AND ".join(
        f"(a.{d} = 'UNK' OR v.{d} = a.{d}"
        + (" OR v.offence_group = a.offence)" if d == "offence" else ")")
        for d in _MATCHED
    )
    con.execute(f"""
        CREATE OR REPLACE TABLE reconciliation AS
        SELECT a.cell_id, a.institution, a.measure, a.unit, a.year, a.geo_code, a.offence,
               a.sex, a.age_band, a.value AS aggregate_value,
               (SELECT CASE WHEN a.unit = 'records' THEN count(*)
                            ELSE count(DISTINCT v.person_key) END
                FROM victim_record v
                WHERE v.institution = a.institution AND v.year = a.year
                  AND (a.geo_code = 'UNK' OR {geo_match}) AND {dims}) AS case_level_value
        FROM aggregate a WHERE a.overlap""")
    con.execute("""
        CREATE OR REPLACE TABLE reconciliation AS
        SELECT *, aggregate_value - case_level_value AS difference FROM reconciliation
        ORDER BY institution, year, cell_id""")


def reconciliation(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The reconciliation report: overlapping aggregate cells vs case-level counts."""
    return con.execute("SELECT * FROM reconciliation").df()
