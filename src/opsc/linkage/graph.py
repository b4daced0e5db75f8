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


def constrained_components(
    ids: IdArray,
    left: IdArray,
    right: IdArray,
    strength: npt.NDArray[np.float64],
    key: npt.NDArray[np.int64],
    cannot: tuple[IdArray, IdArray] | None = None,
) -> IdArray:
    """Clusters from edges, strongest first, never joining two records that must differ.

    `key[i]` is a code of record `ids[i]`'s identifier that two records of one person cannot
    disagree on (the national ID token; -1 when missing); `cannot` lists pairs an analyst
    rejected. An edge that would put two different keys (or a rejected pair) in one cluster
    is skipped, so a chain of weaker edges cannot join two children whose IDs differ. Edges
    of equal strength are taken in id order, so the result does not depend on input order.
    Returns, like `components`, the smallest id of each record's cluster.
    """
    ids = np.asarray(ids, dtype=np.int64)
    order = np.sort(ids)
    n = len(order)
    pos = np.searchsorted(order, ids)
    cluster_key = np.full(n, -1, dtype=np.int64)
    cluster_key[pos] = key
    li, ri = np.searchsorted(order, left), np.searchsorted(order, right)
    # strongest first; ties by ids
    sequence = np.lexsort((ri, li, -np.asarray(strength, dtype=np.float64)))
    parent = np.arange(n, dtype=np.int64)
    forbidden: dict[int, set[int]] = {}
    if cannot is not None:
        for a, b in zip(*cannot, strict=True):
            ia, ib = int(np.searchsorted(order, a)), int(np.searchsorted(order, b))
            forbidden.setdefault(ia, set()).add(ib)
            forbidden.setdefault(ib, set()).add(ia)

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = int(parent[root])
        while parent[x] != root:  # path compression
            parent[x], x = root, int(parent[x])
        return root

    for e in sequence.tolist():
        a, b = find(int(li[e])), find(int(ri[e]))
        if a == b:
            continue
        ka, kb = cluster_key[a], cluster_key[b]
        if ka >= 0 and kb >= 0 and ka != kb:
            continue
        rejected = forbidden.get(a)  # records rejected with one of a's (kept on roots)
        if rejected and any(find(x) == b for x in rejected):
            continue
        root, child = (a, b) if a < b else (b, a)
        parent[child] = root
        cluster_key[root] = ka if ka >= 0 else kb
        if child in forbidden:
            forbidden.setdefault(root, set()).update(forbidden.pop(child))
    roots = np.array([find(i) for i in range(n)], dtype=np.int64)
    result: IdArray = order[roots][pos]
    return result
