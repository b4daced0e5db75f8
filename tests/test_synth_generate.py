"""The synthetic country: determinism, truth consistent with the files, valid codes."""

from __future__ import annotations

import csv
import hashlib
import json
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from opsc.reference import load_profile
from opsc.synth import TRUTH_DIR, SynthError, generate, parse_years
from opsc.synth.cli import app
from opsc.synth.generate import CONTRACT_ORDER
from opsc.synth.world import Period

CASE_LEVEL = ("cases", "victims", "perpetrators", "proceedings", "services")


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def mx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "mx"
    generate("MX", 1500, "2019-2024", 11, out)
    return out


@pytest.fixture(scope="module")
def pe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "pe"
    generate("PE", 800, "2020-2023", 3, out)
    return out


def manifest(out: Path) -> dict[str, object]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def submissions(out: Path, contract: str) -> list[tuple[str, dict[str, str]]]:
    """(institution code, row) for every row of every file of `contract`."""
    found = []
    for entry in manifest(out)["submissions"]:  # type: ignore[attr-defined]
        if entry["contract"] == contract:
            found += [(entry["institution"], r) for r in rows(out / entry["file"])]
    return found


def test_same_seed_same_bytes_and_other_seed_differs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opsc.synth import sink

    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    monkeypatch.setattr(sink, "_parallel_default", lambda: True)  # a forked writer
    generate("MX", 300, "2021-2022", 5, a)
    monkeypatch.setattr(sink, "_parallel_default", lambda: False)  # written in-process
    generate("MX", 300, "2021-2022", 5, b)
    generate("MX", 300, "2021-2022", 6, c)
    assert digest(a) == digest(b)
    assert digest(a) != digest(c)


def test_xlsx_output_is_deterministic_and_says_synthetic(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    generate("PE", 150, "2022-2023", 2, tmp_path / "a", "xlsx")
    generate("PE", 150, "2022-2023", 2, tmp_path / "b", "xlsx")
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    book = load_workbook(tmp_path / "a" / "institutions.xlsx", read_only=True)
    assert book.properties.title is not None and "SYNTHETIC" in book.properties.title
    header = next(book["data"].iter_rows(values_only=True))
    assert header == ("code", "name", "type", "level", "geo_code")


def test_manifest_lists_every_file_in_dependency_order(mx: Path) -> None:
    m = manifest(mx)
    assert m["synthetic"] is True and m["country"] == "MX" and m["seed"] == 11
    entries = m["submissions"]
    assert isinstance(entries, list)
    listed = {e["file"] for e in entries}
    written = {
        str(p.relative_to(mx))
        for p in mx.rglob("*.csv")
        if TRUTH_DIR not in p.parts and p.name != "institutions.csv"
    }
    assert listed == written
    ranks = [CONTRACT_ORDER.index(e["contract"]) for e in entries]
    assert ranks == sorted(ranks)
    codes = {r["code"] for r in rows(mx / "institutions.csv")}
    assert {e["institution"] for e in entries} <= codes
    for e in entries:
        assert e["rows"] == len(rows(mx / e["file"]))
    assert "SYNTHETIC" in (mx / "README.txt").read_text(encoding="utf-8")


def test_every_agency_id_says_synthetic_and_is_unique(mx: Path) -> None:
    for contract, column in (
        ("cases", "agency_case_id"),
        ("victims", "agency_victim_id"),
        ("perpetrators", "agency_perpetrator_id"),
        ("proceedings", "agency_proceeding_id"),
        ("services", "agency_service_id"),
    ):
        ids = [r[column] for _, r in submissions(mx, contract)]
        assert ids and all(i.startswith("SYN-") for i in ids)
        assert len(set(ids)) == len(ids)


def test_references_resolve_within_each_institution(mx: Path) -> None:
    cases = {(i, r["agency_case_id"]) for i, r in submissions(mx, "cases")}
    victims = {(i, r["agency_victim_id"]) for i, r in submissions(mx, "victims")}
    perps = {(i, r["agency_perpetrator_id"]) for i, r in submissions(mx, "perpetrators")}
    for contract in ("victims", "perpetrators", "proceedings"):
        assert all((i, r["agency_case_id"]) in cases for i, r in submissions(mx, contract))
    assert all((i, r["agency_perpetrator_id"]) in perps for i, r in submissions(mx, "proceedings"))
    assert all((i, r["agency_victim_id"]) in victims for i, r in submissions(mx, "services"))


def test_truth_ids_exist_and_counts_match_the_records(mx: Path) -> None:
    truth = mx / TRUTH_DIR
    children = {r["true_person_id"]: r for r in rows(truth / "children.csv")}
    cases = {r["true_case_id"] for r in rows(truth / "cases.csv")}
    perps = {r["true_perpetrator_id"] for r in rows(truth / "perpetrators.csv")}
    record_map = rows(truth / "record_map.csv")
    summary = json.loads((truth / "summary.json").read_text(encoding="utf-8"))
    assert len(children) == summary["children_total"] == 1500
    assert all(r["true_case_id"] in cases for r in record_map)
    assert all(r["true_person_id"] in children for r in record_map if r["true_person_id"])
    assert all(r["true_perpetrator_id"] in perps for r in record_map if r["true_perpetrator_id"])
    # One map row per submitted case-level row, and the same agency ids.
    for contract in CASE_LEVEL:
        mapped = {
            (r["institution"], r["agency_id"]) for r in record_map if r["contract"] == contract
        }
        column = {
            "cases": "agency_case_id",
            "victims": "agency_victim_id",
            "perpetrators": "agency_perpetrator_id",
            "proceedings": "agency_proceeding_id",
            "services": "agency_service_id",
        }[contract]
        assert mapped == {(i, r[column]) for i, r in submissions(mx, contract)}
        assert summary["rows"][contract] == len(mapped)
    # Recorded children = those in some victim file or counted by an aggregate institution.
    registry = {r["code"]: r for r in rows(mx / "institutions.csv")}
    in_files = {r["true_person_id"] for r in record_map if r["contract"] == "victims"}
    aggregate_inst = {
        e["institution"]
        for e in manifest(mx)["submissions"]  # type: ignore[attr-defined]
        if e["contract"] == "aggregate_cells"
    }
    counted = {p for p, c in children.items() if set(c["recorded_by"].split()) & aggregate_inst}
    recorded = {p for p, c in children.items() if c["recorded_by"]}
    assert in_files | counted == recorded
    assert len(recorded) == summary["children_recorded"]
    assert summary["children_unrecorded"] == 1500 - len(recorded) > 0
    lists = Counter(c["lists"] for c in children.values())
    assert {k: v for k, v in summary["children_by_number_of_lists"].items() if v} == dict(lists)
    assert all(code in registry for c in children.values() for code in c["recorded_by"].split())


def test_aggregate_cells_equal_the_truth(mx: Path) -> None:
    children = rows(mx / TRUTH_DIR / "children.csv")
    cells = submissions(mx, "aggregate_cells")
    assert cells
    for inst in {i for i, _ in cells}:
        total = sum(int(r["value"]) for i, r in cells if i == inst)
        assert total == sum(inst in c["recorded_by"].split() for c in children)
    labour = [r for i, r in cells if i == "MX-STPS"]
    assert {r["offence"] for r in labour} <= {"SALE_LABOUR", "TRAFFICKING_LABOUR"}


def test_standard_tables_sum_to_the_truth(mx: Path) -> None:
    tables = mx / TRUTH_DIR / "tables"
    children = rows(mx / TRUTH_DIR / "children.csv")
    by_year = Counter((c["year"], c["offence"], c["sex"]) for c in children)
    table = rows(tables / "children_by_year_offence_sex.csv")
    assert {(r["year"], r["offence"], r["sex"]): int(r["count"]) for r in table} == by_year
    histories = rows(tables / "capture_histories.csv")
    assert sum(int(r["count"]) for r in histories) == len(children)
    unrecorded = next(int(r["count"]) for r in histories if r["history"] == "(none)")
    assert unrecorded == sum(1 for c in children if not c["recorded_by"])
    steps = Counter((r["stage"], r["outcome"]) for _, r in submissions(mx, "proceedings"))
    table = rows(tables / "proceedings_by_stage_outcome.csv")
    assert {(r["stage"], r["outcome"]): int(r["count"]) for r in table} == steps


def test_attrition_most_reports_never_reach_judgement(mx: Path) -> None:
    steps = Counter(r["stage"] for _, r in submissions(mx, "proceedings"))
    assert steps["REPORT"] > steps["PROSECUTION"] > steps["JUDGEMENT"] > 0
    # About 60 % of concluded prosecutor proceedings archived (profile setting).
    assert 0.45 < steps["ARCHIVED"] / steps["INVESTIGATION"] < 0.7


def test_parse_years_and_bad_arguments_name_the_fix(tmp_path: Path) -> None:
    assert parse_years("2019-2024").years == [2019, 2020, 2021, 2022, 2023, 2024]
    assert parse_years("2021").years == [2021]
    for bad in ("2024-2019", "twenty", "2019-2020-2021"):
        with pytest.raises(SynthError, match="FIRST-LAST"):
            parse_years(bad)
    with pytest.raises(SynthError, match="must be complete"):
        parse_years(f"2019-{date.today().year}")
    with pytest.raises(SynthError, match=f"e.g. {date.today().year - 1}-{date.today().year - 1}"):
        parse_years(str(date.today().year + 3))
    with pytest.raises(SynthError, match="start at 1990"):
        parse_years("1800-1801")
    with pytest.raises(SynthError, match="must be complete"):
        generate("MX", 10, Period(2020, date.today().year), 1, tmp_path / "p")
    with pytest.raises(SynthError, match="csv, xlsx"):
        generate("MX", 10, "2020", 1, tmp_path / "x", "json")
    with pytest.raises(SynthError, match="no synthetic profile"):
        generate("AR", 10, "2020", 1, tmp_path / "x")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "mine.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(SynthError, match="not a synthetic output folder"):
        generate("MX", 10, "2020", 1, tmp_path / "busy")
    assert (tmp_path / "busy" / "mine.txt").is_file()


def test_cli_help_explains_every_parameter_and_runs(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    options = ("--country", "--children", "--years", "--seed", "--out", "--format", "--noise")
    for option in (*options, "--perpetrator-names"):
        assert option in result.output
    out = tmp_path / "cli"
    result = runner.invoke(
        app, ["--out", str(out), "--children", "120", "--country", "PE", "--noise", "0"]
    )
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.output and (out / "manifest.json").is_file()
    noise = {r["noise"] for r in rows(out / TRUTH_DIR / "record_map.csv")}
    # --noise 0 leaves only what institutions do not record (age instead of date, no ID).
    assert all(set(n.split()) <= {"age_instead_of_dob", "no_national_id"} for n in noise)
    bad = runner.invoke(app, ["--out", str(tmp_path / "y"), "--years", "2024-2019"])
    assert bad.exit_code != 0 and "FIRST-LAST" in bad.output


def test_peru_uses_ubigeo_districts_and_dni(pe: Path) -> None:
    profile = load_profile("PE")
    districts = {u.code for u in profile.geo_units("district")}
    victims = submissions(pe, "victims")
    assert victims
    assert all(r["residence_geo"] in districts for _, r in victims)
    ids = [r["national_id"] for _, r in victims if r["national_id"]]
    assert ids and all(len(i) == 8 and i.isdigit() for i in ids)


@settings(max_examples=3, deadline=None)
@given(children=st.integers(1, 40), seed=st.integers(0, 2**31 - 1))
def test_any_small_country_is_generated_with_exact_totals(children: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = generate("PE", children, "2023", seed, Path(tmp) / "out")
        truth = json.loads((result.truth / "summary.json").read_text(encoding="utf-8"))
        assert truth["children_total"] == children == len(rows(result.truth / "children.csv"))
        assert sum(truth["children_by_number_of_lists"].values()) == children
        victims = sum(
            e["rows"]
            for e in manifest(result.out)["submissions"]  # type: ignore[attr-defined]
            if e["contract"] == "victims"
        )
        assert victims == result.rows["victims"]


def test_small_mexico_with_few_court_cases_is_generated(tmp_path: Path) -> None:
    # Was a KeyError ('agency_perpetrator_id') when no case reached a court.
    result = generate("MX", 60, "2023-2024", 11, tmp_path / "small")
    assert result.rows["victims"] > 0 and (result.truth / "summary.json").is_file()


def test_xlsx_refuses_more_rows_than_a_sheet_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opsc.synth import output

    monkeypatch.setattr(output, "XLSX_MAX_ROWS", 2)
    with pytest.raises(SynthError, match="use --format csv"):
        output.write_rows(tmp_path / "t.xlsx", ["a"], [["1", "2", "3"]], "xlsx")
    output.write_rows(tmp_path / "t.xlsx", ["a"], [["1", "2"]], "xlsx")
    assert (tmp_path / "t.xlsx").is_file()


def test_a_broken_profile_names_the_file_table_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opsc.synth import params

    for name in ("common.toml", "MX.toml"):
        (tmp_path / name).write_text(
            (params.PROFILE_DIR / name).read_text(encoding="utf-8"), encoding="utf-8"
        )
    common = tmp_path / "common.toml"
    text = common.read_text(encoding="utf-8")
    start = text.index("[offence.GROOMING]")
    cut = text.index("female = ", start)
    common.write_text(text[:cut] + text[text.index("\n", cut) + 1 :], encoding="utf-8")
    monkeypatch.setattr(params, "PROFILE_DIR", tmp_path)
    with pytest.raises(SynthError, match=r"MX\.toml .*\[offence\.GROOMING\] lacks female"):
        params.load_params("MX")
    common.write_text(text.replace("share = 0.20", 'share = "a fifth"', 1), encoding="utf-8")
    with pytest.raises(SynthError, match="wrong type"):
        params.load_params("MX")
