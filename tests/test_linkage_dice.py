"""The Dice comparison on Bloom-filter words: SQL agrees with Python, bands are ordered."""

from __future__ import annotations

import base64

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsc.linkage.bloom import dice_python, dice_sql, expand_bloom
from opsc.linkage.comparisons import dice_thresholds
from opsc.linkage.encode import Encoder, normalise, phonetic
from opsc.linkage.errors import LinkageInputError
from opsc.linkage.spec import Fuzzy

ENC = Encoder(b"test-key-not-a-secret-32-bytes!!")


def _sql_dice(a: bytes, b: bytes) -> float | None:
    left, n = expand_bloom(pd.Series([base64.b64encode(a).decode()]), "f")
    right, _ = expand_bloom(pd.Series([base64.b64encode(b).decode()]), "f")
    pair = pd.concat([left.add_suffix("_l").reset_index(drop=True), right.add_suffix("_r")], axis=1)
    con = duckdb.connect()
    con.register("pair", pair)
    value = con.execute(f"SELECT {dice_sql('f', n)} FROM pair").fetchone()
    return None if value is None else value[0]


@settings(max_examples=25, deadline=None)
@given(st.binary(min_size=64, max_size=64), st.binary(min_size=64, max_size=64))
def test_sql_dice_equals_python_dice(a: bytes, b: bytes) -> None:
    expected = dice_python(a, b)
    got = _sql_dice(a, b)
    if not any(a) and not any(b):
        assert got is None  # two empty filters: no evidence, not a match
    else:
        assert got == pytest.approx(expected, abs=1e-12)


def test_odd_length_filters_are_padded_not_truncated() -> None:
    a, b = bytes([0xFF] * 13), bytes([0xFF] * 12 + [0x0F])
    assert _sql_dice(a, b) == pytest.approx(dice_python(a, b))


def _dice(x: str, y: str) -> float:
    fx, fy = ENC.bloom(x, "n"), ENC.bloom(y, "n")
    assert fx and fy
    return dice_python(base64.b64decode(fx), base64.b64decode(fy))


def test_bloom_dice_orders_name_variants() -> None:
    bands = dice_thresholds(Fuzzy("n", "tk", "bf"))
    assert list(bands) == sorted(bands, reverse=True)
    assert _dice("GUADALUPE", "GUADALUPE") == 1.0
    # one transposition changes about four bigrams: inside the two "few bigrams" bands
    assert bands[2] <= _dice("GUADALUPE", "GUADALUEP") < 1.0
    assert _dice("GONZALEZ", "GONZALES") >= bands[1]
    # different names fall below every band (balanced filters keep Dice above zero)
    assert _dice("GUADALUPE", "XIMENA") < bands[-1]
    assert _dice("HERNANDEZ PEREZ", "MARTINEZ LOPEZ") < bands[-1]


def test_filters_depend_on_the_key() -> None:
    other = Encoder(b"another-key-also-not-secret-32b!")
    assert ENC.bloom("MARIA", "n") != other.bloom("MARIA", "n")
    assert ENC.token("MARIA", "n") != other.token("MARIA", "n")
    assert len(ENC.token("MARIA", "n") or "") == 43


def test_normalise_and_phonetic_merge_spellings() -> None:
    assert normalise("  José  Ángel ") == "JOSE ANGEL"
    assert normalise("María de los Ángeles") == "MARIA ANGELES"
    assert phonetic("Velásquez") == phonetic("Belazquez")
    assert phonetic("Jiménez") == phonetic("Gimenes")
    assert phonetic("Yáñez") != phonetic("Pérez")


def test_mixed_filter_lengths_name_the_row() -> None:
    values = pd.Series([ENC.bloom("ANA", "n"), base64.b64encode(b"\x01" * 8).decode()])
    with pytest.raises(LinkageInputError, match="row 2, field bf_x: filter of 64 bits"):
        expand_bloom(values, "bf_x")


def test_bad_base64_names_the_row_and_value() -> None:
    with pytest.raises(LinkageInputError, match=r"row 1, field bf_x: 'not base64!'"):
        expand_bloom(pd.Series(["not base64!"]), "bf_x")


def test_missing_filters_stay_missing() -> None:
    frame, n = expand_bloom(pd.Series([None, ENC.bloom("ANA", "n")]), "bf")
    assert n == 16  # intake's balanced filters: 1,000 bits in 16 words
    assert frame["bf_pop"].isna().tolist() == [True, False]
