"""Clusters from pairwise edges: connected components, ids that do not depend on order.

A cluster's id is the smallest record id in it, so the same edges always give the same
ids, whatever engine or thread order produced them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

IdArray = npt.NDArray[np.int64]


def components(ids: IdArray, left: IdArray, right: IdArray) -> IdArray:
    """For each id in `ids`, the smallest id of its connected component."""
    ids = np.asarray(ids, dtype=np.int64)
    order = np.sort(ids)
    if len(order) and (np.diff(order) == 0).any():
        raise ValueError("record ids must be unique")
    li = np.searchsorted(order, left)
    ri = np.searchsorted(order, right)
    keep = (li < len(order)) & (ri < len(order))
    keep &= (order[np.minimum(li, len(order) - 1)] == left) & (
        order[np.minimum(ri, len(order) - 1)] == right
    )
    li, ri = li[keep], ri[keep]
    n = len(order)
    graph = coo_matrix((np.ones(len(li), dtype=np.int8), (li, ri)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # order is sorted, so the first member met of each label is its smallest id
    first = np.full(labels.max() + 1 if n else 0, -1, dtype=np.int64)
    for_label = np.unique(labels, return_index=True)
    first[for_label[0]] = order[for_label[1]]
    result: IdArray = first[labels][np.searchsorted(order, ids)]
    return result


def group_edges(frame: pd.DataFrame, id_column: str, key: str) -> tuple[IdArray, IdArray]:
    """Edges joining every record that shares a non-empty `key` (as a chain per key)."""
    sub = frame.loc[frame[key].notna() & (frame[key] != ""), [id_column, key]]
    sub = sub.sort_values([key, id_column], kind="stable")
    same = sub[key].to_numpy()[1:] == sub[key].to_numpy()[:-1]
    ids = sub[id_column].to_numpy(dtype=np.int64)
    return ids[:-1][same], ids[1:][same]
