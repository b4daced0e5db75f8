"""A small seeded population of children recorded by several institutions, with truth.

For tests, the quick benchmark and the docs, before (or besides) the synthetic country:
Spanish-style names (two given names, paternal and maternal surnames), birth dates and
CURP-like ids, each child recorded 1–4 times with the clerical noise institutions make.
All names are drawn from short invented lists; no real person is described.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from opsc.linkage.encode import Encoder, normalise

GIVEN_F = (
    "María",
    "Guadalupe",
    "Juana",
    "Ximena",
    "Valeria",
    "Sofía",
    "Camila",
    "Lucía",
    "Fernanda",
    "Daniela",
    "Yesenia",
    "Araceli",
    "Rocío",
    "Itzel",
    "Mariana",
    "Beatriz",
)
GIVEN_M = (
    "José",
    "Juan",
    "Luis",
    "Jesús",
    "Ángel",
    "Miguel",
    "Santiago",
    "Mateo",
    "Diego",
    "Sebastián",
    "Gerardo",
    "Víctor",
    "Iván",
    "Joaquín",
    "Héctor",
    "Bryan",
)
SURNAMES = (
    "García",
    "Hernández",
    "Martínez",
    "López",
    "González",
    "Pérez",
    "Rodríguez",
    "Sánchez",
    "Ramírez",
    "Cruz",
    "Flores",
    "Gómez",
    "Vázquez",
    "Jiménez",
    "Morales",
    "Reyes",
    "Gutiérrez",
    "Mendoza",
    "Quispe",
    "Huamán",
    "Mamani",
    "Chávez",
    "Torres",
    "Villanueva",
    "Zúñiga",
    "Ibarra",
    "Salazar",
    "Cervantes",
    "Olvera",
    "Bautista",
    "Xolalpa",
    "Yáñez",
)
STATES = ("09", "14", "15", "19", "21", "30")
# Spelling slips a clerk makes when writing a name heard aloud (sound-alike letters).
SOUNDALIKES = (("V", "B"), ("B", "V"), ("S", "Z"), ("Z", "S"), ("Y", "LL"), ("J", "G"))


@dataclass(frozen=True)
class Noise:
    """Probabilities of each slip per recorded copy (0 everywhere: exact copies)."""

    typo: float = 0.10
    soundalike: float = 0.08
    drop_second_given: float = 0.15
    drop_maternal: float = 0.08
    swap_day_month: float = 0.03
    wrong_year: float = 0.02
    no_date: float = 0.05  # only the age is known
    no_id: float = 0.35  # institution did not record the national ID
    id_typo: float = 0.01

    @classmethod
    def none(cls) -> Noise:
        return cls(0, 0, 0, 0, 0, 0, 0, 0, 0)


@dataclass(frozen=True)
class Child:
    given: str
    paternal: str
    maternal: str
    birth: date
    national_id: str
    sex: str
    nationality: str
    residence: str


def children(n: int, seed: int) -> list[Child]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        female = rng.random() < 0.6
        pool = GIVEN_F if female else GIVEN_M
        given = rng.choice(pool)
        if rng.random() < 0.6:
            given += " " + rng.choice([g for g in pool if g != given])
        birth = date(2006, 1, 1) + timedelta(days=rng.randrange(17 * 365))
        nid = f"{i:06d}{rng.randrange(10**6):06d}"
        nationality = "MEX" if rng.random() < 0.9 else rng.choice(("GTM", "HND", "VEN"))
        out.append(
            Child(
                given,
                rng.choice(SURNAMES),
                rng.choice(SURNAMES),
                birth,
                nid,
                "F" if female else "M",
                nationality,
                rng.choice(STATES) + f"{rng.randrange(1, 40):03d}",
            )
        )
    return out


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("AEIOURNSL") + text[i + 1 :]


def _soundalike(rng: random.Random, text: str) -> str:
    hits = [(a, b) for a, b in SOUNDALIKES if a in text]
    if not hits:
        return text
    a, b = rng.choice(hits)
    return text.replace(a, b, 1)


def record(rng: random.Random, child: Child, noise: Noise) -> dict[str, str | int | None]:
    """One institution's clear record of `child`, with noise."""
    given, pat, mat = normalise(child.given), normalise(child.paternal), normalise(child.maternal)
    if rng.random() < noise.drop_second_given:
        given = given.split()[0]
    if rng.random() < noise.drop_maternal:
        mat = ""
    if rng.random() < noise.typo:
        given = _typo(rng, given)
    if rng.random() < noise.typo:
        pat = _typo(rng, pat)
    if rng.random() < noise.soundalike:
        pat = _soundalike(rng, pat)
    if rng.random() < noise.soundalike:
        given = _soundalike(rng, given)
    birth = child.birth
    if rng.random() < noise.swap_day_month and birth.day <= 12:
        birth = birth.replace(month=birth.day, day=birth.month)
    if rng.random() < noise.wrong_year:
        birth = birth.replace(year=birth.year + rng.choice((-1, 1)), day=min(birth.day, 28))
    birth_text: str | None = birth.isoformat()
    offence = _offence_date(child)
    age: int | None = None
    if rng.random() < noise.no_date:
        birth_text = None  # the clerk wrote the age instead, as intake's `age` column
        age = _age(child.birth, offence)
    nid: str | None = child.national_id
    if rng.random() < noise.no_id:
        nid = None
    elif rng.random() < noise.id_typo:
        nid = _typo(rng, child.national_id)
    return {
        "given_names": given,
        "paternal_surname": pat,
        "maternal_surname": mat,
        "birth_date": birth_text,
        "age": age,
        "date_offence": offence.isoformat(),
        "national_id": nid,
        "sex": child.sex,
        "nationality": child.nationality,
        "residence_geo": child.residence,
    }


def _offence_date(child: Child) -> date:
    """The date of the offence every institution records for the child (no random draw, so
    the noise a seed produces does not depend on it)."""
    return date(2024, 1, 1) + timedelta(days=int(child.national_id[-6:]) % 366)


def _age(born: date, on: date) -> int:
    return max(0, on.year - born.year - ((on.month, on.day) < (born.month, born.day)))


def population(
    n_children: int, seed: int = 7, noise: Noise | None = None, max_copies: int = 4
) -> pd.DataFrame:
    """Clear records with `unique_id`, `institution` and the true `person_id`."""
    rng = random.Random(seed + 1)
    noise = Noise() if noise is None else noise
    rows = []
    for pid, child in enumerate(children(n_children, seed)):
        copies = 1 + min(max_copies - 1, int(rng.expovariate(1.2)))
        for inst in rng.sample(range(6), copies):
            rows.append({"person_id": pid, "institution": inst, **record(rng, child, noise)})
    rng.shuffle(rows)
    frame = pd.DataFrame(rows)
    frame.insert(0, "unique_id", range(1, len(frame) + 1))
    return frame


def pseudonymise(clear: pd.DataFrame, encoder: Encoder) -> pd.DataFrame:
    """Victim-store columns from the clear records, made by intake's code (names dropped)."""
    text = clear.astype(object).where(clear.notna(), None)
    tokens = [
        encoder.person(
            _text(r["given_names"]),
            _text(r["paternal_surname"]),
            _text(r["maternal_surname"]),
            _text(r["birth_date"]),
            _text(r["national_id"]),
            age=_text(r["age"]),
            date_offence=_text(r["date_offence"]),
        )
        for r in text.to_dict("records")
    ]
    out = pd.DataFrame(tokens, index=clear.index)
    for column in ("birth_year", "age_at_offence"):
        out[column] = pd.array(out[column].tolist(), dtype="Int64")
    out["offence_year"] = pd.to_datetime(clear["date_offence"]).dt.year.astype("Int64")
    keep = ["unique_id", "person_id", "institution", "sex", "nationality", "residence_geo"]
    return pd.concat([clear[keep], out], axis=1)


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
