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


def joined_words(codes: list[npt.NDArray[np.int64]], words: list[Column]) -> Column:
    """Per row, the words `words[j][codes[j]]` (code -1: none) joined by spaces.

    Each distinct combination is formatted once (there are few), then indexed: a Python
    string operation per row would cost seconds on a million rows."""
    import pandas as pd

    n = len(codes[0]) if codes else 0
    key = np.zeros(n, dtype=np.int64)
    bound = 1  # every key is below it
    for code, vocab in zip(codes, words, strict=True):
        if bound * (len(vocab) + 1) >= 1 << 62:  # re-number (hashing) before overflowing
            key = pd.factorize(key)[0].astype(np.int64)
            bound = int(key.max()) + 1 if n else 1
        key = key * (len(vocab) + 1) + (code + 1)
        bound *= len(vocab) + 1
    group, distinct = pd.factorize(key)
    # Any row of a group stands for it: its codes, hence its text, are the group's.
    first = np.zeros(len(distinct), dtype=np.int64)
    first[group] = np.arange(n)
    texts = [
        " ".join(str(w[code[r]]) for code, w in zip(codes, words, strict=True) if code[r] >= 0)
        for r in first.tolist()
    ]
    return np.array(texts, dtype=object)[group]


def flag_words(flags: list[npt.NDArray[np.bool_]], words: list[str]) -> Column:
    """Per row, the words whose flag is set, joined by spaces."""
    codes = [np.where(f, 0, -1).astype(np.int64) for f in flags]
    return joined_words(codes, [np.array([w], dtype=object) for w in words])


def arrow() -> Any:
    """pyarrow, loaded on first use. It comes with splink (a dependency) and is pinned in
    constraints.txt; its C++ CSV writer writes the synthetic country's files."""
    import pyarrow
    import pyarrow.csv

    return pyarrow


class Vocab:
    """Distinct texts, formatted once; their Arrow form is built on first use and kept."""

    def __init__(self, texts: Column) -> None:
        self.texts = np.asarray(texts, dtype=object)
        self._arrow: Any = None

    def arrow(self) -> Any:
        if self._arrow is None:
            pa = arrow()
            # A last entry "" stands for the code -1 (missing).
            self._arrow = pa.array([*self.texts.tolist(), ""], type=pa.string())
        return self._arrow


class Coded:
    """A text column kept as codes into a vocabulary (-1: empty) until it is written:
    no Python string per row, and Arrow writes it at C++ speed. For write-only tables
    (truth files); submission tables stay plain arrays."""

    def __init__(self, vocab: Vocab | Column, codes: npt.NDArray[Any]) -> None:
        self.vocab = vocab if isinstance(vocab, Vocab) else Vocab(vocab)
        self.codes = np.asarray(codes, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, rows: Any) -> Coded:
        return Coded(self.vocab, self.codes[rows])

    def texts(self) -> Column:
        return np.append(self.vocab.texts, "")[self.codes]

    def tolist(self) -> list[str]:
        return self.texts().tolist()  # type: ignore[no-any-return]

    def arrow(self) -> Any:
        pa = arrow()
        codes = np.where(self.codes < 0, len(self.vocab.texts), self.codes)
        return self.vocab.arrow().take(pa.array(codes))


def constant(text: str, n: int) -> Coded:
    return Coded(np.array([text], dtype=object), np.zeros(n, dtype=np.int64))


Cells = Column | Coded  # a column of a write-only table
