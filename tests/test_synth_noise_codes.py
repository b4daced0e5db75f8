"""Identifier noise hits its configured share of records, and every code is valid."""

from __future__ import annotations

import csv
import json
import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsc.reference import load_profile
from opsc.synth import TRUTH_DIR, generate, load_params
from opsc.synth.identity import curp_check_digits
from opsc.synth.noise import strip_accents
from opsc.synth.params import load_names
from opsc.synth.world import completed_years

CHILDREN = 4000


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "mx"
    generate("MX", CHILDREN, "2019-2024", 21, out)
    return out


@pytest.fixture(scope="module")
def victims(country: Path) -> list[tuple[dict[str, str], dict[str, str], set[str]]]:
    """(victim row, true child, noise kinds applied) for every victim record."""
    truth = {r["true_person_id"]: r for r in rows(country / TRUTH_DIR / "children.csv")}
    mapped = {
        (r["institution"], r["agency_id"]): r
        for r in rows(country / TRUTH_DIR / "record_map.csv")
        if r["contract"] == "victims"
    }
    manifest = json.loads((country / "manifest.json").read_text(encoding="utf-8"))
    out = []
    for e in manifest["submissions"]:
        if e["contract"] == "victims":
            for r in rows(country / e["file"]):
                m = mapped[(e["institution"], r["agency_victim_id"])]
                out.append((r, truth[m["true_person_id"]], set(m["noise"].split())))
    return out


def within(hits: int, n: int, rate: float) -> bool:
    """Binomial share within 4 standard errors (plus a little slack for tiny rates)."""
    se = math.sqrt(rate * (1 - rate) / n)
    return abs(hits / n - rate) <= 4 * se + 0.005


def test_noise_rates_within_tolerance_of_settings(victims: list) -> None:  # type: ignore[type-arg]
    rates = load_params("MX").noise
    n = len(victims)
    assert n > 2000
    for kind in (
        "typo",
        "drop_accents",
        "missing_sex",
        "missing_nationality",
        "missing_birth_date",
    ):
        hits = sum(kind in k for _, _, k in victims)
        assert within(hits, n, getattr(rates, kind)), kind
    with_maternal = [v for v in victims if v[1]["maternal_surname"]]
    dropped = sum(r["maternal_surname"] == "" for r, _, _ in with_maternal)
    assert within(dropped, len(with_maternal), rates.drop_maternal)
    two_given = [v for v in victims if " " in v[1]["given_names"]]
    single = sum("drop_second_given" in k for _, _, k in two_given)
    assert within(single, len(two_given), rates.drop_second_given)
    # Kinds that can only touch some records: the rate holds among those.
    nicknames = load_names()["nicknames"]
    eligible = {
        "nickname": [k for _, t, k in victims if t["given_names"].split()[0] in nicknames],
        "day_month_swap": [
            k
            for _, t, k in victims
            if int(t["birth_date"][8:]) <= 12 and t["birth_date"][8:] != t["birth_date"][5:7]
        ],
        "date_off_by_one": [k for _, _, k in victims if "day_month_swap" not in k],
        "swap_surnames": [
            k for _, t, k in victims if t["maternal_surname"] and "drop_maternal" not in k
        ],
        "moved_address": [k for _, _, k in victims],
    }
    for kind, flags in eligible.items():
        hits = sum(kind in k for k in flags)
        assert within(hits, len(flags), getattr(rates, kind)), (kind, hits / len(flags))


def test_files_show_exactly_the_noise_the_truth_records(victims: list) -> None:  # type: ignore[type-arg]
    for row, true, kinds in victims:
        assert (row["sex"] == "U") == ("missing_sex" in kinds)
        if "missing_sex" not in kinds:
            assert row["sex"] == true["sex"]
        assert (row["nationality"] == "") == ("missing_nationality" in kinds)
        if "swap_surnames" in kinds and not kinds & {"typo", "drop_accents"}:
            assert (row["paternal_surname"], row["maternal_surname"]) == (
                true["maternal_surname"],
                true["paternal_surname"],
            )
        if not kinds & {
            "typo",
            "drop_accents",
            "nickname",
            "drop_second_given",
            "drop_maternal",
            "swap_surnames",
        }:
            assert row["given_names"] == true["given_names"]
            assert row["paternal_surname"] == true["paternal_surname"]
            assert row["maternal_surname"] == true["maternal_surname"]
        if "drop_accents" in kinds:
            assert row["paternal_surname"] == strip_accents(row["paternal_surname"])
        if "age_instead_of_dob" in kinds:
            assert row["birth_date"] == "" and row["age"] == true["age_at_offence"]
        elif "missing_birth_date" in kinds:
            assert row["birth_date"] == row["age"] == ""
        elif row["birth_date"]:
            delta = date.fromisoformat(row["birth_date"]) - date.fromisoformat(true["birth_date"])
            if "date_off_by_one" in kinds:
                assert abs(delta) == timedelta(days=1)
            elif "day_month_swap" not in kinds:
                assert delta == timedelta(0)
        if row["national_id"]:
            assert row["national_id"] == true["national_id"]
        assert ("moved_address" in kinds) == (row["residence_geo"] != true["residence_geo"])


def _codes(name: str) -> frozenset[str]:
    return load_profile("MX").codelist(name).code_set()


CODED = {
    "offences": "offences",
    "offence": "offences",
    "sex": "sex",
    "ethnic_origin": "ethnic_origin",
    "language": "languages",
    "migrant_status": "migrant_status",
    "socio_economic": "socio_economic",
    "relation_to_perpetrator": "relation_to_perpetrator",
    "risk_factors": "risk_factors",
    "stage": "justice_stages",
    "outcome": "justice_stages",
    "service_type": "service_types",
    "age_band": "age_bands",
    "unit": "counting_units",
    "role": "participation",
    "nationality": "nationalities",
    "type": "institution_types",
    "level": "institution_levels",
    "languages": "languages",
    "offences_covered": "offences",
}


def test_every_code_in_every_file_is_valid(country: Path) -> None:
    profile = load_profile("MX")
    geo = {u.code for g in profile.geo_levels for u in profile.geo_units(g.level)} | {"MX"}
    lists = {name: _codes(name) for name in set(CODED.values())}
    files = [p for p in country.rglob("*.csv") if TRUTH_DIR not in p.parts]
    checked = 0
    for path in files:
        for line, row in enumerate(rows(path), start=2):
            for column, value in row.items():
                if not value:
                    continue
                if column == "outcome" and path.stem == "complaints":
                    continue  # a commission's own outcome, not a justice stage (no code list)
                if column in CODED:
                    bad = set(value.split()) - lists[CODED[column]]
                    assert not bad, f"{path.name} row {line} {column}: {bad}"
                    checked += 1
                elif column in ("geo_code", "residence_geo", "jurisdiction"):
                    assert value in geo, f"{path.name} row {line} {column}: {value}"
    assert checked > 10_000


def test_curps_have_valid_structure_and_check_digit(victims: list) -> None:  # type: ignore[type-arg]
    curps = {t["national_id"] for _, t, _ in victims if t["national_id"]}
    assert curps
    for c in curps:
        assert len(c) == 18 and c[4:10].isdigit() and c[10] in "HM"
    stems = np.array([c[:17] for c in sorted(curps)], dtype=object)
    assert list(curp_check_digits(stems)) == [c[17] for c in sorted(curps)]


@settings(max_examples=60, deadline=None)
@given(st.dates(date(1990, 1, 1), date(2030, 12, 31)), st.integers(0, 9000))
def testcompleted_years_match_calendar_arithmetic(born: date, days: int) -> None:
    on = born + timedelta(days=days)
    expected = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    got = completed_years(
        np.array([born], dtype="datetime64[D]"), np.array([on], dtype="datetime64[D]")
    )
    assert int(got[0]) == expected


def test_name_lists_are_wide_synthetic_and_say_where_they_come_from() -> None:
    from opsc.synth.params import DATA_DIR

    for path in sorted(DATA_DIR.glob("names_*.toml")):
        text = path.read_text(encoding="utf-8")
        assert "Source:" in text and "synthetic = true" in text, path.name
    names = load_names()
    assert len(names["given_female"]) >= 120 and len(names["given_male"]) >= 120
    assert len(names["surnames"]) >= 180
    lists = [names["given_female"], names["given_male"], names["surnames"]]
    lists += [
        v[k]
        for part in ("indigenous", "foreign")
        for v in names[part].values()
        for k in ("given_female", "given_male", "surnames")
    ]
    for values in lists:
        assert len(values) == len(set(values))
        assert not any(c in v for v in values for c in ',"\n')
    assert set(names["indigenous"]) == {"MX", "PE"}


def test_indigenous_children_more_often_bear_indigenous_surnames(country: Path) -> None:
    native = set(load_names()["indigenous"]["MX"]["surnames"])
    children = rows(country / TRUTH_DIR / "children.csv")
    flagged = [c for c in children if "INDIGENOUS" in c["risk_factors"].split()]
    others = [c for c in children if "INDIGENOUS" not in c["risk_factors"].split()]

    def share(group: list[dict[str, str]]) -> float:
        return sum(c["paternal_surname"] in native for c in group) / len(group)

    assert share(flagged) > 0.4 > 0.1 > share(others)


def test_wrong_birth_dates_never_make_a_victim_an_adult(country: Path) -> None:
    # Intake refuses a victim aged 18 or more at the offence (or born after it).
    entries = json.loads((country / "manifest.json").read_text(encoding="utf-8"))["submissions"]
    offence = {
        r["agency_case_id"]: r["date_offence"]
        for e in entries
        if e["contract"] == "cases"
        for r in rows(country / e["file"])
    }
    pairs = [
        (r["birth_date"], offence[r["agency_case_id"]])
        for e in entries
        if e["contract"] == "victims"
        for r in rows(country / e["file"])
        if r["birth_date"]
    ]
    born, on = (np.array(d, dtype="datetime64[D]") for d in zip(*pairs, strict=True))
    ages = completed_years(born, on)
    assert len(ages) > 1000 and ages.min() >= 0 and ages.max() <= 17
