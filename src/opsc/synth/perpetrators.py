"""Clear (fake) identifiers of perpetrators as institutions hold them.

Natural persons get names, a birth date and a national ID like children do (foreign
nationals no ID); legal persons (companies) get a tax ID: RFC-like for Mexico (persona
moral: 3 letters, founding date YYMMDD, 3-character homoclave), RUC-like for Peru (20 +
8 digits + SUNAT check digit). Each record gets the same kinds of identifier noise as
victim records, so perpetrator linkage can be tested against the truth.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from opsc.reference import Profile
from opsc.synth import columns as col
from opsc.synth.capture import Institution, column
from opsc.synth.columns import Table
from opsc.synth.geo import Places
from opsc.synth.identity import Identities, draw_identities
from opsc.synth.noise import KINDS, apply_noise
from opsc.synth.params import SynthParams
from opsc.synth.world import Cases, DateArray, IntArray, ObjArray, Perpetrators

NAME_COLUMNS = ("given_names", "paternal_surname", "maternal_surname", "birth_date")
LETTERS = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), dtype=object)
ALNUM = np.array(list("0123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"), dtype=object)
RUC_WEIGHTS = np.array([5, 4, 3, 2, 7, 6, 5, 4, 3, 2])


def draw_perpetrator_identities(
    params: SynthParams,
    profile: Profile,
    perps: Perpetrators,
    cases: Cases,
    places: Places,
    rng: np.random.Generator,
    iso3: str,
) -> Identities:
    """True identities; `national_id` holds the tax ID of legal persons."""
    region = places.region_of[cases.geo[perps.case]]
    # Adults' DNI-like numbers start above any child's (a million children reach ~41M).
    ident = draw_identities(
        params, profile, perps, region, places.regions, rng, iso3, id_base=50_000_000
    )
    legal = np.flatnonzero(perps.legal)
    founded = perps.birth_date[legal]  # a company's founding date stands in for a birth
    kind = str(params.get("national_id"))
    ident.national_id[legal] = rfcs(founded, rng) if kind == "CURP" else rucs(len(legal), rng)
    return ident


def rfcs(founded: DateArray, rng: np.random.Generator) -> ObjArray:
    """RFC-like keys of companies: 3 letters, YYMMDD, 3-character homoclave (fake)."""
    n = len(founded)
    ymd = col.dates(founded)
    parts = [LETTERS[rng.integers(0, 26, n)] for _ in range(3)]
    parts.append(np.array([d[2:4] + d[5:7] + d[8:10] for d in ymd.tolist()], dtype=object))
    parts += [ALNUM[rng.integers(0, len(ALNUM), n)] for _ in range(3)]
    out = np.full(n, "", dtype=object)
    for part in parts:
        out = out + part
    return out


def rucs(n: int, rng: np.random.Generator) -> ObjArray:
    """RUC-like numbers of companies: 20, 8 digits, SUNAT's modulo-11 check digit."""
    body = rng.integers(0, 10, (n, 10))
    body[:, 0], body[:, 1] = 2, 0
    check = 11 - (body * RUC_WEIGHTS).sum(axis=1) % 11
    check = np.where(check == 10, 0, np.where(check == 11, 1, check))
    digits = np.concatenate([body, check[:, None]], axis=1).astype(np.uint8) + ord("0")
    return np.array([bytes(r).decode() for r in digits], dtype=object)


def add_identifiers(
    params: SynthParams,
    ident: Identities,
    perps: Perpetrators,
    table: Table,
    registry: list[Institution],
    names: bool,
    rng: np.random.Generator,
) -> Table:
    """The perpetrator rows with their identifiers as each institution wrote them.

    Always the national (or tax) ID, which intake pseudonymises into `tk_identity`; names
    and birth date of natural persons when `names` (the default of `opsc synth`), which
    intake pseudonymises as victims' are. The hidden `_noise` column says what was done to
    each record (for the truth)."""
    perp: IntArray = table["_perp"]
    n = len(perp)
    legal = perps.legal[perp]
    types = column(registry, "type")[table["_inst"]]
    home = np.zeros(n, dtype=np.int64)  # perpetrators' addresses are not written
    rates = replace(params.noise, moved_address=0.0)
    noisy, _ = apply_noise(
        params, rates, ident, perps, perp, types, home, [home[:1]], home[:1], rng
    )
    kinds = KINDS if names else ("no_national_id",)
    flags = [noisy.flags[k] & (~legal if k != "no_national_id" else True) for k in kinds]
    added: Table = {"national_id": noisy.columns["national_id"]}
    if names:
        added |= {c: col.texts(noisy.columns[c], legal) for c in NAME_COLUMNS}
    out: Table = {}
    for name, values in table.items():
        out[name] = values
        if name == "person_type":
            out |= added
    out["_noise"] = col.flag_words(flags, list(kinds))
    return out
