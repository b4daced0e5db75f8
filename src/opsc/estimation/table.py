"""Overlap tables: how many people appear on each combination of lists.

A table over t lists holds all 2^t − 1 observable capture histories, zeros included;
cell c (0-based) is the history whose bit j is set when the person is on list j,
i.e. cell c has bit mask c + 1.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt

from opsc.estimation.errors import EstimationError

MAX_LISTS = 12  # 4,095 cells; more lists than this is a data-preparation mistake


@dataclass(frozen=True)
class OverlapTable:
    """Counts for the 2^t − 1 observable capture histories over named lists."""

    lists: tuple[str, ...]
    counts: npt.NDArray[np.float64]

    def __post_init__(self) -> None:
        t = len(self.lists)
        if not 2 <= t <= MAX_LISTS:
            raise EstimationError(
                "too-few-lists" if t < 2 else "too-many-lists", lists=t, limit=MAX_LISTS
            )
        if self.counts.shape != (2**t - 1,):
            raise ValueError(f"expected {2**t - 1} cells for {t} lists, got {self.counts.shape}")

    @property
    def t(self) -> int:
        return len(self.lists)

    @cached_property
    def masks(self) -> npt.NDArray[np.int64]:
        """Bit mask of each cell (cell c has mask c + 1)."""
        return np.arange(1, 2**self.t, dtype=np.int64)

    @cached_property
    def patterns(self) -> npt.NDArray[np.float64]:
        """0/1 matrix: one row per cell, one column per list."""
        bits = (self.masks[:, None] >> np.arange(self.t)[None, :]) & 1
        return bits.astype(np.float64)

    @property
    def observed(self) -> int:
        return round(float(self.counts.sum()))

    def list_sizes(self) -> dict[str, int]:
        sizes = self.patterns.T @ self.counts
        return {name: round(s) for name, s in zip(self.lists, sizes, strict=True)}

    def overlap(self, term_mask: int) -> float:
        """People on every list of `term_mask` (whatever other lists they are on)."""
        cache = self._overlaps
        if term_mask not in cache:
            inside = (self.masks & term_mask) == term_mask
            cache[term_mask] = float(self.counts[inside].sum())
        return cache[term_mask]

    @cached_property
    def _overlaps(self) -> dict[int, float]:
        return {}

    def covers(self, term_mask: int) -> npt.NDArray[np.float64]:
        """1.0 for the cells on every list of `term_mask`, else 0.0 (cached: model search)."""
        cache = self._covers
        if term_mask not in cache:
            cache[term_mask] = ((self.masks & term_mask) == term_mask).astype(np.float64)
        return cache[term_mask]

    @cached_property
    def _covers(self) -> dict[int, npt.NDArray[np.float64]]:
        return {}

    def with_counts(self, counts: npt.NDArray[np.float64]) -> OverlapTable:
        return OverlapTable(self.lists, np.asarray(counts, dtype=np.float64))

    def rows(self) -> list[dict[str, int]]:
        """Non-zero cells as dicts (list columns then `count`), for CSV and JSON."""
        out = []
        for mask, count in zip(self.masks, self.counts, strict=True):
            if count > 0:
                row = {name: int((mask >> j) & 1) for j, name in enumerate(self.lists)}
                row["count"] = round(count)
                out.append(row)
        return out


def from_histories(
    lists: Sequence[str], histories: Iterable[tuple[Sequence[int], float]]
) -> OverlapTable:
    """A table from (0/1 pattern, count) pairs; repeated patterns are added up."""
    t = len(lists)
    counts = np.zeros(2**t - 1, dtype=np.float64)
    for pattern, count in histories:
        mask = sum(1 << j for j, bit in enumerate(pattern) if bit)
        if mask == 0:
            raise EstimationError("all-zero-history")
        counts[mask - 1] += count
    return OverlapTable(tuple(lists), counts)


def read_csv(path: Path | str) -> OverlapTable:
    """Read a CSV with one 0/1 column per list and a `count` column.

    Errors name the file, the spreadsheet row, the field and the bad value.
    """
    return _parse(Path(path), None)[""]


def read_strata_csv(path: Path | str, by: str) -> dict[str, OverlapTable]:
    """One table per value of the column `by` (e.g. sex), the other columns being lists."""
    return _parse(Path(path), by)


def _parse(path: Path, by: str | None) -> dict[str, OverlapTable]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        if "count" not in header:
            raise EstimationError("missing-count-column", file=str(path), header=",".join(header))
        if by is not None and by not in header:
            raise EstimationError("no-stratum", column=by, columns=", ".join(header))
        lists = [h for h in header if h not in ("count", by)]
        if len(set(lists)) != len(lists):
            raise EstimationError("duplicate-list", file=str(path), header=",".join(header))
        histories: dict[str, list[tuple[list[int], float]]] = {}
        for row_no, raw in enumerate(reader, start=2):  # row 1 is the header
            row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
            pattern = [_cell(path, row_no, name, row.get(name, ""), {"0", "1"}) for name in lists]
            count = _cell(path, row_no, "count", row.get("count", ""), None)
            if count < 0:
                raise EstimationError(
                    "bad-count", file=str(path), row=row_no, field="count", value=row["count"]
                )
            if not any(pattern):
                raise EstimationError("all-zero-history", file=str(path), row=row_no)
            stratum = row.get(by, "") or "unknown" if by is not None else ""
            histories.setdefault(stratum, []).append((pattern, float(count)))
    if not histories:
        histories[""] = []
    return {k: from_histories(lists, v) for k, v in sorted(histories.items())}


def _cell(path: Path, row: int, field: str, value: str, allowed: set[str] | None) -> int:
    if allowed is not None and value not in allowed:
        raise EstimationError("bad-indicator", file=str(path), row=row, field=field, value=value)
    try:
        return int(value)
    except ValueError:
        raise EstimationError(
            "bad-count", file=str(path), row=row, field=field, value=value
        ) from None


def write_csv(table: OverlapTable, path: Path | str) -> None:
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*table.lists, "count"])
        writer.writeheader()
        writer.writerows(table.rows())
