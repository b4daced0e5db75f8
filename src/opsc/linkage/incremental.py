"""Link new records against an existing linkage without re-running everything.

The trained model of the existing run is reused (no training); Splink scores only pairs
between the new records and the existing ones (`predict_between`) and among the new records
(`predict_within`). Existing clusters act as single nodes, so a new record may join a
cluster, start one, or — when it is the missing link — merge two.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from splink import Linker

from opsc.linkage.engine import db_api
from opsc.linkage.graph import constrained_components, group_edges
from opsc.linkage.pipeline import (
    DEFAULT_CONFIG,
    ID,
    NO_DECISIONS,
    Decisions,
    LinkConfig,
    normalise_pairs,
    prepare,
    take,
)
from opsc.linkage.spec import Spec


@dataclass
class IncrementalResult:
    clusters: pd.DataFrame  # unique_id, cluster_id for old and new records
    pairs: pd.DataFrame  # scored pairs involving a new record
    seconds: dict[str, float]


def link_incremental(
    existing: pd.DataFrame,
    existing_clusters: pd.DataFrame,
    new: pd.DataFrame,
    model: dict[str, Any],
    spec: Spec,
    config: LinkConfig = DEFAULT_CONFIG,
    decisions: Decisions = NO_DECISIONS,
) -> IncrementalResult:
    """Assign `new` records (raw frame, same columns as `existing`) to clusters."""
    t0 = time.perf_counter()
    overlap = set(existing[ID]) & set(new[ID])
    if overlap:
        raise ValueError(f"records {sorted(overlap)[:5]} are already linked; pass only new ones")
    old_p, _ = prepare(existing, spec, config.mode)
    new_p, _ = prepare(new, spec, config.mode)
    api = db_api(config.engine, config.options)
    old_df = api.register(old_p, dataset_display_name="existing")
    new_df = api.register(new_p, dataset_display_name="new")
    linker = Linker(new_df, model, log_level=None)
    # Term frequencies over every record, old and new, as a full run would compute them.
    for column in spec.term_frequency_columns():
        lookup = term_frequencies(pd.concat([old_p[column], new_p[column]]), column)
        tf_df = api.register(lookup, dataset_display_name=f"tf_{column}")
        linker.table_management.register_term_frequency_lookup(tf_df, column)
    t1 = time.perf_counter()
    frames = []
    for result in (
        linker.inference.predict_between(
            old_df, new_df, threshold_match_probability=config.review_lower, warning_mode="never"
        ),
        linker.inference.predict_within(
            new_df, threshold_match_probability=config.review_lower, warning_mode="never"
        ),
    ):
        frames.append(take(result))
    pairs = normalise_pairs(pd.concat(frames, ignore_index=True))
    t2 = time.perf_counter()
    clusters = _assign(old_p, existing_clusters, new_p, pairs, spec, config, decisions)
    t3 = time.perf_counter()
    return IncrementalResult(
        clusters, pairs, {"prepare": t1 - t0, "predict": t2 - t1, "cluster": t3 - t2}
    )


def term_frequencies(values: pd.Series, column: str) -> pd.DataFrame:
    """Splink's term-frequency lookup: each value's share of the non-missing values."""
    counts = values.dropna().value_counts()
    return pd.DataFrame({column: counts.index, f"tf_{column}": (counts / counts.sum()).to_numpy()})


def _assign(
    old_p: pd.DataFrame,
    old_clusters: pd.DataFrame,
    new_p: pd.DataFrame,
    pairs: pd.DataFrame,
    spec: Spec,
    config: LinkConfig,
    decisions: Decisions,
) -> pd.DataFrame:
    cluster_of = old_clusters.set_index(ID)["cluster_id"]
    strong = pairs.loc[pairs["match_probability"] >= config.threshold]
    left = [strong[f"{ID}_l"].to_numpy(np.int64)]
    right = [strong[f"{ID}_r"].to_numpy(np.int64)]
    strengths = [strong["match_probability"].to_numpy(np.float64)]
    both = pd.concat([old_p, new_p], ignore_index=True)
    new_ids = new_p[ID].to_numpy(np.int64)
    for key in spec.deterministic:
        a, b = group_edges(both, ID, key)
        touches_new = np.isin(a, new_ids) | np.isin(b, new_ids)
        left.append(a[touches_new])
        right.append(b[touches_new])
        strengths.append(np.full(int(touches_new.sum()), 2.0))
    fresh = set(new_ids.tolist())
    acc = [p for p in decisions.accepted if p[0] in fresh or p[1] in fresh]
    if acc:
        arr = np.array(sorted(acc), dtype=np.int64)
        left.append(arr[:, 0])
        right.append(arr[:, 1])
        strengths.append(np.full(len(arr), 3.0))
    # Nodes: existing clusters (by their id) and new records. Old ids map to their cluster;
    # the same rules as a full run: strongest first, never two national IDs or a rejected
    # pair in one cluster.
    ll = _node(cluster_of, np.concatenate(left))
    rr = _node(cluster_of, np.concatenate(right))
    nodes = np.union1d(cluster_of.unique().astype(np.int64), new_ids)
    cannot = None
    if decisions.rejected:
        rejected = np.array(sorted(decisions.rejected), dtype=np.int64)
        cannot = (_node(cluster_of, rejected[:, 0]), _node(cluster_of, rejected[:, 1]))
        inside = cannot[0] == cannot[1]  # a rejected pair already together stays so
        cannot = (cannot[0][~inside], cannot[1][~inside])
    keys = _node_keys(nodes, cluster_of, both, spec)
    strength = np.concatenate(strengths)
    root = pd.Series(constrained_components(nodes, ll, rr, strength, keys, cannot), index=nodes)
    old = old_clusters.assign(cluster_id=root.reindex(old_clusters["cluster_id"]).to_numpy())
    new = pd.DataFrame({ID: new_p[ID], "cluster_id": root.reindex(new_p[ID]).to_numpy()})
    out = pd.concat([old[[ID, "cluster_id"]], new], ignore_index=True)
    return out.sort_values(ID).reset_index(drop=True).astype("int64")


def _node_keys(
    nodes: npt.NDArray[np.int64], cluster_of: pd.Series, both: pd.DataFrame, spec: Spec
) -> npt.NDArray[np.int64]:
    """Each node's code of the exclusive key (first value among its records; -1 if none)."""
    if not spec.exclusive:
        return np.full(len(nodes), -1, dtype=np.int64)
    codes = pd.Series(
        pd.factorize(both[spec.exclusive], use_na_sentinel=True)[0], index=both[ID].to_numpy()
    )
    node_of = pd.Series(_node(cluster_of, both[ID].to_numpy(np.int64)), index=codes.index)
    present = codes[codes >= 0]
    first = present.groupby(node_of.reindex(present.index).to_numpy()).first()
    return first.reindex(nodes).fillna(-1).to_numpy(np.int64)


def _node(cluster_of: pd.Series, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """An existing record stands for its cluster; a new record for itself."""
    mapped = cluster_of.reindex(ids).to_numpy(dtype=np.float64)
    return np.where(np.isnan(mapped), ids, mapped).astype(np.int64)
