"""Train, predict and cluster one Spec over a frame of records with Splink.

Parameters come from Splink's own training: the prior from deterministic rules, u by
seeded random sampling, m by expectation maximisation on blocked pairs. Nothing is
hand-weighted. Deterministic keys and analyst decisions then adjust the graph of edges.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlglot
from splink import Linker, SettingsCreator, block_on

from opsc.linkage.bloom import expand_bloom
from opsc.linkage.comparisons import comparisons, rules
from opsc.linkage.engine import EngineName, EngineOptions, db_api
from opsc.linkage.errors import LinkageError, LinkageInputError
from opsc.linkage.graph import constrained_components, group_edges
from opsc.linkage.spec import Mode, Spec
from opsc.linkage.splink_fix import install as clamp_em_underflow

ID = "unique_id"
APPROX_YEAR = "approx_birth_year"
DERIVED = (APPROX_YEAR, "year_block_even", "year_block_odd", "residence_state")


@dataclass(frozen=True)
class LinkConfig:
    """How a run links: thresholds on the match probability, training sizes, engine."""

    # Pairs at or above it are the same person. 0.5 is the Bayes decision: link when the
    # model finds a match more likely than not, which makes the fewest wrong decisions it
    # expects (it is not tuned on any evaluation answer).
    threshold: float = 0.5
    review_lower: float = 0.3  # pairs in [review_lower, review_upper) go to review
    review_upper: float = 0.98
    mode: Mode = "pseudonymised"
    engine: EngineName = "duckdb"
    seed: int = 42
    u_max_pairs: float = 5e6
    em_max_pairs: float | None = 2e6
    # Share of true matches the deterministic rules find (to estimate λ). None: from the
    # data, as the chance that both records of a pair carry a key (coverage squared).
    prior_recall: float | None = None
    options: EngineOptions = field(default_factory=EngineOptions)

    def __post_init__(self) -> None:
        if not 0 < self.review_lower <= self.threshold <= self.review_upper <= 1:
            raise ValueError(
                f"need 0 < review_lower ({self.review_lower}) <= threshold ({self.threshold}) "
                f"<= review_upper ({self.review_upper}) <= 1"
            )


@dataclass(frozen=True)
class Decisions:
    """Analyst decisions on pairs: matches are joined, non-matches never directly."""

    accepted: frozenset[tuple[int, int]] = frozenset()
    rejected: frozenset[tuple[int, int]] = frozenset()


DEFAULT_CONFIG = LinkConfig()
NO_DECISIONS = Decisions()


@dataclass
class LinkResult:
    clusters: pd.DataFrame  # unique_id, cluster_id
    pairs: pd.DataFrame  # scored pairs at or above review_lower
    model: dict[str, Any]  # the trained Splink model (settings with m and u)
    seconds: dict[str, float]  # wall seconds per stage
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # CPU, all threads, per stage


def prepare(frame: pd.DataFrame, spec: Spec, mode: Mode) -> tuple[pd.DataFrame, dict[str, int]]:
    """The columns Splink needs, sorted by id; Bloom filters become words in that mode."""
    frame = derive(frame)
    missing = [c for c in (ID, *spec.input_columns()) if c not in frame.columns]
    if missing:
        raise LinkageInputError(
            f"records for model {spec.name!r} lack columns {', '.join(missing)}; "
            "load them with opsc.linkage.store.load_victims or add them to the frame"
        )
    out = frame.loc[:, [ID, *spec.input_columns()]].sort_values(ID, kind="stable")
    out = out.reset_index(drop=True)
    if out[ID].duplicated().any():
        dup = out.loc[out[ID].duplicated(), ID].iloc[0]
        raise LinkageInputError(f"{ID} {dup} appears twice; record ids must be unique")
    n_words: dict[str, int] = {}
    if mode == "pseudonymised":
        for name in spec.bloom_fields():
            expanded, n_words[name] = expand_bloom(out[name], name)
            out = pd.concat([out.drop(columns=[name]), expanded], axis=1)
    return out, n_words


def derive(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the columns linkage derives from stored ones (each only if its sources exist):

    - `approx_birth_year`: the birth year, else the offence year less the age at the offence
      (records that give only an age; one year late if the birthday had not yet come);
    - `year_block_even`, `year_block_odd`: that year halved from an even and from an odd
      start, so any two years at most one apart share one of them (blocking on years that
      may be off by one, still as equi-joins);
    - `residence_state`: the first two characters of `residence_geo`.
    """
    new: dict[str, pd.Series] = {}
    if APPROX_YEAR not in frame.columns and "birth_year" in frame.columns:
        year = frame["birth_year"].astype("Int64")
        if {"age_at_offence", "offence_year"} <= set(frame.columns):
            age = frame["age_at_offence"].astype("Int64")
            year = year.fillna(frame["offence_year"].astype("Int64") - age)
        new[APPROX_YEAR] = year
    approx = new.get(APPROX_YEAR, frame.get(APPROX_YEAR))
    if approx is not None:
        new["year_block_even"] = approx // 2
        new["year_block_odd"] = (approx + 1) // 2
    if "residence_geo" in frame.columns and "residence_state" not in frame.columns:
        new["residence_state"] = frame["residence_geo"].str[:2]
    return frame.assign(**new) if new else frame


def settings(spec: Spec, mode: Mode, n_words: dict[str, int]) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name=ID,
        comparisons=comparisons(spec, mode, n_words),
        blocking_rules_to_generate_predictions=rules(spec.blocking),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=[],
    )


def train(linker: Linker, spec: Spec, config: LinkConfig, prepared: pd.DataFrame) -> None:
    """Estimate λ, u and m with Splink's own procedures, seeded."""
    clamp_em_underflow()
    keys = [c for c in spec.deterministic or spec.prior if shared(prepared, (c,))]
    if keys:  # else EM estimates it below
        linker.training.estimate_probability_two_random_records_match(
            [block_on(c) for c in keys], recall=key_recall(prepared, keys, config.prior_recall)
        )
    linker.training.estimate_u_using_random_sampling(max_pairs=config.u_max_pairs, seed=config.seed)
    blocks = [c for c in spec.training if shared(prepared, c)]
    sessions = [  # a block no two records share trains nothing
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(*cols), max_pairs=config.em_max_pairs
        )
        for cols in blocks
    ]
    if not keys and sessions:
        prior_from_sessions(linker, sessions, spec, len(prepared))
    prior = linker.misc.save_model_to_json()["probability_two_random_records_match"]
    if not 0 < prior < 1:  # NaN fails too
        raise untrainable(spec, len(prepared), f"match prior {prior}")


def shared(prepared: pd.DataFrame, columns: tuple[str, ...]) -> bool:
    """Whether two records share all of `columns` (none missing): else a key or a training
    block on them has no pair to learn from."""
    return bool(prepared[list(columns)].dropna().duplicated().any())


def prior_from_sessions(linker: Linker, sessions: list[Any], spec: Spec, n: int) -> None:
    """λ from the EM blocks when no key gives it: each block's own λ adjusted for its
    blocking rule (Splink's procedure). A block where EM found every pair a match (λ ≈ 1,
    seen on small inputs) says nothing about λ this way — Splink 5.0 would turn it into a
    near-1 or NaN prior for the whole model — so it is left out."""
    usable = [
        s for s in sessions if s.core_model_settings.probability_two_random_records_match < 1 - 1e-6
    ]
    if not usable:
        raise untrainable(spec, n, "every training block was all matches")
    every = linker._em_training_sessions
    linker._em_training_sessions = usable
    try:  # Splink's own step (what `populate_…_from_trained_values=True` runs), on those blocks
        linker._populate_probability_two_random_records_match_from_trained_values()  # type: ignore[no-untyped-call]
    finally:
        linker._em_training_sessions = every


def untrainable(spec: Spec, n: int, why: str) -> LinkageError:
    return LinkageError(
        f"the {spec.name} model cannot be trained on these {n} records ({why}): link more "
        f"records at once (more years or institutions) / el modelo {spec.name} no puede "
        f"entrenarse con estos {n} registros ({why}): vincule más registros a la vez "
        "(más años o instituciones)"
    )


def key_recall(prepared: pd.DataFrame, keys: list[str], given: float | None) -> float:
    """The recall of "same key ⇒ same person": `given`, else 1 − Π(1 − coverage²) over the
    keys, coverage being the share of records that carry the key (a pair is found only when
    both records have it). Key errors (typos) would lower it further; this ignores them."""
    if given is not None:
        return given
    missed = 1.0
    for key in keys:
        coverage = float(prepared[key].notna().mean())
        missed *= 1.0 - coverage**2
    return min(1.0, max(0.01, 1.0 - missed))


def make_linker(
    prepared: pd.DataFrame, model: SettingsCreator | dict[str, Any], config: LinkConfig
) -> Linker:
    api = db_api(config.engine, config.options)
    if isinstance(model, dict):
        model = for_dialect(model, api.sql_dialect.sqlglot_dialect)
    return Linker(api.register(prepared), model, log_level=None)


def for_dialect(model: dict[str, Any], dialect: str) -> dict[str, Any]:
    """A saved model's SQL rewritten for another engine's dialect (a model trained on
    DuckDB quotes names with double quotes, which Spark SQL reads as strings)."""
    source = model.get("sql_dialect")
    if source == dialect:
        return model
    out = copy.deepcopy(model)

    def rewrite(sql: str) -> str:
        if sql.strip().upper() == "ELSE":
            return sql
        return str(sqlglot.transpile(sql, read=source, write=dialect)[0])

    for comparison in out.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            if "sql_condition" in level:
                level["sql_condition"] = rewrite(level["sql_condition"])
    for rule in out.get("blocking_rules_to_generate_predictions", []):
        if isinstance(rule, dict) and "blocking_rule" in rule:
            rule["blocking_rule"] = rewrite(rule["blocking_rule"])
            if "sql_dialect" in rule:
                rule["sql_dialect"] = dialect
    out["sql_dialect"] = dialect
    return out


def score(linker: Linker, config: LinkConfig) -> pd.DataFrame:
    predictions = linker.inference.predict(
        threshold_match_probability=config.review_lower, warning_mode="never"
    )
    return normalise_pairs(take(predictions))


def take(splink_frame: Any) -> pd.DataFrame:
    """A Splink result as pandas, dropping the engine's table."""
    frame: pd.DataFrame = splink_frame.as_pandas_dataframe()
    splink_frame.drop_table_from_database_and_remove_from_cache()
    return frame


def normalise_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """Left id below right id, sorted: the same pairs in the same order on every engine."""
    lo = np.minimum(pairs[f"{ID}_l"], pairs[f"{ID}_r"]).astype("int64")
    hi = np.maximum(pairs[f"{ID}_l"], pairs[f"{ID}_r"]).astype("int64")
    pairs = pairs.assign(**{f"{ID}_l": lo, f"{ID}_r": hi})
    keep = [c for c in pairs.columns if c not in ("match_key",)]
    return pairs.loc[:, keep].sort_values([f"{ID}_l", f"{ID}_r"]).reset_index(drop=True)


def cluster(
    prepared: pd.DataFrame,
    pairs: pd.DataFrame,
    spec: Spec,
    config: LinkConfig,
    decisions: Decisions = NO_DECISIONS,
) -> pd.DataFrame:
    """Cluster ids: accepted pairs first, then shared deterministic keys, then pairs at or
    above the threshold, strongest first — skipping any edge that would put two different
    values of the spec's exclusive key (national ID token) or a rejected pair in one cluster.
    """
    strong = pairs.loc[pairs["match_probability"] >= config.threshold]
    lefts = [strong[f"{ID}_l"].to_numpy(np.int64)]
    rights = [strong[f"{ID}_r"].to_numpy(np.int64)]
    strengths = [strong["match_probability"].to_numpy(np.float64)]
    for key in spec.deterministic:
        a, b = group_edges(prepared, ID, key)
        lefts.append(a)
        rights.append(b)
        strengths.append(np.full(len(a), 2.0))
    if decisions.accepted:
        acc = np.array(sorted(decisions.accepted), dtype=np.int64)
        lefts.append(acc[:, 0])
        rights.append(acc[:, 1])
        strengths.append(np.full(len(acc), 3.0))
    left, right = np.concatenate(lefts), np.concatenate(rights)
    strength = np.concatenate(strengths)
    cannot_l, cannot_r = distinct_pairs(prepared, spec.distinct_within)
    if decisions.rejected:
        rejected = np.array(sorted(decisions.rejected), dtype=np.int64)
        cannot_l = np.concatenate([cannot_l, rejected[:, 0]])
        cannot_r = np.concatenate([cannot_r, rejected[:, 1]])
    cannot = (cannot_l, cannot_r) if len(cannot_l) else None
    ids = prepared[ID].to_numpy(np.int64)
    if spec.exclusive:
        codes = pd.factorize(prepared[spec.exclusive], use_na_sentinel=True)[0]
        codes_of = np.asarray(codes, dtype=np.int64)
    else:
        codes_of = np.full(len(ids), -1, dtype=np.int64)
    cluster_ids = constrained_components(ids, left, right, strength, codes_of, cannot)
    return pd.DataFrame({ID: ids, "cluster_id": cluster_ids})


def distinct_pairs(
    prepared: pd.DataFrame, columns: tuple[str, ...]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every pair of records sharing all of `columns` (none missing): certainly distinct."""
    empty = np.zeros(0, dtype=np.int64)
    if not columns:
        return empty, empty
    sub = prepared.dropna(subset=list(columns))
    groups = sub.groupby(list(columns))[ID].apply(list)
    left: list[int] = []
    right: list[int] = []
    for members in groups:
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                left.append(int(a))
                right.append(int(b))
    return np.array(left, dtype=np.int64), np.array(right, dtype=np.int64)


def now() -> tuple[float, float]:
    """Wall and CPU clocks; CPU counts every thread of the process (DuckDB's too)."""
    return time.perf_counter(), time.process_time()


def link(
    frame: pd.DataFrame,
    spec: Spec,
    config: LinkConfig = DEFAULT_CONFIG,
    decisions: Decisions = NO_DECISIONS,
    model: dict[str, Any] | None = None,
) -> LinkResult:
    """Link `frame` (one row per record, `unique_id` plus the spec's columns).

    With `model` (a saved Splink model) training is skipped and that model is applied.
    """
    marks = [now()]
    prepared, n_words = prepare(frame, spec, config.mode)
    linker = make_linker(prepared, model or settings(spec, config.mode, n_words), config)
    marks.append(now())
    if model is None:
        train(linker, spec, config, prepared)
    marks.append(now())
    pairs = score(linker, config)
    marks.append(now())
    clusters = cluster(prepared, pairs, spec, config, decisions)
    marks.append(now())
    stages = ("prepare", "train", "predict", "cluster")
    seconds = {k: b[0] - a[0] for k, (a, b) in zip(stages, pairwise(marks), strict=True)}
    cpu = {k: b[1] - a[1] for k, (a, b) in zip(stages, pairwise(marks), strict=True)}
    saved = linker.misc.save_model_to_json()
    return LinkResult(clusters, pairs, saved, seconds, cpu)
