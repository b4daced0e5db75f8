"""Coarsening advice: when a table cannot be protected without hiding most of it, which
coarser tables publish more? Each option is one step coarser than the refused table:

- a geographic hierarchy one level up (state instead of municipality);
- a dimension left out (fewer cross-classifications);
- neighbouring categories merged pairwise (wider age bands).

Each option is protected for real when it is small enough, else bounded from below by its
primary cells alone; options come back best first (least information lost).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from opsc.disclosure.errors import DisclosureError
from opsc.disclosure.primary import requirements
from opsc.disclosure.rules import Rules
from opsc.disclosure.table import Table, build_table, inner_frame, link

_PROTECT_MAX_CELLS = 20_000  # larger options are judged on primary cells alone


@dataclass(frozen=True)
class Option:
    """One coarser table and what publishing it would lose."""

    change: str
    dims: tuple[str, ...]
    hierarchy: tuple[tuple[str, ...], ...]
    cells: int
    suppressed: int
    suppressed_nonzero_share: float
    suppressed_count_share: float
    evaluated: str  # "protected" (a full pattern), "refused", or "primary only (at least)"

    def to_dict(self) -> dict[str, object]:
        return {
            "change": self.change,
            "dims": list(self.dims),
            "hierarchy": [">".join(h) for h in self.hierarchy],
            "cells": self.cells,
            "suppressed": self.suppressed,
            "suppressed_nonzero_share": round(self.suppressed_nonzero_share, 4),
            "suppressed_count_share": round(self.suppressed_count_share, 4),
            "evaluated": self.evaluated,
        }


def _natural(code: str) -> tuple[object, ...]:
    """Sort "6-11" before "12-14": digits compare as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", code))


def _candidates(table: Table) -> list[tuple[str, pd.DataFrame, list[list[str]]]]:
    frame = inner_frame(table)
    groups = [list(d.columns) for d in table.dims]
    out: list[tuple[str, pd.DataFrame, list[list[str]]]] = []
    for i, group in enumerate(groups):
        if len(group) > 1:
            coarser = [*groups[:i], group[:-1], *groups[i + 1 :]]
            out.append((f"{group[-2]} instead of {group[-1]}", frame, coarser))
        elif len(groups) > 1:
            out.append((f"without {group[0]}", frame, [*groups[:i], *groups[i + 1 :]]))
        wider = _merged_in_pairs(frame, group)
        if wider is not None:
            out.append((f"{group[-1]} categories merged in pairs", wider, groups))
    return out


def _merged_in_pairs(frame: pd.DataFrame, group: list[str]) -> pd.DataFrame | None:
    """The finest level's neighbouring codes merged in pairs, within their parent (two
    municipalities of different states are never merged); None when no parent has three
    codes or more (merging two is leaving the level out)."""
    codes = frame[group].astype(str)
    paths = codes.drop_duplicates()
    merged: dict[tuple[str, ...], str] = {}
    widest = 0
    for parent, block in paths.groupby(group[:-1], sort=False) if group[:-1] else [((), paths)]:
        finest = sorted(block[group[-1]], key=_natural)
        widest = max(widest, len(finest))
        for j, code in enumerate(finest):
            merged[(*map(str, parent), code)] = "+".join(finest[j - j % 2 : j - j % 2 + 2])
    if widest < 3:
        return None
    rows = codes.itertuples(index=False, name=None)
    return frame.assign(**{group[-1]: [merged[row] for row in rows]})


def coarsening_advice(tables: Sequence[Table], rules: Rules) -> list[Option]:
    """Coarser alternatives to each table, least information lost first."""
    from opsc.disclosure.protect import loss_of, protect  # protect refuses with this advice

    options: list[Option] = []
    for table in tables:
        for change, frame, groups in _candidates(table):
            columns = [c for g in groups for c in g]
            summed = frame.groupby(columns, sort=False)["count"].sum().reset_index()
            hierarchy = tuple(tuple(g) for g in groups if len(g) > 1)
            coarse = build_table(summed, columns, hierarchy=hierarchy, name=table.name)
            system = link([coarse])
            req = requirements(system, rules)
            evaluated = "primary only (at least)"
            loss = loss_of(system, req.primary, req.primary)
            if len(coarse) <= _PROTECT_MAX_CELLS:
                try:
                    loss = protect(coarse, rules, advise=False).loss
                    evaluated = "protected"
                except DisclosureError:
                    evaluated = "refused"
            options.append(
                Option(
                    change,
                    tuple(columns),
                    hierarchy,
                    loss.cells,
                    loss.suppressed,
                    loss.suppressed_nonzero_share,
                    loss.suppressed_count_share,
                    evaluated,
                )
            )
    rank = {"protected": 0, "primary only (at least)": 1, "refused": 2}
    return sorted(options, key=lambda o: (rank[o.evaluated], o.suppressed_nonzero_share, -o.cells))


__all__ = ["Option", "coarsening_advice"]
