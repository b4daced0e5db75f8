"""Linkage runs over the records store: load records, link, store the run as a record.

`run_linkage` links every victim record; `link_new_records` adds records that arrived
since the latest run; `unique_count` counts clusters (unique children) of a run.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select

from opsc.intake.definitions import PERSON_COLUMNS
from opsc.linkage.errors import LinkageError, LinkageInputError
from opsc.linkage.incremental import IncrementalResult, link_incremental
from opsc.linkage.models import LinkageCluster, LinkageDecision, LinkagePair, LinkageRun
from opsc.linkage.pipeline import (
    DEFAULT_CONFIG,
    DERIVED,
    ID,
    Decisions,
    LinkConfig,
    LinkResult,
    derive,
    link,
)
from opsc.linkage.spec import SPECS, VICTIM, Spec
from opsc.records import session
from opsc.records.cases import Case, CaseOffence, Perpetrator, Victim
from opsc.records.institutions import Submission

PACKAGES = ("opsc", "splink", "sqlglot", "duckdb", "pandas", "numpy", "scipy")
_CHUNK = 50_000


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    n_records: int
    n_clusters: int
    n_review: int
    seconds: dict[str, float]


STORE_COLUMNS = (
    *(c for c in VICTIM.input_columns() if c not in DERIVED),
    "age_at_offence",
)


def load_victims(engine: Engine, submissions: Sequence[int] | None = None) -> pd.DataFrame:
    """Victim records as a frame keyed `unique_id` (= victim.id), with their submission.

    `offence_year` (for records that give only an age) is the year of the case's offence,
    else of its report, else the end of the submission's period.
    """
    cols = [getattr(Victim, c) for c in STORE_COLUMNS]
    query = (
        select(
            Victim.id.label(ID),
            Victim.submission_id,
            Victim.key_version,
            *cols,
            Case.date_offence,
            Case.date_reported,
            Submission.period_end,
        )
        .join(Submission, Submission.id == Victim.submission_id)
        .outerjoin(Case, Case.id == Victim.case_id)
    )
    if submissions is not None:
        query = query.where(Victim.submission_id.in_(list(submissions)))
    with engine.connect() as conn:
        frame = pd.read_sql(query.order_by(Victim.id), conn)
    _one_key(frame, "victim")
    _offence_year(frame)
    for column in ("birth_year", "age_at_offence"):
        frame[column] = frame[column].astype("Int64")
    return derive(frame)


def _offence_year(frame: pd.DataFrame) -> None:
    """`offence_year` from the case's offence date, else its report, else the end of the
    submission's period (the three date columns are consumed)."""
    when = frame.pop("date_offence").fillna(frame.pop("date_reported"))
    when = when.fillna(frame.pop("period_end"))
    frame["offence_year"] = pd.to_datetime(when).dt.year.astype("Int64")


def _one_key(frame: pd.DataFrame, entity: str) -> None:
    versions = sorted(set(frame["key_version"].dropna()))
    if len(versions) > 1:
        raise LinkageInputError(
            f"{entity} records carry tokens made with {len(versions)} linkage keys "
            f"({', '.join(versions)}); tokens of different keys never match. Re-pseudonymise "
            "the older submissions with the current key, or link each key_version apart"
        )


def versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def input_hash(frame: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    ordered = frame.sort_values(ID).reset_index(drop=True)
    digest.update(pd.util.hash_pandas_object(ordered, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def load_decisions(engine: Engine, entity: str) -> Decisions:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                LinkageDecision.record_l, LinkageDecision.record_r, LinkageDecision.decision
            ).where(LinkageDecision.entity == entity)
        ).all()
    return Decisions(
        accepted=frozenset((a, b) for a, b, d in rows if d == "match"),
        rejected=frozenset((a, b) for a, b, d in rows if d == "non-match"),
    )


def _review_rows(
    run_id: int, pairs: pd.DataFrame, config: LinkConfig, decided: Decisions
) -> Iterator[dict[str, Any]]:
    p = pairs["match_probability"]
    band = pairs.loc[(p >= config.review_lower) & (p < config.review_upper)]
    weights = [str(c) for c in band.columns if str(c).startswith("mw_")]
    done = decided.accepted | decided.rejected
    for row in band.to_dict("records"):
        pair = (int(row[f"{ID}_l"]), int(row[f"{ID}_r"]))
        if pair in done:
            continue
        yield {
            "run_id": run_id,
            "record_l": pair[0],
            "record_r": pair[1],
            "match_probability": float(row["match_probability"]),
            "match_weight": float(row["match_weight"]),
            "weights": {w[3:]: round(float(row[w]), 4) for w in weights},
        }


def _store(
    engine: Engine,
    frame: pd.DataFrame,
    result: LinkResult | IncrementalResult,
    model: dict[str, Any],
    config: LinkConfig,
    decisions: Decisions,
    parent: int | None = None,
    entity: str = "victim",
) -> RunSummary:
    clusters, pairs, seconds = result.clusters, result.pairs, result.seconds
    with session(engine) as s:
        run = LinkageRun(
            entity=entity,
            engine=config.engine,
            mode=config.mode,
            threshold=config.threshold,
            review_lower=config.review_lower,
            review_upper=config.review_upper,
            parent_run_id=parent,
            input_sha256=input_hash(frame.drop(columns=["key_version"], errors="ignore")),
            submissions=sorted(int(x) for x in frame["submission_id"].dropna().unique()),
            versions=versions(),
            model=model,
            n_records=len(clusters),
            n_clusters=int(clusters["cluster_id"].nunique()),
            seconds={k: round(v, 3) for k, v in seconds.items()},
        )
        s.add(run)
        s.flush()
        run_id = run.id
        rows = [
            {"run_id": run_id, "record_id": int(a), "cluster_id": int(b)}
            for a, b in zip(clusters[ID], clusters["cluster_id"], strict=True)
        ]
        for i in range(0, len(rows), _CHUNK):
            s.execute(insert(LinkageCluster), rows[i : i + _CHUNK])
        review = list(_review_rows(run_id, pairs, config, decisions))
        if review:
            s.execute(insert(LinkagePair), review)
    return RunSummary(
        run_id, len(clusters), int(clusters["cluster_id"].nunique()), len(review), seconds
    )


def _days(values: pd.Series) -> pd.Series:
    """Dates as day numbers (an integer column both engines subtract the same way)."""
    when = pd.to_datetime(values)
    return ((when - pd.Timestamp("1970-01-01")).dt.days).astype("Int64")


def load_cases(engine: Engine, victim_run: int | None = None) -> pd.DataFrame:
    """Case records with the victim cluster of their first victim in a victim run (default:
    the latest), offence and report dates as day numbers, place, main offence, online."""
    run = _run(engine, victim_run, "victim")
    main = (
        select(CaseOffence.case_id, func.min(CaseOffence.offence).label("main_offence"))
        .group_by(CaseOffence.case_id)
        .subquery()
    )
    victims = (
        select(Victim.case_id, func.min(LinkageCluster.cluster_id).label("victim_cluster"))
        .join(
            LinkageCluster,
            (LinkageCluster.record_id == Victim.id) & (LinkageCluster.run_id == run.id),
        )
        .where(Victim.case_id.is_not(None))
        .group_by(Victim.case_id)
        .subquery()
    )
    query = (
        select(
            Case.id.label(ID),
            Case.submission_id,
            Case.date_offence,
            Case.date_reported,
            Case.geo_code,
            Case.online,
            main.c.main_offence,
            victims.c.victim_cluster,
        )
        .outerjoin(main, main.c.case_id == Case.id)
        .outerjoin(victims, victims.c.case_id == Case.id)
        .order_by(Case.id)
    )
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    frame["offence_day"] = _days(frame.pop("date_offence"))
    frame["reported_day"] = _days(frame.pop("date_reported"))
    frame["online"] = frame["online"].map({True: "yes", False: "no"})
    frame["victim_cluster"] = frame["victim_cluster"].astype("Int64")
    frame.attrs["parent_run"] = run.id
    return frame


def load_perpetrators(engine: Engine, case_run: int | None = None) -> pd.DataFrame:
    """Perpetrators who are natural persons, with their pseudonymised names and birth date,
    and the cluster of their case in a case run (default: the latest). `offence_year` and
    `age_at_offence` give a birth year to those recorded with an age only, as for victims.
    Legal persons are not linked here."""
    run = _run(engine, case_run, "case")
    names = [getattr(Perpetrator, c) for c in PERSON_COLUMNS]  # stored as victims' are
    query = (
        select(
            Perpetrator.id.label(ID),
            Perpetrator.submission_id,
            Perpetrator.key_version,
            Perpetrator.tk_identity,
            *names,
            Perpetrator.sex,
            Perpetrator.age.label("age_at_offence"),
            Perpetrator.nationality,
            Perpetrator.role,
            Perpetrator.case_id,
            LinkageCluster.cluster_id.label("case_cluster"),
            Case.date_offence,
            Case.date_reported,
            Submission.period_end,
        )
        .join(Submission, Submission.id == Perpetrator.submission_id)
        .outerjoin(Case, Case.id == Perpetrator.case_id)
        .outerjoin(
            LinkageCluster,
            (LinkageCluster.record_id == Perpetrator.case_id) & (LinkageCluster.run_id == run.id),
        )
        .where(Perpetrator.person_type == "natural")
        .order_by(Perpetrator.id)
    )
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    _one_key(frame, "perpetrator")
    _offence_year(frame)
    for column in ("birth_year", "age_at_offence", "case_cluster", "case_id"):
        frame[column] = frame[column].astype("Int64")
    frame.attrs["parent_run"] = run.id
    return derive(frame)


def run_entity_linkage(
    engine: Engine,
    entity: str,
    config: LinkConfig = DEFAULT_CONFIG,
    upstream_run: int | None = None,
) -> RunSummary:
    """Link cases (on a victim run) or natural-person perpetrators (on a case run) and
    record the run; its parent is the run it rests on."""
    if entity == "victim":
        return run_linkage(engine, config)
    loaders = {"case": load_cases, "perpetrator": load_perpetrators}
    if entity not in loaders:
        raise LinkageError(f"entity {entity!r}: use one of victim, case, perpetrator")
    frame = loaders[entity](engine, upstream_run)
    if frame.empty:
        raise LinkageError(f"no {entity} records in the store: import a submission first")
    decisions = load_decisions(engine, entity)
    result = link(frame, SPECS[entity], config, decisions)
    parent = int(frame.attrs["parent_run"])
    return _store(engine, frame, result, result.model, config, decisions, parent, entity)


def run_linkage(
    engine: Engine,
    config: LinkConfig = DEFAULT_CONFIG,
    spec: Spec = VICTIM,
    reuse_model_of: int | None = None,
) -> RunSummary:
    """Link every victim record in the store and record the run."""
    frame = load_victims(engine)
    if frame.empty:
        raise LinkageError("no victim records in the store: import a submission first")
    decisions = load_decisions(engine, "victim")
    model = _run(engine, reuse_model_of).model if reuse_model_of else None
    result = link(frame, spec, config, decisions, model)
    return _store(engine, frame, result, result.model, config, decisions)


def _run(engine: Engine, run_id: int | None, entity: str = "victim") -> LinkageRun:
    with session(engine) as s:
        query = select(LinkageRun).where(LinkageRun.entity == entity)
        if run_id is not None:
            query = query.where(LinkageRun.id == run_id)
        run = s.scalars(query.order_by(LinkageRun.id.desc()).limit(1)).first()
        if run is None:
            what = f"run {run_id}" if run_id is not None else f"{entity} linkage run"
            raise LinkageError(f"no {what} in the store: run `opsc link` first")
        s.expunge(run)
        return run


def clusters_of(engine: Engine, run_id: int) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(
            select(LinkageCluster.record_id.label(ID), LinkageCluster.cluster_id)
            .where(LinkageCluster.run_id == run_id)
            .order_by(LinkageCluster.record_id),
            conn,
        )


def link_new_records(engine: Engine, config: LinkConfig | None = None) -> RunSummary:
    """Link the victim records not in the latest run against its clusters (no retraining)."""
    parent = _run(engine, None)
    config = config or LinkConfig(
        threshold=parent.threshold,
        review_lower=parent.review_lower,
        review_upper=parent.review_upper,
    )
    frame = load_victims(engine)
    old_clusters = clusters_of(engine, parent.id)
    is_old = frame[ID].isin(old_clusters[ID])
    if is_old.all():
        raise LinkageError(f"no victim records newer than run {parent.id}: nothing to link")
    old_clusters = old_clusters.loc[old_clusters[ID].isin(frame[ID])]
    decisions = load_decisions(engine, "victim")
    result = link_incremental(
        frame.loc[is_old],
        old_clusters,
        frame.loc[~is_old],
        parent.model,
        VICTIM,
        config,
        decisions,
    )
    return _store(engine, frame, result, parent.model, config, decisions, parent.id)


def unique_count(engine: Engine, run_id: int | None = None) -> tuple[int, int]:
    """(run id, number of unique children) of a run (default: the latest)."""
    run = _run(engine, run_id)
    with engine.connect() as conn:
        n = conn.execute(
            select(func.count(func.distinct(LinkageCluster.cluster_id))).where(
                LinkageCluster.run_id == run.id
            )
        ).scalar_one()
    return run.id, int(n)


def delete_run(engine: Engine, run_id: int) -> None:
    with session(engine) as s:
        for table in (LinkagePair, LinkageCluster):
            s.execute(delete(table).where(table.run_id == run_id))
        s.execute(delete(LinkageRun).where(LinkageRun.id == run_id))
