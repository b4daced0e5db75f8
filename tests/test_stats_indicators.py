"""Funnel, rates and the indicator catalogue on the synthetic country."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from opsc.stats import CatalogueError, MissingDenominatorError
from opsc.stats.attrition import STAGES, funnel, time_between
from opsc.stats.catalogue import CATALOGUE, catalogue, check, load_catalogue
from opsc.stats.compute import compute, compute_all, headline_indicators, resolve_dims
from opsc.stats.rates import rates
from test_stats_support import demo_cube


def test_funnel_never_grows_and_conversions_match_counts() -> None:
    cube, _ = demo_cube()
    f = funnel(cube)
    stages = f.stages[f.stages["kind"] == "stage"]
    for _, group in stages.groupby(["offence", "year"]):
        cases = group.set_index("step")["cases"].reindex(STAGES).fillna(0).tolist()
        assert cases == sorted(cases, reverse=True)
    judged = f.stages[f.stages["step"] == "JUDGEMENT"].set_index(["offence", "year"])["cases"]
    outcomes = f.stages[f.stages["kind"] == "outcome"].groupby(["offence", "year"])["cases"]
    # Every judged case has an outcome; a case with two perpetrators may have two.
    assert (outcomes.sum().reindex(judged.index).fillna(0) >= judged).all()
    row = f.stages[(f.stages["step"] == "INVESTIGATION") & (f.stages["conversion"].notna())]
    first = row.iloc[0]
    report = f.stages[
        (f.stages["offence"] == first["offence"])
        & (f.stages["year"] == first["year"])
        & (f.stages["step"] == "REPORT")
    ]["cases"].iloc[0]
    assert first["conversion"] == pytest.approx(first["cases"] / report, abs=1e-4)


def test_stage_times_are_ordered_quartiles() -> None:
    cube, _ = demo_cube()
    t = time_between(cube, "REPORT", "JUDGEMENT")
    assert t["n"] > 0
    assert 0 < t["q1_days"] <= t["median_days"] <= t["q3_days"]


def test_rates_carry_denominator_and_match_population() -> None:
    cube, _ = demo_cube()
    table = rates(cube, 2023, ["sex"])
    doc = table.to_json()
    assert doc["denominator"]["table"] == "conapo2023_state"
    assert doc["denominator"]["year"] == 2023 and doc["denominator"]["age_group"] == "0-17"
    pop = {
        r.sex: r.population
        for r in cube.profile.population("conapo2023_state")
        if r.year == 2023 and r.level == "national" and r.age_group == "0-17"
    }
    for cell in doc["cells"]:
        if cell["sex"] in pop:
            assert cell["denominator"] == pop[cell["sex"]]
            assert cell["rate"] == round(cell["numerator"] / pop[cell["sex"]] * 100_000, 2)


def test_missing_denominators_are_errors_not_zeros() -> None:
    cube, _ = demo_cube()
    with pytest.raises(MissingDenominatorError, match="age_band"):
        rates(cube, 2023, ["age_band"])
    with pytest.raises(MissingDenominatorError, match="for 1950"):
        rates(cube, 1950, ["sex"], basis="children")
    municipal = rates(cube, 2023, ["municipality"])
    assert municipal.denominator.age_group == "_total"
    assert "inhabitants" in municipal.denominator.label_en and "all ages" in municipal.note


def test_peru_has_no_child_population_so_rates_say_inhabitants() -> None:
    from opsc.reference import load_profile
    from opsc.stats.rates import choose_denominator

    table, age, note = choose_denominator(load_profile("PE"), 2023, None, "auto")
    assert table.id.startswith("inei_")
    assert age == "_total" and "per 100,000 inhabitants" in note
    with pytest.raises(MissingDenominatorError, match="0-17"):
        choose_denominator(load_profile("PE"), 2023, None, "children")


def test_catalogue_covers_every_obligation_with_40_indicators() -> None:
    cat = catalogue()
    assert len(cat.indicators) >= 40
    assert {i.type for i in cat.indicators} == {"structural", "process", "outcome"}
    for ob in cat.obligations:
        assert cat.serving(ob.id), ob.id
    for ind in cat.indicators:
        assert ind.en and ind.es and ind.paragraphs and ind.articles


def test_catalogue_errors_name_indicator_and_field(tmp_path: Path) -> None:
    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    raw["indicators"][0]["type"] = "outcomes"
    raw["indicators"][1]["formula"] = {"measure": "kids"}
    raw["indicators"][2]["paragraphs"] = ["Mexico 6"]
    problems = check(raw, CATALOGUE)
    assert [p.split(": ")[1] for p in problems] == [
        "indicator S01",
        "indicator S02",
        "indicator S03",
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(CatalogueError, match="type 'outcomes'"):
        load_catalogue(bad)


def test_every_indicator_computes_and_its_disaggregations_exist() -> None:
    cube, _ = demo_cube()
    values = compute_all(cube)
    ok = [v for v in values if v.status == "ok"]
    assert len(ok) >= 40
    assert {v.status for v in values} <= {"ok", "data_gap"}
    for ind in catalogue().indicators:
        for measure in ind.measures():
            allowed = cube.dimensions(measure)
            missing = [d for d in resolve_dims(cube, ind.disaggregations) if d not in allowed]
            assert not missing, (ind.id, measure, missing)


def test_disaggregated_cells_add_up_for_additive_indicators() -> None:
    cube, _ = demo_cube()
    total = compute(cube, "O01", 2023)
    by_sex = compute(cube, "O01", 2023, ["sex"])
    assert by_sex.frame is not None and by_sex.frame["value"].sum() == total.value
    share = compute(cube, "O10", None, ["offence_group"])
    assert share.frame is not None
    assert share.frame["numerator"].sum() == share.meta["numerator"]


def test_headline_lines_name_units_and_key_source() -> None:
    cube, _ = demo_cube()
    lines = headline_indicators(cube)
    assert lines[-1] == f"keys: {cube.key_source}"
    assert any("per 100,000 children aged 0-17" in line for line in lines)
