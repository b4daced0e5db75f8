"""Rates by age band and single year of age, against a test-only profile with age groups.

The built-in profiles have no population by age (MX: 0-17 by state and sex; PE: all ages),
so the test copies MX into tmp_path and adds a population table of INVENTED numbers
(TEST DATA, not a real population) with rows per age band and per single year. Each rate
is checked against count / population x 100,000 computed here from those invented numbers.
"""

from __future__ import annotations

import dataclasses
import math
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import update

from opsc.records import cases as c
from opsc.reference.profiles import BUILTIN_DIR, Profile
from opsc.stats import Cube, MissingDenominatorError, build_cube, rates
from opsc.synth.params import NoiseRates
from test_stats_support import synthetic_store, truth_keys

YEAR = 2023
BANDS = {"0-4": range(0, 5), "5-9": range(5, 10), "10-14": range(10, 15), "15-17": range(15, 18)}
SEXES = {"Hombres": "M", "Mujeres": "F"}
TABLE_ID = "test_age_bands"


def invented(state: int, sex: str, age: int) -> int:
    """TEST DATA: an invented population of one state, sex and single year of age."""
    return 900 + 53 * state + 7 * age + (11 if sex == "F" else 0)


def write_test_profile(root: Path) -> list[int]:
    """MX's folder plus an invented age-by-sex-by-state population table; its state codes."""
    folder = root / "MX"
    shutil.copytree(BUILTIN_DIR / "MX", folder)
    states = pd.read_csv(folder / "geography" / "states.csv", dtype=str)["cve_ent"]
    codes = [int(s) for s in states]
    rows = []
    for label, sex in [*SEXES.items(), ("Total", "_total")]:
        for state in [0, *codes]:
            ages = {}
            for age in range(18):
                in_states = [state] if state else codes
                sexes = [sex] if sex != "_total" else list(SEXES.values())
                ages[age] = sum(invented(s, x, age) for s in in_states for x in sexes)
            row = {"year": YEAR, "cve_ent": f"{state:02d}", "sexo": label}
            row |= {f"a{a}": n for a, n in ages.items()}
            row |= {f"b{b}": sum(ages[a] for a in r) for b, r in BANDS.items()}
            rows.append(row)
    pd.DataFrame(rows).to_csv(folder / "population" / "test_age_bands.csv", index=False)
    values = ", ".join([f'"{b}" = "b{b}"' for b in BANDS] + [f'"{a}" = "a{a}"' for a in range(18)])
    entry = f"""
[[population]]
id = "{TABLE_ID}"
title = "TEST DATA (invented numbers): population by state, sex, age band and single year"
file = "population/test_age_bands.csv"
layout = "long"
level = "state"
code = "cve_ent"
national_code = "00"
year = "year"
sex = "sexo"
sex_values = {{ Total = "_total", Hombres = "M", Mujeres = "F" }}
values = {{ {values} }}
"""
    toml = (folder / "profile.toml").read_text(encoding="utf-8")
    head, notes = toml.split("[notes]")
    (folder / "profile.toml").write_text(head + entry + "\n[notes]" + notes, encoding="utf-8")
    return codes


def population(ages: range, sex: str | None = None, state: int | None = None) -> int:
    """The invented population summed independently of the code under test."""
    codes = [state] if state is not None else STATES
    sexes = [sex] if sex else list(SEXES.values())
    return sum(invented(s, x, a) for s in codes for x in sexes for a in ages)


STATES: list[int] = []


@pytest.fixture(scope="module")
def cube(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cube]:
    """A small clean synthetic MX with every 7th victim's age removed, on the test profile."""
    tmp = tmp_path_factory.mktemp("rates_age")
    STATES[:] = write_test_profile(tmp / "profiles")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OPSC_PROFILE_PATH", str(tmp / "profiles"))
        engine, out = synthetic_store(tmp, children=600, seed=3, noise=NoiseRates().scaled(0.0))
        with engine.begin() as conn:
            conn.execute(
                update(c.Victim)
                .where(c.Victim.id % 7 == 0)
                .values(age_at_offence=None, birth_year=None)
            )
        built = build_cube(engine, "MX", truth_keys(out, "synthetic:rates_age"))
        engine.dispose()
        assert built.profile.folder == tmp / "profiles" / "MX"
        yield built


def counts(cube: Cube, by: list[str]) -> pd.DataFrame:
    return cube.table("unique_children", by, {"year": YEAR}).frame


def expected(count: int, pop: int) -> float:
    return round(count / pop * 100_000, 2)


def test_rates_by_age_band_are_count_over_the_bands_population(cube: Cube) -> None:
    table = rates(cube, YEAR, ["age_band"])
    got = table.frame.set_index("age_band")
    n = counts(cube, ["age_band"]).set_index("age_band")["value"]
    assert set(BANDS) <= set(got.index) and "UNK" in got.index
    for band, ages in BANDS.items():
        assert got.loc[band, "numerator"] == n[band]
        assert got.loc[band, "denominator"] == population(ages)
        assert got.loc[band, "rate"] == expected(int(n[band]), population(ages))
    unk = got.loc["UNK"]
    assert unk["numerator"] == n["UNK"] > 0 and table.unknown_age == n["UNK"]
    assert math.isnan(unk["rate"]) and math.isnan(unk["denominator"])
    assert "age unknown" in unk["note"] and f"{n['UNK']} child victims" in table.note
    den = table.to_json()["denominator"]
    assert den == {
        "table": TABLE_ID,
        "title": den["title"],
        "year": YEAR,
        "age_group": "0-4, 5-9, 10-14, 15-17",
        "level": "national",
    }
    assert "TEST DATA" in den["title"] and table.to_json()["unknown_age"] == n["UNK"]


def test_rates_by_age_band_and_sex_and_by_state(cube: Cube) -> None:
    frame = rates(cube, YEAR, ["age_band", "sex"]).frame
    n = counts(cube, ["age_band", "sex"]).set_index(["age_band", "sex"])["value"]
    checked = 0
    for row in frame.to_dict("records"):
        if row["age_band"] in BANDS and row["sex"] in ("F", "M"):
            pop = population(BANDS[row["age_band"]], sex=row["sex"])
            assert row["rate"] == expected(int(n[row["age_band"], row["sex"]]), pop)
            checked += 1
        else:
            assert math.isnan(row["rate"]) and row["note"]
    assert checked >= 6
    by_state = rates(cube, YEAR, ["state", "age_band"])
    assert by_state.denominator.level == "state"
    n = counts(cube, ["state", "age_band"]).set_index(["state", "age_band"])["value"]
    known = by_state.frame[by_state.frame["age_band"] != "UNK"]
    assert len(known) >= 10
    for row in known.to_dict("records"):
        pop = population(BANDS[row["age_band"]], state=int(row["state"]))
        assert row["rate"] == expected(int(n[row["state"], row["age_band"]]), pop)


def test_rates_by_single_year_of_age(cube: Cube) -> None:
    table = rates(cube, YEAR, ["age"])
    n = counts(cube, ["age"])
    known = n[n["age"].notna()]
    assert len(known) >= 15
    got = table.frame[table.frame["age"].notna()].set_index("age")
    for age, count in zip(known["age"], known["value"], strict=True):
        assert got.loc[age, "rate"] == expected(int(count), population(range(age, age + 1)))
    assert table.unknown_age == int(n.loc[n["age"].isna(), "value"].sum()) > 0
    assert table.denominator.age_group.startswith("0, 1, 2")


def test_without_population_by_age_the_error_stays(cube: Cube) -> None:
    builtin = dataclasses.replace(cube, profile=Profile(BUILTIN_DIR / "MX"))
    for dim in ("age_band", "age"):
        with pytest.raises(MissingDenominatorError, match=f"no population denominator by {dim}"):
            rates(builtin, YEAR, [dim])
    # Rates by sex still use the 0-17 table, not the age-group one.
    assert rates(cube, YEAR, ["sex"]).denominator.age_group == "0-17"
