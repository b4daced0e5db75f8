"""Perpetrators' clear identifiers: true identities, noisy records, truth links, tokens."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from opsc.intake.pseudonym import generate_key, pseudonymise_manifest
from opsc.synth import TRUTH_DIR, generate
from opsc.synth.perpetrators import NAME_COLUMNS

RFC = re.compile(r"^[A-Z]{3}\d{6}[0-9A-Z]{3}$")
CONTRACT = "perpetrators"
CURP = re.compile(r"^[A-Z]{4}\d{6}[HM][A-Z]{5}[0-9A-Z]\d$")


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def perpetrator_records(out: Path) -> list[dict[str, str]]:
    """Every perpetrator row, with its institution, true perpetrator id and noise."""
    truth = {
        (r["institution"], r["agency_id"]): r
        for r in rows(out / TRUTH_DIR / "record_map.csv")
        if r["contract"] == "perpetrators"
    }
    entries = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["submissions"]
    files = [
        (e["institution"], out / e["file"]) for e in entries if e["contract"] == "perpetrators"
    ]
    return [
        r | {"_inst": inst, "_true": t["true_perpetrator_id"], "_noise": t["noise"]}
        for inst, path in files
        for r in rows(path)
        for t in [truth[(inst, r["agency_perpetrator_id"])]]
    ]


def pseudonymised(out: Path, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """(institution, row) of every perpetrator file of `out` pseudonymised with a new key."""
    key = generate_key(tmp_path / "key.json", "test-1")
    sent = pseudonymise_manifest(out / "manifest.json", tmp_path / "sent", key)
    for entry in json.loads(sent.read_text(encoding="utf-8"))["submissions"]:
        if entry["contract"] == CONTRACT:
            for r in rows(tmp_path / "sent" / entry["file"]):
                yield entry["institution"], r


@pytest.fixture(scope="module")
def countries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("perp")
    generate("MX", 1500, "2021-2024", 5, base / "mx", perpetrator_names=False)
    generate("PE", 1500, "2021-2024", 5, base / "pe")
    return {"MX": base / "mx", "PE": base / "pe"}


@pytest.fixture(scope="module")
def mx(countries: dict[str, Path]) -> Path:
    return countries["MX"]


@pytest.fixture(scope="module")
def pe(countries: dict[str, Path]) -> Path:
    return countries["PE"]


def test_true_perpetrators_have_clear_identities(mx: Path, pe: Path) -> None:
    for out, natural_id, legal_id in ((mx, CURP, RFC), (pe, re.compile(r"^\d{8}$"), None)):
        truth = rows(out / TRUTH_DIR / "perpetrators.csv")
        natural = [r for r in truth if r["person_type"] == "natural"]
        legal = [r for r in truth if r["person_type"] == "legal"]
        assert natural and legal
        assert all(r["given_names"] and r["paternal_surname"] and r["birth_date"] for r in natural)
        assert all(18 <= int(r["age_at_offence"]) <= 65 for r in natural)
        nationals = [r for r in natural if r["nationality"] in ("MEX", "PER")]
        assert all(natural_id.match(r["national_id"]) for r in nationals)
        assert all(not r["given_names"] and r["national_id"] for r in legal)
        if legal_id:
            assert all(legal_id.match(r["national_id"]) for r in legal)
        ids = [r["national_id"] for r in truth if r["national_id"]]
        assert len(ids) == len(set(ids))


def test_peru_companies_get_rucs_with_a_valid_check_digit(pe: Path) -> None:
    legal = [r for r in rows(pe / TRUTH_DIR / "perpetrators.csv") if r["person_type"] == "legal"]
    for r in legal:
        ruc = [int(c) for c in r["national_id"]]
        assert len(ruc) == 11 and ruc[:2] == [2, 0]
        weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
        check = 11 - sum(d * w for d, w in zip(ruc[:10], weights, strict=True)) % 11
        assert ruc[10] == {10: 0, 11: 1}.get(check, check)


def test_records_carry_the_true_id_unless_noise_dropped_it(mx: Path) -> None:
    truth = {r["true_perpetrator_id"]: r for r in rows(mx / TRUTH_DIR / "perpetrators.csv")}
    records = perpetrator_records(mx)
    assert records and all(set(r) >= {"national_id"} for r in records)
    assert not any(c in records[0] for c in NAME_COLUMNS)  # names off when asked
    dropped = 0
    for r in records:
        true_id = truth[r["_true"]]["national_id"]
        if r["national_id"]:
            assert r["national_id"] == true_id
        elif true_id:
            assert "no_national_id" in r["_noise"].split()
            dropped += 1
    assert 0 < dropped < len(records)
    # One true perpetrator recorded by several institutions: linkage has work to do.
    institutions = defaultdict(set)
    for r in records:
        institutions[r["_true"]].add(r["_inst"])
    assert any(len(v) > 1 for v in institutions.values())


def test_names_by_default_are_noisy_versions_of_the_truth(pe: Path) -> None:
    truth = {r["true_perpetrator_id"]: r for r in rows(pe / TRUTH_DIR / "perpetrators.csv")}
    records = perpetrator_records(pe)
    natural = [r for r in records if r["person_type"] == "natural"]
    clean = [r for r in natural if not r["_noise"]]
    assert clean and len(clean) < len(natural)
    for r in clean:
        t = truth[r["_true"]]
        same = (r["given_names"], r["paternal_surname"], r["maternal_surname"], r["birth_date"])
        want = (t["given_names"], t["paternal_surname"], t["maternal_surname"], t["birth_date"])
        assert same == want
    kinds = {k for r in natural for k in r["_noise"].split()}
    assert {"typo", "drop_accents", "swap_surnames"} <= kinds
    legal = [r for r in records if r["person_type"] == "legal"]
    assert all(not any(r[c] for c in NAME_COLUMNS) for r in legal)


def test_pseudonymisation_turns_the_id_into_one_token_per_perpetrator(
    mx: Path, tmp_path: Path
) -> None:
    tokens: dict[str, set[str]] = defaultdict(set)
    records = {(r["agency_perpetrator_id"]): r for r in perpetrator_records(mx)}
    for _, r in pseudonymised(mx, tmp_path):
        assert "national_id" not in r
        if r["tk_identity"]:
            tokens[records[r["agency_perpetrator_id"]]["_true"]].add(r["tk_identity"])
    assert tokens and all(len(t) == 1 for t in tokens.values())


def test_names_on_or_off_leave_every_other_file_as_it_was(tmp_path: Path) -> None:
    """Names are written from draws made either way: switching them off changes only the
    perpetrators' name columns (and the name noise the truth lists for them)."""
    on_dir = generate("MX", 200, "2023-2024", 9, tmp_path / "on").manifest.parent
    off_dir = generate("MX", 200, "2023-2024", 9, tmp_path / "off", perpetrator_names=False)
    off_dir = off_dir.manifest.parent
    files = sorted(p.relative_to(on_dir) for p in on_dir.rglob("*.csv"))
    assert files == sorted(p.relative_to(off_dir) for p in off_dir.rglob("*.csv"))
    submissions = 0
    for name in files:
        on, off = rows(on_dir / name), rows(off_dir / name)
        if name == Path(TRUTH_DIR) / "record_map.csv":
            assert [r for r in on if r["contract"] != CONTRACT] == [
                r for r in off if r["contract"] != CONTRACT
            ]
            perps = zip(
                (r for r in on if r["contract"] == CONTRACT),
                (r for r in off if r["contract"] == CONTRACT),
                strict=True,
            )
            for a, b in perps:
                assert a["agency_id"] == b["agency_id"]
                assert set(b["noise"].split()) <= set(a["noise"].split())
        elif name.name == "perpetrators.csv" and name.parts[0] != TRUTH_DIR:
            submissions += 1
            assert [{k: v for k, v in r.items() if k not in NAME_COLUMNS} for r in on] == off
        else:
            assert (on_dir / name).read_bytes() == (off_dir / name).read_bytes(), name
    assert submissions > 1


def test_pseudonymised_names_agree_for_clean_records_of_one_perpetrator(
    pe: Path, tmp_path: Path
) -> None:
    records = {(r["_inst"], r["agency_perpetrator_id"]): r for r in perpetrator_records(pe)}
    names: dict[str, set[tuple[str, str]]] = defaultdict(set)
    clean: dict[str, int] = defaultdict(int)  # clean records per true perpetrator
    legal = 0
    for institution, r in pseudonymised(pe, tmp_path):
        assert not set(r) & set(NAME_COLUMNS)
        clear = records[(institution, r["agency_perpetrator_id"])]
        if r["person_type"] == "legal":
            legal += 1
            assert r["tk_given_names"] == r["tk_birth_date"] == r["birth_year"] == ""
        elif not clear["_noise"]:
            names[clear["_true"]].add((r["tk_given_names"], r["tk_surnames"]))
            clean[clear["_true"]] += 1
            assert r["tk_birth_date"] and r["birth_year"] == clear["birth_date"][:4]
    # the agreement below means something only for people with two clean records or more
    assert legal and sum(n >= 2 for n in clean.values()) >= 5
    assert all(len(v) == 1 for v in names.values())
