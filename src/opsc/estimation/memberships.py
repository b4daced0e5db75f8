"""From linked people to an overlap table: which lists each child is on.

Linkage gives each child a person id (its cluster) and each record the list it came from
(an institution, or an institution type). Lists smaller than `min_list_size` carry almost
no overlap information, so they are pooled into one list; a pool still below the minimum
is dropped and reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from opsc.estimation.errors import EstimationError
from opsc.estimation.table import OverlapTable

POOLED = "OTHER"


@dataclass(frozen=True)
class Membership:
    """One record of a linked child: the person (cluster) id, its list, and strata."""

    person_id: str
    list_name: str
    strata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ListPlan:
    """How source lists became the table's lists, for the report."""

    kept: tuple[str, ...]
    pooled: tuple[str, ...]
    dropped: tuple[str, ...]
    sizes: Mapping[str, int]


def plan_lists(
    pairs: Iterable[tuple[str, str]],
    min_list_size: int = 10,
    groups: Mapping[str, str] | None = None,
) -> ListPlan:
    """Decide which lists to keep, pool and drop, given (person, list) pairs."""
    people: dict[str, set[str]] = defaultdict(set)
    for person, name in pairs:
        people[(groups or {}).get(name, name)].add(person)
    sizes = {name: len(p) for name, p in people.items()}
    kept = tuple(sorted(n for n, s in sizes.items() if s >= min_list_size))
    small = tuple(sorted(n for n, s in sizes.items() if s < min_list_size))
    pooled_size = len(set().union(*(people[n] for n in small))) if small else 0
    if small and pooled_size >= min_list_size:
        return ListPlan(kept, small, (), sizes)
    return ListPlan(kept, (), small, sizes)


def overlap_table(
    pairs: Iterable[tuple[str, str]],
    min_list_size: int = 10,
    groups: Mapping[str, str] | None = None,
) -> tuple[OverlapTable, ListPlan]:
    """Overlap table from (person_id, list_name) pairs, with small lists pooled.

    `groups` maps a source list (e.g. an institution) to the list it belongs to (e.g. its
    institution type) before sizes are counted.
    """
    pairs = list(pairs)
    plan = plan_lists(pairs, min_list_size, groups)
    names = list(plan.kept) + ([POOLED] if plan.pooled else [])
    if len(names) < 2:
        raise EstimationError("too-few-large-lists", lists=len(names), min_size=min_list_size)
    where = {n: i for i, n in enumerate(plan.kept)} | {n: len(plan.kept) for n in plan.pooled}
    masks: dict[str, int] = defaultdict(int)
    for person, name in pairs:
        name = (groups or {}).get(name, name)
        if name in where:
            masks[person] |= 1 << where[name]
    counts = np.zeros(2 ** len(names) - 1)
    for mask in masks.values():
        counts[mask - 1] += 1
    return OverlapTable(tuple(names), counts), plan


def stratify(memberships: Iterable[Membership], by: str) -> dict[str, list[tuple[str, str]]]:
    """(person, list) pairs per stratum (e.g. by sex), one stratum per person.

    Linked records of one child can disagree (one agency recorded the sex wrongly); the
    most frequent value wins, ties going to the alphabetically first, and a child with no
    value falls in "unknown".
    """
    rows = list(memberships)
    votes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for m in rows:
        value = m.strata.get(by)
        if value:
            votes[m.person_id][value] += 1
    stratum = {
        person: min(v.items(), key=lambda kv: (-kv[1], kv[0]))[0] for person, v in votes.items()
    }
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for m in rows:
        out[stratum.get(m.person_id, "unknown")].append((m.person_id, m.list_name))
    return dict(sorted(out.items()))
