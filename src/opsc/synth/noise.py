"""Identifier noise as institutions produce it: typos, dropped accents and names, swapped
surnames, nicknames, wrong or missing dates, age instead of birth date, moves.

Each kind hits a configurable share of victim records; the kinds applied to a record are
returned as flags so the truth files can say exactly what was done to which record.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from opsc.synth.columns import Column, dates, ints
from opsc.synth.identity import Identities, People
from opsc.synth.params import NoiseRates, SynthParams, load_names
from opsc.synth.world import BoolArray, DateArray, IntArray, completed_years

# Flags recorded per record (also the order of the `noise` column in the truth files).
KINDS = (
    "typo",
    "drop_accents",
    "drop_second_given",
    "drop_maternal",
    "swap_surnames",
    "nickname",
    "day_month_swap",
    "date_off_by_one",
    "age_instead_of_dob",
    "missing_birth_date",
    "missing_sex",
    "missing_nationality",
    "moved_address",
    "no_national_id",
)
LETTERS = "abcdefghijklmnopqrstuvwxyzáéíóúñ"
MAX_CHILD_AGE = 17


@dataclass(frozen=True)
class NoisyIdentity:
    columns: dict[str, Column]
    flags: dict[str, BoolArray]


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def accent_table(text: str) -> dict[int, str]:
    """`str.translate` table stripping accents from the characters of `text`: the same
    result as `strip_accents` (it works character by character), at C speed."""
    table = {}
    for c in set(text):
        plain = strip_accents(c)
        if plain != c:
            table[ord(c)] = plain
    return table


def _typo(text: str, r: float, k: float) -> str:
    if not text:
        return text
    i = int(r * len(text))
    action = int(k * 3)
    if action == 0:  # substitute
        return text[:i] + LETTERS[int(k * 997) % len(LETTERS)] + text[i + 1 :]
    if action == 1 and len(text) > 2:  # delete
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]  # double


def apply_noise(
    params: SynthParams,
    rates: NoiseRates,
    ident: Identities,
    children: People,
    child: IntArray,
    inst_type: npt.NDArray[np.object_],
    residence: IntArray,
    units_in_region: list[IntArray],
    region_of_unit: IntArray,
    rng: np.random.Generator,
    offence: DateArray | None = None,
) -> tuple[NoisyIdentity, IntArray]:
    """Clear identifiers of the records of `child` as each institution wrote them.

    With `offence` (the offence date of each record), a wrong birth date never makes the
    child 18 or older, or born after the offence: intake rightly refuses such a victim.
    Returns the identity columns and the residence (a unit index) after moves."""
    n = len(child)
    flags = {k: rng.random(n) < getattr(rates, k, 0.0) for k in KINDS}
    paternal_all, maternal_all = ident.surnames()
    given1 = ident.given_pool[ident.given1[child]].astype(object)
    has_second = ident.given2[child] >= 0
    flags["drop_second_given"] &= has_second
    second = np.where(has_second, ident.given_pool[np.maximum(ident.given2[child], 0)], "")
    second = np.where(flags["drop_second_given"], "", second).astype(object)
    nick = {str(k): str(v) for k, v in load_names()["nicknames"].items()}
    flags["nickname"] &= np.isin(given1, list(nick))
    for i in np.flatnonzero(flags["nickname"]):
        given1[i] = nick[given1[i]]
    given = np.array(
        [a if not b else f"{a} {b}" for a, b in zip(given1, second, strict=True)], object
    )
    paternal = paternal_all[child].astype(object)
    maternal = maternal_all[child].astype(object)
    flags["drop_maternal"] &= maternal != ""
    maternal[flags["drop_maternal"]] = ""
    flags["swap_surnames"] &= maternal != ""
    swap = flags["swap_surnames"]
    paternal[swap], maternal[swap] = maternal[swap], paternal[swap].copy()
    typo_rows = np.flatnonzero(flags["typo"])
    which, pos, kind = (
        rng.random(len(typo_rows)),
        rng.random(len(typo_rows)),
        rng.random(len(typo_rows)),
    )
    for i, w, r, k in zip(typo_rows, which, pos, kind, strict=True):
        target = given if w < 0.4 else paternal if w < 0.8 or not maternal[i] else maternal
        target[i] = _typo(str(target[i]), r, k)
    accents = flags["drop_accents"]
    for col in (given, paternal, maternal):
        values = col[accents].tolist()
        table = accent_table("".join(values))
        col[accents] = [v.translate(table) for v in values]
    birth, age, missing_birth = _dates(params, children, child, inst_type, flags, rng, offence)
    ids = ident.national_id[child].astype(object)
    share = _recording(params, inst_type, "national_id")
    flags["no_national_id"] = (ids != "") & (rng.random(n) >= share)
    ids[flags["no_national_id"]] = ""
    sex = np.where(children.female[child], "F", "M").astype(object)
    sex[flags["missing_sex"]] = "U"
    nationality = children.nationality[child].astype(object)
    nationality[flags["missing_nationality"]] = ""
    moved = np.flatnonzero(flags["moved_address"])
    new_home = residence.copy()
    for i, u in zip(moved, rng.random(len(moved)), strict=True):
        options = units_in_region[int(region_of_unit[residence[i]])]
        new_home[i] = options[int(u * len(options))]
    flags["moved_address"] &= new_home != residence
    columns = {
        "given_names": given,
        "paternal_surname": paternal,
        "maternal_surname": maternal,
        "birth_date": dates(birth, missing_birth),
        "age": ints(age, ~flags["age_instead_of_dob"]),
        "national_id": ids,
        "sex": sex,
        "nationality": nationality,
    }
    return NoisyIdentity(columns, flags), new_home


def _recording(
    params: SynthParams, inst_type: npt.NDArray[np.object_], what: str
) -> npt.NDArray[np.float64]:
    table = params.section("recording")
    share = {t: float(v.get(what, 1.0)) for t, v in table.items()}
    types, inverse = np.unique(inst_type.astype(str), return_inverse=True)
    return np.array([share.get(str(t), 1.0) for t in types])[inverse.reshape(-1)]


def _dates(
    params: SynthParams,
    children: People,
    child: IntArray,
    inst_type: npt.NDArray[np.object_],
    flags: dict[str, BoolArray],
    rng: np.random.Generator,
    offence: DateArray | None,
) -> tuple[DateArray, IntArray, BoolArray]:
    """Birth dates with swaps and off-by-one errors; age where only age was recorded."""
    birth = children.birth_date[child].copy()
    age = children.age[child]
    months = birth.astype("datetime64[M]")
    day = (birth - months.astype("datetime64[D]")).astype(np.int64) + 1
    month = months.astype(np.int64) % 12 + 1
    flags["day_month_swap"] &= (day <= 12) & (day != month)
    swap = flags["day_month_swap"]
    year = birth.astype("datetime64[Y]")
    swapped = (year[swap].astype("datetime64[M]") + (day[swap] - 1)).astype("datetime64[D]") + (
        month[swap] - 1
    )
    birth[swap] = swapped
    off = flags["date_off_by_one"] & ~swap
    flags["date_off_by_one"] = off
    birth[off] += np.where(rng.random(int(off.sum())) < 0.5, -1, 1)
    if offence is not None:
        wrong = swap | off
        new_age = completed_years(birth[wrong], offence[wrong])
        keep_true = np.flatnonzero(wrong)[(new_age < 0) | (new_age > MAX_CHILD_AGE)]
        birth[keep_true] = children.birth_date[child[keep_true]]
        for kind in ("day_month_swap", "date_off_by_one"):
            flags[kind][keep_true] = False
    flags["age_instead_of_dob"] = rng.random(len(child)) >= _recording(
        params, inst_type, "birth_date"
    )
    missing = flags["missing_birth_date"]
    flags["age_instead_of_dob"] &= ~missing
    return birth, age, missing | flags["age_instead_of_dob"]
