"""Bloom filters as 64-bit words, and the Dice comparison level Splink runs on them.

Institutions send each name's Bloom filter as base64. SQL engines have no portable bit
type, so a filter of B bits becomes B/64 signed BIGINT columns plus its popcount; Dice is
then `2·Σ bit_count(l_i & r_i) / (pop_l + pop_r)`, which DuckDB and Spark both run natively.
"""

from __future__ import annotations

import base64
import binascii

import numpy as np
import numpy.typing as npt
import pandas as pd
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.dialects import SplinkDialect

from opsc.linkage.errors import LinkageInputError

WORD_BITS = 64


def word_columns(field: str, n_words: int) -> list[str]:
    return [f"{field}_w{i}" for i in range(n_words)]


def pop_column(field: str) -> str:
    return f"{field}_pop"


def expand_bloom(values: pd.Series, field: str) -> tuple[pd.DataFrame, int]:
    """Columns `<field>_w0..`, `<field>_pop` from base64 filters; missing filters give NULLs.

    Every filter of one field must have the same length (one linkage key, one encoding);
    the error names the first row that differs.
    """
    raw: list[bytes | None] = []
    size = None
    for row, value in enumerate(values.tolist(), start=1):
        if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
            raw.append(None)
            continue
        try:
            data = base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise LinkageInputError(
                f"row {row}, field {field}: {str(value)[:20]!r}… is not base64 ({exc}); "
                "send the filter exactly as `opsc pseudonymise` wrote it"
            ) from exc
        if size is None:
            size = len(data)
        elif len(data) != size:
            raise LinkageInputError(
                f"row {row}, field {field}: filter of {len(data) * 8} bits where earlier rows "
                f"have {size * 8}; all records must be encoded with the same key and settings"
            )
        raw.append(data)
    n_words = max(1, -(-(size or 8) // 8))
    pad = n_words * 8
    present = np.array([r is not None for r in raw], dtype=bool)
    buf = np.zeros((len(raw), pad), dtype=np.uint8)
    for i, r in enumerate(raw):
        if r is not None:
            buf[i, : len(r)] = np.frombuffer(r, dtype=np.uint8)
    words = buf.view(">i8").astype(np.int64)
    pops = np.unpackbits(buf, axis=1).sum(axis=1).astype(np.int64)
    out: dict[str, pd.Series] = {}
    for i, name in enumerate(word_columns(field, n_words)):
        out[name] = _nullable(words[:, i], present, values.index)
    out[pop_column(field)] = _nullable(pops, present, values.index)
    return pd.DataFrame(out, index=values.index), n_words


def _nullable(
    values: npt.NDArray[np.int64], present: npt.NDArray[np.bool_], index: pd.Index
) -> pd.Series:
    return pd.Series(pd.array(values, dtype="Int64"), index=index).where(present)


def dice_sql(field: str, n_words: int) -> str:
    """SQL for the Dice coefficient of two records' filters (NULL if either is missing)."""
    inter = " + ".join(
        f"CAST(bit_count(CAST({w}_l AS BIGINT) & CAST({w}_r AS BIGINT)) AS INTEGER)"
        for w in word_columns(field, n_words)
    )
    pop = pop_column(field)
    # Unquoted names: a double-quoted name is a string literal in Spark SQL.
    return f"(2.0 * ({inter}) / nullif(CAST({pop}_l AS INTEGER) + CAST({pop}_r AS INTEGER), 0))"


def dice_python(a: bytes, b: bytes) -> float:
    """The same coefficient in Python, to check the SQL against."""
    inter = sum(bin(x & y).count("1") for x, y in zip(a, b, strict=True))
    total = sum(bin(x).count("1") for x in a) + sum(bin(y).count("1") for y in b)
    return 2.0 * inter / total if total else 0.0


class DiceLevel(ComparisonLevelCreator):
    """A comparison level: Dice of the two Bloom filters at or above `threshold`."""

    def __init__(self, field: str, n_words: int, threshold: float) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"Dice threshold {threshold} must be in (0, 1]")
        self.field = field
        self.n_words = n_words
        self.threshold = threshold

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        # bit_count and & have the same meaning in DuckDB and Spark SQL: no dialect branch.
        return f"{dice_sql(self.field, self.n_words)} >= {self.threshold}"

    def create_label_for_charts(self) -> str:
        return f"Dice of {self.field} Bloom filters >= {self.threshold}"


class BloomNullLevel(ComparisonLevelCreator):
    """Null level for a Bloom field: either record has no filter."""

    def __init__(self, field: str) -> None:
        self.field = field

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        pop = pop_column(self.field)
        return f"{pop}_l IS NULL OR {pop}_r IS NULL"

    def create_label_for_charts(self) -> str:
        return f"{self.field} filter missing"
