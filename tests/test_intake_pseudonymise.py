"""Pseudonymisation: normalisation, phonetics, tokens, Bloom filters, no clear identifier
left in the output, and the key kept out of sight."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from opsc.intake.cli import keygen, pseudonymise
from opsc.intake.pseudonym import (
    generate_key,
    load_key,
    normalise_name,
    phonetic_key,
    pseudonymise_file,
    split_surnames,
)
from opsc.intake.pseudonym.bloom import BloomEncoder, dice, ones
from opsc.intake.pseudonym.keys import KeyFileError, LinkageKey

GIVEN = ["María José", "Juan Carlos", "Ximena", "Guadalupe", "Héctor", "Sofía", "Ángel"]
SURNAMES = ["Pérez", "de la Cruz", "Hernández", "Quispe", "Mamani", "Sánchez", "Valdez"]


def synthetic_clear_file(path: Path, n: int, seed: int = 42) -> list[list[str]]:
    """Seeded clear-identifier rows (never real people)."""
    rng = random.Random(seed)
    rows = [
        [
            f"V{i}",
            "C1",
            rng.choice(GIVEN),
            rng.choice(SURNAMES),
            rng.choice(SURNAMES),
            f"20{rng.randint(8, 18):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            f"XEXX{rng.randint(0, 10**9):09d}",
            rng.choice(["F", "M"]),
            "2024-03-01",
        ]
        for i in range(n)
    ]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "agency_victim_id",
                "agency_case_id",
                "given_names",
                "paternal_surname",
                "maternal_surname",
                "birth_date",
                "national_id",
                "sex",
                "date_offence",
            ]
        )
        w.writerows(rows)
    return rows


def clear_and_tokens(path: Path) -> tuple[list[str], set[str]]:
    """A pseudonymised file's values in clear columns, and its tokens.

    A keyed token is random text that may hold any few letters by chance (such as the
    "XEXX" that the test IDs normalise to, in about one run in ten), so a test compares
    tokens whole and searches only the clear columns.
    """
    with path.open(encoding="utf-8") as f:
        written = list(csv.DictReader(f))
    token = {c for c in written[0] if c.startswith(("tk_", "bf_"))}
    in_clear = [v for r in written for c, v in r.items() if c not in token]
    return in_clear, {v for r in written for c, v in r.items() if c in token}


@pytest.fixture
def key(tmp_path: Path) -> LinkageKey:
    return generate_key(tmp_path / "linkage.key", "2026-1")


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("  María  de los Ángeles ", "MARIA ANGELES"),
        ("Pérez-Gómez", "PEREZ GOMEZ"),
        ("DE LA CRUZ", "CRUZ"),
        ("Núñez", "NUNEZ"),
        ("de", "DE"),  # a particle alone is kept
    ],
)
def test_names_normalise(raw: str, normal: str) -> None:
    assert normalise_name(raw) == normal


def test_surnames_in_one_field_are_split() -> None:
    assert split_surnames("Pérez Gómez", "") == ("PEREZ", "GOMEZ")
    assert split_surnames("", "Quispe") == ("QUISPE", "")
    assert split_surnames("de la Cruz", "Mamani") == ("CRUZ", "MAMANI")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Jiménez", "Ximénez"),
        ("Giménez", "Jiménez"),
        ("Valdez", "Baldés"),
        ("Hernández", "Ernandes"),
        ("Guillermo", "Guiyermo"),
        ("Cecilia", "Sesilia"),
        ("Yolanda", "Llolanda"),
        ("María José", "José María"),  # name order does not change the phonetic key
    ],
)
def test_spanish_phonetic_equivalents(a: str, b: str) -> None:
    assert phonetic_key(a) == phonetic_key(b)


def test_phonetics_still_separate_different_names() -> None:
    assert phonetic_key("Ana") != phonetic_key("Juana")
    assert phonetic_key("Pérez") != phonetic_key("Ramírez")


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="abcdeñáéíóúü ABCDÑ-'.", max_size=30))
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalise_name(text)
    assert normalise_name(once) == once
    assert once == once.upper() and "  " not in once


def test_bloom_filters_are_balanced_and_similar_for_similar_names(key: LinkageKey) -> None:
    enc = BloomEncoder(key, "surnames")
    a, b, c = (
        enc.encode(normalise_name(x)) for x in ("Hernandez Lopez", "Hernandes Lopez", "Quispe")
    )
    for f in (a, b, c):
        assert ones(f) == enc.length  # balanced: constant Hamming weight
    assert dice(a, b) > 0.85 > dice(a, c)
    other_key = BloomEncoder(LinkageKey("x", b"k" * 32), "surnames")
    assert other_key.encode("HERNANDEZ LOPEZ") != a  # keyed: no key, no dictionary attack


def test_key_file_round_trip_and_secrecy(tmp_path: Path) -> None:
    key = generate_key(tmp_path / "k", "2026-1")
    assert load_key(tmp_path / "k") == key
    assert key.secret.hex() not in repr(key) and key.secret.hex() not in str(key)
    assert (tmp_path / "k").stat().st_mode & 0o077 == 0
    with pytest.raises(KeyFileError, match="never overwritten"):
        generate_key(tmp_path / "k", "2026-2")
    text = (tmp_path / "k").read_text().replace("version: 2026-1", "version: 2026-9")
    (tmp_path / "k2").write_text(text)
    assert load_key(tmp_path / "k2").version == "2026-9"  # version is a label, secret checked
    (tmp_path / "k3").write_text(text.replace("secret: ", "secret: AAAA"))
    with pytest.raises(KeyFileError):
        load_key(tmp_path / "k3")


def test_no_clear_identifier_remains(tmp_path: Path, key: LinkageKey) -> None:
    src, dst = tmp_path / "clear.csv", tmp_path / "pseudo.csv"
    rows = synthetic_clear_file(src, 300)
    result = pseudonymise_file(src, dst, key)
    assert result.rows == 300
    out = dst.read_text(encoding="utf-8")
    in_clear, tokens = clear_and_tokens(dst)
    upper_clear, upper_tokens = [v.upper() for v in in_clear], {t.upper() for t in tokens}
    for row in rows:
        for value in row[2:7]:  # names, surnames, birth date, ID
            assert value not in tokens and not any(value in v for v in in_clear)
            norm = normalise_name(value)
            assert norm == "" or norm not in upper_tokens
            assert norm == "" or not any(norm in v for v in upper_clear)
    header = out.splitlines()[0].split(",")
    assert "given_names" not in header and "tk_given_names" in header
    with dst.open(encoding="utf-8") as f:
        first = next(csv.DictReader(f))
    assert first["agency_victim_id"] == "V0" and len(first["tk_surnames"]) == 43
    born = rows[0][5]
    expected_age = 2024 - int(born[:4]) - ((int(born[5:7]), int(born[8:10])) > (3, 1))
    assert first["birth_year"] == born[:4] and first["age_at_offence"] == str(expected_age)


def test_tokens_depend_on_the_key_and_ignore_spelling_noise(tmp_path: Path) -> None:
    k1 = LinkageKey("a", b"1" * 32)
    k2 = LinkageKey("b", b"2" * 32)
    src = tmp_path / "in.csv"
    src.write_text(
        "agency_victim_id,given_names,paternal_surname,maternal_surname\n"
        "V1,María José,Pérez,de la Cruz\nV2,MARIA  JOSE,perez,Cruz\n",
        encoding="utf-8",
    )
    outs = []
    for k in (k1, k2):
        pseudonymise_file(src, tmp_path / f"{k.version}.csv", k)
        with (tmp_path / f"{k.version}.csv").open(encoding="utf-8") as f:
            outs.append(list(csv.DictReader(f)))
    a1, a2 = outs[0]
    assert a1["tk_given_names"] == a2["tk_given_names"]
    assert a1["tk_surnames"] == a2["tk_surnames"]
    assert a1["tk_given_names"] != outs[1][0]["tk_given_names"]
    assert a1["key_version"] == "a"


def test_partial_name_tokens_survive_a_dropped_name(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "agency_victim_id,given_names,paternal_surname,maternal_surname\n"
        "V1,María José,Pérez,de la Cruz\nV2,Maria,PEREZ,\nV3,José María,Peres,Cruz\n"
        "V4,,,\n",
        encoding="utf-8",
    )
    pseudonymise_file(src, tmp_path / "out.csv", LinkageKey("a", b"1" * 32))
    with (tmp_path / "out.csv").open(encoding="utf-8") as f:
        full, short, swapped, empty = list(csv.DictReader(f))
    # The short record shares no whole-name token with the full one, but both parts.
    assert full["tk_given_names"] != short["tk_given_names"]
    assert full["tk_surnames"] != short["tk_surnames"]
    assert full["tk_first_given"] == short["tk_first_given"] != ""
    assert full["tk_paternal_surname"] == short["tk_paternal_surname"] != ""
    assert full["tk_first_given_phonetic"] == short["tk_first_given_phonetic"] != ""
    # Another first name and a sound-alike paternal surname: only the sound agrees.
    assert full["tk_first_given"] != swapped["tk_first_given"]
    assert full["tk_paternal_surname"] != swapped["tk_paternal_surname"]
    assert full["tk_paternal_phonetic"] == swapped["tk_paternal_phonetic"] != ""
    # Keyed per purpose: the same word gives different tokens in different columns.
    assert short["tk_first_given"] != short["tk_given_names"]  # both "MARIA"
    partial = ("tk_first_given", "tk_paternal_surname", "tk_first_given_phonetic")
    assert all(empty[c] == "" for c in (*partial, "tk_paternal_phonetic"))


def test_manifest_folder_and_cli(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "police").mkdir(parents=True)
    synthetic_clear_file(folder / "police" / "victims.csv", 5)
    (folder / "police" / "cases.csv").write_text("agency_case_id,offences\nC1,SALE\n")
    (folder / "institutions.csv").write_text(
        "code,name,type,level,geo_code\nP,Pol,POLICE,state,09\n"
    )
    manifest = {
        "country": "MX",
        "institutions_file": "institutions.csv",
        "submissions": [
            {"file": "police/cases.csv", "contract": "cases", "institution": "P"},
            {"file": "police/victims.csv", "contract": "victims", "institution": "P"},
        ],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    runner = CliRunner()
    from typer import Typer

    cli = Typer()
    cli.command()(keygen)
    cli.command()(pseudonymise)
    made = runner.invoke(cli, ["keygen", str(tmp_path / "k"), "--version", "v1"])
    assert made.exit_code == 0, made.output
    done = runner.invoke(
        cli,
        [
            "pseudonymise",
            "--manifest",
            str(folder / "manifest.json"),
            "--key",
            str(tmp_path / "k"),
            "-o",
            str(tmp_path / "out"),
        ],
    )
    assert done.exit_code == 0, done.output
    out = tmp_path / "out"
    assert (out / "police" / "cases.csv").read_bytes() == (
        folder / "police" / "cases.csv"
    ).read_bytes()
    header = (out / "police" / "victims.csv").read_text().splitlines()[0].split(",")
    assert "given_names" not in header and "bf_given_names" in header
    rewritten = json.loads((out / "manifest.json").read_text())
    assert rewritten["key_version"] == "v1"
    assert rewritten["submissions"][1]["pseudonymised"] is True


def test_perpetrators_are_pseudonymised_with_the_victims_code(tmp_path: Path) -> None:
    key = LinkageKey("a", b"1" * 32)
    people = tmp_path / "perpetrators.csv"
    people.write_text(
        "agency_perpetrator_id,agency_case_id,person_type,nombres,apellido_paterno,"
        "apellido_materno,fecha_nacimiento,curp,edad,sex\n"
        "P1,C1,natural,Juan Carlos,Pérez,de la Cruz,1980-06-15,PECJ800615HDFRRN09,,M\n"
        "P2,C2,natural,Ana,Quispe,,,,41,F\n"
        "P3,C1,legal,,,,,ABC010203XY9,,\n"
        "P4,C1,Legal,Comercial,Sol,,2001-02-03,XYZ010203AB1,,\n",
        encoding="utf-8",
    )
    victim = tmp_path / "victims.csv"
    victim.write_text(
        "agency_victim_id,given_names,paternal_surname,maternal_surname,birth_date\n"
        "V1,JUAN CARLOS,Perez,Cruz,1980-06-15\n",
        encoding="utf-8",
    )
    result = pseudonymise_file(
        people, tmp_path / "p.csv", key, "perpetrators", {"C1": "2024-03-01", "C2": "2023-01-01"}
    )
    assert result.removed == [
        "nombres", "apellido_paterno", "apellido_materno", "fecha_nacimiento", "curp"
    ]  # fmt: skip
    pseudonymise_file(victim, tmp_path / "v.csv", key)
    in_clear, tokens = clear_and_tokens(tmp_path / "p.csv")
    for clear in ("Juan", "JUAN", "Pérez", "PEREZ", "Quispe", "QUISPE", "1980-06-15", "PECJ8"):
        assert clear not in tokens and not any(clear in v for v in in_clear)
    with (tmp_path / "p.csv").open(encoding="utf-8") as f:
        full, short, company, named_company = list(csv.DictReader(f))
    with (tmp_path / "v.csv").open(encoding="utf-8") as f:
        (as_victim,) = list(csv.DictReader(f))
    # Same code and sub-keys as victims: the same person gives the same tokens.
    shared = ("tk_given_names", "tk_surnames", "tk_birth_date", "bf_surnames", "birth_year")
    assert all(full[c] == as_victim[c] != "" for c in shared)
    assert full["edad"] == "43" and short["edad"] == "41"  # from the birth date, else as given
    assert short["tk_birth_date"] == "" and short["tk_paternal_surname"] != ""
    assert len(full["tk_identity"]) == 43 and short["tk_identity"] == ""
    # A company keeps its tax ID token and has no person's name or birth date, even when
    # the file puts something in those columns.
    for legal in (company, named_company):
        assert len(legal["tk_identity"]) == 43
        assert all(legal[c] == "" for c in (*shared, "tk_given_phonetic", "bf_given_names"))
    assert company["tk_identity"] != named_company["tk_identity"]


def test_a_tax_id_column_becomes_the_identity_token(tmp_path: Path) -> None:
    # A Mexican RFC encodes the surnames' initials and the birth date: never sent in clear.
    key = LinkageKey("a", b"1" * 32)
    people = tmp_path / "perpetrators.csv"
    people.write_text(
        "agency_perpetrator_id,agency_case_id,person_type,RFC\nP1,C1,legal,ABC010203XY9\n",
        encoding="utf-8",
    )
    result = pseudonymise_file(people, tmp_path / "p.csv", key, "perpetrators")
    assert result.removed == ["RFC"]
    with (tmp_path / "p.csv").open(encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    assert "ABC010203XY9" not in row.values() and len(row["tk_identity"]) == 43


def test_headers_spelt_as_intake_reads_them(tmp_path: Path) -> None:
    # The Spanish titles of the template: a company's names are dropped, not tokenised, and
    # the age is replaced in its own column, not appended as a second one.
    key = LinkageKey("a", b"1" * 32)
    people = tmp_path / "perpetrators.csv"
    people.write_text(
        "agency_perpetrator_id,agency_case_id,Persona física o moral,nombres,"
        "fecha_nacimiento,Edad al momento del delito\n"
        "P1,C1,natural,Juan,1980-06-15,\n"
        "P2,C1,legal,Comercial Sol,,\n",
        encoding="utf-8",
    )
    pseudonymise_file(people, tmp_path / "p.csv", key, "perpetrators", {"C1": "2024-03-01"})
    with (tmp_path / "p.csv").open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        person, company = list(reader)
    assert header.count("Edad al momento del delito") == 1 and "age" not in header
    assert person["Edad al momento del delito"] == "43"
    assert person["tk_given_names"] and not company["tk_given_names"]
