"""True (fake) clear identities of the children: Spanish names, birth dates, national IDs.

Names are indices into name pools (data/names_*.toml, synthetic), so that a million
identities cost a few arrays; the strings are built only when files are written.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from opsc.reference import Profile
from opsc.reference.codelists import read_rows
from opsc.synth import columns as col
from opsc.synth.params import SynthParams, load_names
from opsc.synth.rng import bernoulli
from opsc.synth.world import BoolArray, DateArray, IntArray, ObjArray

TWO_GIVEN_NAMES = 0.65  # invented share of children with two given names
CURP_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
VOWELS = set("AEIOU")


@dataclass(frozen=True)
class Identities:
    given_pool: ObjArray
    surname_pool: ObjArray
    given1: IntArray
    given2: IntArray  # -1: none
    paternal: IntArray
    maternal: IntArray  # -1: none (foreign single surname)
    national_id: ObjArray  # "" when the child has none (foreign nationals)

    def given_names(self, first_only: npt.NDArray[np.bool_] | None = None) -> ObjArray:
        g2 = self.given2 if first_only is None else np.where(first_only, -1, self.given2)
        return col.joined_words([self.given1, g2], [self.given_pool, self.given_pool])

    def surnames(self) -> tuple[ObjArray, ObjArray]:
        paternal = self.surname_pool[self.paternal]
        maternal = np.where(self.maternal >= 0, self.surname_pool[self.maternal], "")
        return paternal.astype(object), maternal.astype(object)


def _zipf(n: int) -> npt.NDArray[np.float64]:
    w = 1.0 / np.arange(1, n + 1) ** 0.8
    return w / w.sum()  # type: ignore[no-any-return]


class People(Protocol):
    """What identities are drawn from: children and perpetrators alike."""

    @property
    def female(self) -> BoolArray: ...
    @property
    def nationality(self) -> ObjArray: ...
    @property
    def birth_date(self) -> DateArray: ...
    @property
    def age(self) -> IntArray: ...
    def __len__(self) -> int: ...


def draw_identities(
    params: SynthParams,
    profile: Profile,
    children: People,
    region_of_child: IntArray,
    regions: ObjArray,
    rng: np.random.Generator,
    iso3: str,
    id_base: int = 10_000_000,
    indigenous: BoolArray | None = None,
) -> Identities:
    """Names and IDs: Spanish names, names of indigenous origin (more often for the
    `indigenous` people), foreign names for some nationalities. DNI-like numbers count up
    from `id_base` (distinct bases keep different groups of people from sharing one)."""
    names = load_names()
    female_names = list(names["given_female"])
    male_names = list(names["given_male"])
    surnames = list(names["surnames"])
    given_pool = female_names + male_names
    surname_pool = list(surnames)
    n = len(children)
    f_idx = rng.choice(len(female_names), size=n, p=_zipf(len(female_names)))
    m_idx = len(female_names) + rng.choice(len(male_names), size=n, p=_zipf(len(male_names)))
    given1 = np.where(children.female, f_idx, m_idx)
    f2 = rng.choice(len(female_names), size=n, p=_zipf(len(female_names)))
    m2 = len(female_names) + rng.choice(len(male_names), size=n, p=_zipf(len(male_names)))
    given2 = np.where(children.female, f2, m2)
    given2[(given2 == given1) | ~bernoulli(rng, TWO_GIVEN_NAMES, n)] = -1
    paternal = rng.choice(len(surnames), size=n, p=_zipf(len(surnames)))
    maternal = rng.choice(len(surnames), size=n, p=_zipf(len(surnames)))
    native = names["indigenous"].get(params.country)
    if native:
        flag = np.zeros(n, dtype=bool) if indigenous is None else indigenous
        base_g, base_s = len(given_pool), len(surname_pool)
        gf, gm, sn = native["given_female"], native["given_male"], native["surnames"]
        given_pool += list(gf) + list(gm)
        surname_pool += list(sn)
        share = np.where(flag, native["surname_share"], native["general_surname_share"])
        for surname in (paternal, maternal):
            hit = rng.random(n) < share
            surname[hit] = base_s + rng.choice(len(sn), size=int(hit.sum()), p=_zipf(len(sn)))
        hit = flag & (rng.random(n) < native["given_share"])
        female = children.female[hit]
        given1[hit] = np.where(
            female,
            base_g + rng.choice(len(gf), size=len(female), p=_zipf(len(gf))),
            base_g + len(gf) + rng.choice(len(gm), size=len(female), p=_zipf(len(gm))),
        )
    for nat in sorted(names["foreign"]):
        lists = names["foreign"][nat]
        rows = np.flatnonzero(children.nationality == nat)
        if not len(rows):
            continue
        gf, gm, sn = lists["given_female"], lists["given_male"], lists["surnames"]
        base_g, base_s = len(given_pool), len(surname_pool)
        given_pool += list(gf) + list(gm)
        surname_pool += list(sn)
        fem = children.female[rows]
        given1[rows] = np.where(
            fem,
            base_g + rng.integers(0, len(gf), len(rows)),
            base_g + len(gf) + rng.integers(0, len(gm), len(rows)),
        )
        given2[rows] = -1
        paternal[rows] = base_s + rng.integers(0, len(sn), len(rows))
        maternal[rows] = -1
    ident = Identities(
        given_pool=np.array(given_pool, dtype=object),
        surname_pool=np.array(surname_pool, dtype=object),
        given1=given1.astype(np.int64),
        given2=given2.astype(np.int64),
        paternal=paternal.astype(np.int64),
        maternal=maternal.astype(np.int64),
        national_id=np.full(n, "", dtype=object),
    )
    national = children.nationality == iso3
    if params.get("national_id") == "CURP":
        states = _renapo_codes(profile, regions)
        curp = curps(ident, children, states[region_of_child], rng)
        ident.national_id[national] = curp[national]
    else:
        ident.national_id[national] = dnis(int(national.sum()), rng, id_base)
    return ident


def _renapo_codes(profile: Profile, regions: ObjArray) -> ObjArray:
    """Two-letter state codes used in the CURP (states.csv column renapo_code)."""
    rows = read_rows(profile.geo_level("state").file)
    code = {r["cve_ent"]: r.get("renapo_code") or "NE" for r in rows}
    return np.array([code.get(r, "NE") for r in regions], dtype=object)


def _ascii_upper(name: str) -> str:
    # CURP rule: letters without accents, Ñ written as X.
    name = name.upper().replace("Ñ", "X")
    return "".join(c for c in unicodedata.normalize("NFKD", name) if c.isalpha() and c.isascii())


def _parts(pool: ObjArray) -> tuple[ObjArray, ObjArray, ObjArray]:
    """First letter, first inner vowel and first inner consonant of each pool name."""
    first, vowel, consonant = [], [], []
    for name in pool:
        s = _ascii_upper(str(name)) or "X"
        inner = s[1:]
        first.append(s[0])
        vowel.append(next((c for c in inner if c in VOWELS), "X"))
        consonant.append(next((c for c in inner if c not in VOWELS), "X"))
    return (np.array(first, object), np.array(vowel, object), np.array(consonant, object))


def curps(
    ident: Identities, children: People, state: ObjArray, rng: np.random.Generator
) -> ObjArray:
    """CURP-like keys: structure and check digit as RENAPO's, values fake."""
    gf, _, gc = _parts(ident.given_pool)
    sf, sv, sc = _parts(ident.surname_pool)
    mat = ident.maternal
    has_mat = mat >= 0
    # Object arrays throughout: mixing them with fixed-width string arrays is slow.
    m_first = np.where(has_mat, sf[np.maximum(mat, 0)], "X").astype(object)
    m_cons = np.where(has_mat, sc[np.maximum(mat, 0)], "X").astype(object)
    days, inverse = np.unique(children.birth_date, return_inverse=True)
    ymd_days = [d[2:4] + d[5:7] + d[8:10] for d in np.datetime_as_string(days, unit="D")]
    ymd = np.array(ymd_days, dtype=object)[inverse.reshape(-1)]
    sex = np.where(children.female, "M", "H").astype(object)  # RENAPO: H hombre, M mujer
    year = children.birth_date.astype("datetime64[Y]").astype(np.int64) + 1970
    digits = rng.integers(0, 10, len(year))
    letters = rng.integers(0, 26, len(year))
    homoclave = np.where(
        year < 2000,
        np.array(list("0123456789"), object)[digits],
        np.array([chr(65 + k) for k in range(26)], object)[letters],
    ).astype(object)
    p, g = ident.paternal, ident.given1
    stem = (
        (sf + sv)[p]
        + m_first
        + gf[g]
        + ymd
        + sex
        + state.astype(object)
        + sc[p]
        + m_cons
        + gc[g]
        + homoclave
    )
    return stem + curp_check_digits(stem)  # type: ignore[no-any-return]


def curp_check_digits(stems: ObjArray) -> ObjArray:
    """RENAPO check digit of 17-character ASCII stems, vectorised over a byte matrix."""
    value = np.zeros(128, dtype=np.int64)
    for i, c in enumerate(CURP_ALPHABET):
        if c.isascii():
            value[ord(c)] = i
    raw = np.frombuffer("".join(stems).encode("ascii"), dtype=np.uint8).reshape(-1, 17)
    total = (value[raw] * np.arange(18, 1, -1)).sum(axis=1)
    return np.array(list("0123456789"), dtype=object)[(10 - total % 10) % 10]  # type: ignore[no-any-return]


def dnis(n: int, rng: np.random.Generator, base: int = 10_000_000) -> ObjArray:
    """Unique 8-digit DNI-like numbers above `base` (random gaps, then shuffled)."""
    values = base + np.cumsum(1 + rng.integers(0, 60, n))
    rng.shuffle(values)
    return np.array([f"{v:08d}" for v in values], dtype=object)
