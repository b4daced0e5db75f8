"""Column formatting: every value written is text, with one fixed format per type.

Fixed formats are what makes the output byte-identical for a seed: ISO dates, integers
without decimals, booleans as `true`/`false`, money with two decimals, empty = missing.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

Column = npt.NDArray[Any]
Table = dict[str, Column]
SYNTHETIC_PREFIX = "SYN-"  # every agency id starts with it: each row says it is synthetic


def dates(values: npt.NDArray[np.datetime64], missing: Any = None) -> Column:
    # Format each distinct day once (a few thousand), then index: 30x faster on 1M rows.
    days = values.astype("datetime64[D]")
    nat = np.isnat(days)
    text = np.full(len(days), "", dtype=object)
    if not nat.all():
        first = days[~nat].min()
        offset = (days[~nat] - first).astype(np.int64)
        table = np.datetime_as_string(first + np.arange(int(offset.max()) + 1), unit="D")
        text[~nat] = table.astype(object)[offset]
    if missing is not None:
        text[missing] = ""
    return text


@lru_cache(maxsize=4)
def _numbers(size: int) -> Column:
    return np.array([str(i) for i in range(size)], dtype=object)


@lru_cache(maxsize=4)
def _padded(size: int) -> Column:
    return np.array([f"{i:07d}" for i in range(size)], dtype=object)


def _table_size(top: int) -> int:
    return 1 << max(10, int(top).bit_length())  # powers of two keep the cache small


def ints(values: npt.NDArray[Any], missing: Any = None) -> Column:
    numbers = values.astype(np.int64)
    if len(numbers) and numbers.min() >= 0 and numbers.max() < 1 << 21:
        text = _numbers(_table_size(int(numbers.max())))[numbers]
    else:
        text = numbers.astype(str).astype(object)
    if missing is not None:
        text[missing] = ""
    return text


def money(values: npt.NDArray[np.float64], missing: Any = None) -> Column:
    text = np.full(len(values), "", dtype=object)
    keep = np.ones(len(values), bool) if missing is None else ~np.asarray(missing, bool)
    # Most amounts are missing (few services are compensation): format only the others.
    text[keep] = [f"{v:.2f}" for v in np.round(values[keep], 2).tolist()]
    return text


BOOL_TEXT = np.array(["false", "true"], dtype=object)


def bools(values: npt.NDArray[Any], missing: Any = None) -> Column:
    text = BOOL_TEXT[values.astype(np.int8)]
    if missing is not None:
        text[missing] = ""
    return text


def texts(values: npt.NDArray[Any], missing: Any = None) -> Column:
    text = values.astype(object)
    if missing is not None:
        text = text.copy()
        text[missing] = ""
    return text


def numbered(prefixes: npt.NDArray[Any] | str, numbers: npt.NDArray[Any]) -> Column:
    """Ids `<prefix><number:07d>`, numbers below 10,000,000."""
    if not len(numbers):
        return np.array([], dtype=object)
    padded = _padded(_table_size(int(numbers.max())))[numbers]
    return padded if isinstance(prefixes, str) and not prefixes else prefixes + padded  # type: ignore[no-any-return]


def take(table: Table, rows: npt.NDArray[np.int64]) -> Table:
    return {name: col[rows] for name, col in table.items()}


def concat(tables: list[Table]) -> Table:
    tables = [t for t in tables if t]  # {} stands for "no rows" (e.g. no court cases yet)
    if not tables:
        return {}
    return {name: np.concatenate([t[name] for t in tables]) for name in tables[0]}


def length(table: Table) -> int:
    return len(next(iter(table.values()))) if table else 0
