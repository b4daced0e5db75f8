"""Memberships from the records store: linked children and the lists they are on.

A child is a cluster of the latest victim linkage run (`linkage_run`, `linkage_cluster`,
written by `opsc link`); each of its victim records puts it on its institution's list (or
its institution type's). Without a victim linkage run the estimate is refused with a
clear es/en message rather than counting records as children.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, bindparam, inspect, text

from opsc.estimation.errors import EstimationError
from opsc.estimation.memberships import Membership
from opsc.records.db import connect

AGE_BANDS = ((0, 4, "0-4"), (5, 9, "5-9"), (10, 14, "10-14"), (15, 17, "15-17"))
LIST_COLUMNS = {"institution": "i.code", "institution_type": "i.type"}

_LATEST_RUN = text("SELECT max(id) FROM linkage_run WHERE entity = 'victim'")


def age_band(age: int | None) -> str:
    for low, high, label in AGE_BANDS:
        if age is not None and low <= age <= high:
            return label
    return "unknown"


def memberships_from_store(
    url: str | None, year: int, lists: str = "institution"
) -> list[Membership]:
    """Linked victim records of `year` (date reported, else the submission period)."""
    if lists not in LIST_COLUMNS:
        raise ValueError(f"lists must be one of {', '.join(LIST_COLUMNS)}, not {lists!r}")
    engine = connect(url)
    try:
        tables = set(inspect(engine).get_table_names())
        if not {"linkage_run", "linkage_cluster", "victim"} <= tables:
            raise EstimationError("no-linkage", year=year)
        query = text(
            f"SELECT lc.cluster_id, {LIST_COLUMNS[lists]}, v.sex, v.age_at_offence "
            "FROM linkage_cluster lc JOIN victim v ON v.id = lc.record_id "
            "JOIN institution i ON i.id = v.institution_id "
            "JOIN submission s ON s.id = v.submission_id "
            "LEFT JOIN case_record c ON c.id = v.case_id "
            "WHERE lc.run_id = :run "
            "AND COALESCE(c.date_reported, s.period_start) >= :start "
            "AND COALESCE(c.date_reported, s.period_start) < :end"
        ).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date))
        with engine.connect() as conn:
            run = conn.execute(_LATEST_RUN).scalar()
            if run is None:
                raise EstimationError("no-linkage", year=year)
            rows = conn.execute(
                query, {"run": run, "start": date(year, 1, 1), "end": date(year + 1, 1, 1)}
            )
            out = [
                Membership(str(cluster), str(name), {"sex": sex or "", "age_band": age_band(age)})
                for cluster, name, sex, age in rows
            ]
    finally:
        engine.dispose()
    if not out:
        raise EstimationError("no-linked-records", run=run, year=year)
    return out
