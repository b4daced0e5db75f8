"""Accuracy against known truth: pairwise and cluster precision, recall, F1, B-cubed.

Used by the benchmarks and tests only — real records have no truth column.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 6) for k, v in asdict(self).items()}


def _scores(tp: float, predicted: float, true: float) -> Scores:
    p = tp / predicted if predicted else 1.0
    r = tp / true if true else 1.0
    return Scores(p, r, 2 * p * r / (p + r) if p + r else 0.0)


def _pairs(counts: pd.Series) -> float:
    n = counts.to_numpy(dtype=np.float64)
    return float((n * (n - 1) / 2).sum())


def cluster_pair_scores(cluster: pd.Series, truth: pd.Series) -> Scores:
    """Precision/recall/F1 over all pairs of records put in one cluster (vs one person)."""
    both = pd.DataFrame({"c": cluster.to_numpy(), "t": truth.to_numpy()})
    tp = _pairs(both.groupby(["c", "t"]).size())
    return _scores(tp, _pairs(both.groupby("c").size()), _pairs(both.groupby("t").size()))


def bcubed(cluster: pd.Series, truth: pd.Series) -> Scores:
    """B-cubed: per record, the share of its cluster that is truly it, and vice versa."""
    both = pd.DataFrame({"c": cluster.to_numpy(), "t": truth.to_numpy()})
    cell = both.groupby(["c", "t"])["c"].transform("size").to_numpy(np.float64)
    csize = both.groupby("c")["c"].transform("size").to_numpy(np.float64)
    tsize = both.groupby("t")["t"].transform("size").to_numpy(np.float64)
    p = float((cell / csize).mean())
    r = float((cell / tsize).mean())
    return Scores(p, r, 2 * p * r / (p + r) if p + r else 0.0)


def pairwise_scores(
    left: pd.Series, right: pd.Series, truth_of: pd.Series, n_true_pairs: float
) -> Scores:
    """Scores of predicted pairs (ids `left`, `right`) given each id's true entity."""
    tl = truth_of.reindex(left.to_numpy()).to_numpy()
    tr = truth_of.reindex(right.to_numpy()).to_numpy()
    tp = float((tl == tr).sum())
    return _scores(tp, float(len(left)), n_true_pairs)


def true_pair_count(truth: pd.Series) -> float:
    return _pairs(truth.value_counts())


def summary(clusters: pd.DataFrame, truth: pd.DataFrame, truth_column: str) -> dict[str, object]:
    """Cluster F1 (pairs), B-cubed and the estimated vs true number of entities."""
    m = clusters.merge(truth[["unique_id", truth_column]], on="unique_id", how="inner")
    pair = cluster_pair_scores(m["cluster_id"], m[truth_column])
    b3 = bcubed(m["cluster_id"], m[truth_column])
    est, real = int(m["cluster_id"].nunique()), int(m[truth_column].nunique())
    return {
        "n_records": len(m),
        "cluster_pairs": pair.as_dict(),
        "bcubed": b3.as_dict(),
        "cluster_f1": round(pair.f1, 6),
        "unique_estimated": est,
        "unique_true": real,
        "unique_error_pct": round(100 * (est - real) / real, 4) if real else 0.0,
    }
