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
    objects = values.to_numpy(dtype=object)
    present = np.asarray(pd.notna(objects), dtype=bool)
    present[present] = objects[present] != ""
    texts = [str(v) for v in objects[present].tolist()]
    try:
        raw = [binascii.a2b_base64(t, strict_mode=True) for t in texts]
    except (binascii.Error, ValueError):
        raw = []
    if len(raw) != len(texts) or len({len(r) for r in raw}) > 1:
        _explain(values, field)  # raises, naming the first bad row
    size = len(raw[0]) if raw else 8
    n_words = max(1, -(-size // 8))
    buf = np.zeros((len(objects), n_words * 8), dtype=np.uint8)
    if raw:  # one copy of all filters (they have one size), not one per row
        buf[present, :size] = np.frombuffer(b"".join(raw), dtype=np.uint8).reshape(-1, size)
    words = buf.view(">i8").astype(np.int64)
    pops = np.bitwise_count(buf).sum(axis=1, dtype=np.int64)
    out: dict[str, pd.Series] = {}
    for i, name in enumerate(word_columns(field, n_words)):
        out[name] = _nullable(words[:, i], present, values.index)
    out[pop_column(field)] = _nullable(pops, present, values.index)
    return pd.DataFrame(out, index=values.index), n_words


def _explain(values: pd.Series, field: str) -> None:
    """Find the first filter that is not base64 or differs in size, and say so."""
    size = None
    for row, value in enumerate(values.tolist(), start=1):
        if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
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
    raise LinkageInputError(f"field {field}: filters could not be read; re-send them as base64")


def _nullable(
    values: npt.NDArray[np.int64], present: npt.NDArray[np.bool_], index: pd.Index
) -> pd.Series:
    return pd.Series(pd.arrays.IntegerArray(values, ~present), index=index)


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
