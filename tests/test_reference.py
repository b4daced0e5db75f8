"""Country reference data: geography, population control totals, code lists, taxonomy."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opsc.reference import list_profiles, load_profile, national_totals
from opsc.reference.cli import app
from opsc.reference.profiles import BUILTIN_DIR, ProfileError

runner = CliRunner()

OPSC_ART3_ACTS = {
    "3(1)(a)(i)a",
    "3(1)(a)(i)b",
    "3(1)(a)(i)c",
    "3(1)(a)(ii)",
    "3(1)(b)",
    "3(1)(c)",
}


def show_json(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["show", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_builtin_profiles_are_sound() -> None:
    assert [p.code for p in list_profiles()] == ["MX", "PE"]
    for p in list_profiles():
        assert p.check() == []


def test_every_mexican_municipality_with_its_state() -> None:
    rows = show_json("MX", "geography", "--level", "municipality")
    assert len(rows) == 2478
    assert len({r["code"] for r in rows}) == 2478
    first = next(r for r in rows if r["code"] == "01001")
    assert first["state"] == "01" and first["state_name"] == "Aguascalientes"
    assert all(str(r["code"]).startswith(str(r["state"])) for r in rows)
    assert all(len(str(r["code"])) == 5 for r in rows)  # leading zeros kept


def test_peru_geography_and_lima_split() -> None:
    pe = load_profile("PE")
    counts = {g.level: len(pe.geo_units(g.level)) for g in pe.geo_levels}
    assert counts == {"department": 25, "province": 196, "district": 1891}
    districts = {u.code: u for u in pe.geo_units("district")}
    assert districts["150101"].iso_3166_2 == "PE-LMA"  # Lima Metropolitana
    assert districts["150201"].iso_3166_2 == "PE-LIM"  # rest of Lima
    assert districts["010101"].parent == "0101"


def test_mexico_census_2020_reconciles_with_inegi() -> None:
    mx = load_profile("MX")
    for table_id in ("census2020_municipal", "census2020_state"):
        rows = mx.population(table_id)
        assert national_totals(rows)[2020] == 126_014_024
        assert national_totals(rows, "M")[2020] + national_totals(rows, "F")[2020] == 126_014_024


@pytest.mark.parametrize(
    ("country", "table_id"),
    [
        ("MX", "conapo2023_state"),
        ("MX", "conapo_municipal"),
        ("PE", "inei_district_estimates"),
        ("PE", "inei_department_estimates"),
        ("PE", "census2017_department"),
    ],
)
def test_population_tables_match_their_control_totals(country: str, table_id: str) -> None:
    table = load_profile(country).population_table(table_id)
    totals = national_totals(table.rows())
    assert table.control_totals()
    for year, expected in table.control_totals().items():
        assert totals[year] == expected, (table_id, year)


def test_mexico_child_population_by_state_and_sex() -> None:
    rows = load_profile("MX").population("conapo2023_state")
    children = [r for r in rows if r.year == 2020 and r.age_group == "0-17"]
    national = {r.sex: r.population for r in children if r.level == "national"}
    assert national["_total"] == 39_858_596
    states = [r for r in children if r.level == "state" and r.sex == "_total"]
    assert len(states) == 32
    assert sum(r.population for r in states) == national["_total"]
    assert national["M"] + national["F"] == national["_total"]


def test_offence_taxonomy_covers_every_opsc_act_with_an_iccs_code() -> None:
    offences = show_json("MX", "offences")
    acts = {str(o["opsc_article"]) for o in offences}
    assert acts >= OPSC_ART3_ACTS
    for o in offences:
        assert o["iccs_code"], o["code"]
        assert o["iccs_verified"] in {"yes", "no"}
    by_code = {o["code"]: o for o in offences}
    assert by_code["PORNOGRAPHY_POSSESS"]["iccs_code"] == "030221"
    assert by_code["PROSTITUTION_PROCURE"]["iccs_code"] == "030222"
    assert by_code["TRAFFICKING_SEXUAL"]["iccs_code"] == "02041"
    # every verb of art. 3(1)(c) is its own code
    verbs = {c.split("_")[1] for c in by_code if c.startswith("PORNOGRAPHY_")}
    assert verbs == {
        "PRODUCE",
        "DISTRIBUTE",
        "DISSEMINATE",
        "IMPORT",
        "EXPORT",
        "OFFER",
        "SELL",
        "POSSESS",
    }


def test_code_lists_are_bilingual_and_country_specific() -> None:
    mx, pe = load_profile("MX"), load_profile("PE")
    assert "AFROMEXICAN" in mx.codelist("ethnic_origin")
    assert "QUECHUA" in pe.codelist("ethnic_origin") and "AYMARA" in pe.codelist("ethnic_origin")
    assert mx.codelist("age_bands").code_set() == {"0-4", "5-9", "10-14", "15-17", "UNK"}
    nationalities = mx.codelist("nationalities")
    assert nationalities.get("GTM").label_es == "Guatemala"
    assert nationalities.get("MEX").label_es == "México"
    assert len(nationalities) > 240
    for name in mx.codelist_names():
        for code in mx.codelist(name):
            assert code.label_en and code.label_es, (name, code.code)


def test_a_third_country_is_a_folder_not_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "XY"
    shutil.copytree(BUILTIN_DIR / "PE", folder)
    meta = (folder / "profile.toml").read_text(encoding="utf-8")
    (folder / "profile.toml").write_text(meta.replace('code = "PE"', 'code = "XY"'), "utf-8")
    monkeypatch.setenv("OPSC_PROFILE_PATH", str(tmp_path))
    assert [p.code for p in list_profiles()] == ["MX", "PE", "XY"]
    assert len(load_profile("XY").geo_units("district")) == 1891


def test_unknown_country_and_level_get_clear_errors() -> None:
    with pytest.raises(ProfileError, match="known: MX, PE"):
        load_profile("ZZ")
    with pytest.raises(ProfileError, match="levels: state, municipality"):
        load_profile("MX").geo_level("district")
    result = runner.invoke(app, ["show", "ZZ", "offences"])
    assert result.exit_code == 2
    assert "No existe el perfil" in result.output
