"""The truth: cases, child victims and perpetrators as column arrays (vectorised draws)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from opsc.synth.columns import flag_words
from opsc.synth.geo import Places
from opsc.synth.params import SynthParams, load_names
from opsc.synth.rng import bernoulli, pick, stream

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
ObjArray = npt.NDArray[np.object_]
DateArray = npt.NDArray[np.datetime64]
MIGRANT_RISKS = ("UNACCOMPANIED_MIGRANT", "SEPARATED_MIGRANT", "ASYLUM_REFUGEE")


@dataclass(frozen=True)
class Period:
    first_year: int
    last_year: int

    @property
    def start(self) -> np.datetime64:
        return np.datetime64(f"{self.first_year}-01-01")

    @property
    def end(self) -> np.datetime64:
        return np.datetime64(f"{self.last_year}-12-31")

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))


@dataclass(frozen=True)
class Cases:
    kind: IntArray  # index into params.offences
    offence: ObjArray  # main OPSC code
    offence2: ObjArray  # second code or ""
    date_offence: DateArray
    geo: IntArray  # index into Places.codes
    online: BoolArray
    tourism: BoolArray
    transnational: BoolArray

    def __len__(self) -> int:
        return len(self.offence)


@dataclass(frozen=True)
class Children:
    case: IntArray
    female: BoolArray
    birth_date: DateArray
    age: IntArray  # completed years at the offence
    risk: BoolArray  # n x len(risk_codes)
    risk_codes: tuple[str, ...]
    nationality: ObjArray
    migrant_status: ObjArray
    ethnic_origin: ObjArray
    language: ObjArray
    socio_economic: ObjArray
    relation: ObjArray
    in_school: npt.NDArray[np.int8]  # 1 yes, 0 no, -1 not applicable (under 6)
    treated_as_offender: BoolArray
    visibility: npt.NDArray[np.float64]  # latent score driving capture

    def __len__(self) -> int:
        return len(self.case)

    def has(self, risk: str) -> BoolArray:
        return self.risk[:, self.risk_codes.index(risk)]

    @cached_property
    def risk_text(self) -> ObjArray:
        """Space-separated risk factor codes per child (code-list order; built once)."""
        if not len(self):
            return np.array([], dtype=object)
        flags = [self.risk[:, j] for j in range(len(self.risk_codes))]
        return flag_words(flags, list(self.risk_codes))


@dataclass(frozen=True)
class Perpetrators:
    case: IntArray
    legal: BoolArray
    male: BoolArray
    age: IntArray  # completed years at the offence
    foreign: BoolArray
    role: ObjArray
    public_official: BoolArray
    birth_date: DateArray
    nationality: ObjArray

    def __len__(self) -> int:
        return len(self.case)

    @property
    def female(self) -> BoolArray:
        return ~self.male


def draw_cases(
    params: SynthParams, places: Places, period: Period, children: int, seed: int
) -> tuple[Cases, IntArray]:
    """Cases with their victim counts; the counts sum to exactly `children`."""
    rng = stream(seed, "cases")
    specs = params.offences
    shares = np.array([o.share for o in specs])
    mean_victims = float(np.dot(shares, [o.victims_per_case for o in specs]))
    n = int(children / mean_victims * 1.2) + 10
    kind = rng.choice(len(specs), size=n, p=shares)
    extra = np.array([o.victims_per_case - 1.0 for o in specs])[kind]
    size = 1 + rng.poisson(extra)
    cum = np.cumsum(size)
    n = int(np.searchsorted(cum, children)) + 1
    kind, size = kind[:n], size[:n].copy()
    size[-1] -= int(cum[n - 1]) - children
    offence = np.array([o.code for o in specs], dtype=object)[kind]
    also = np.array([o.also or "" for o in specs], dtype=object)[kind]
    also_rate = np.array([o.also_rate for o in specs])[kind]
    offence2 = np.where(bernoulli(rng, also_rate, n), also, "").astype(object)
    geo = rng.choice(len(places.codes), size=n, p=places.weight)
    tourist_only = np.array([o.tourist_only for o in specs])[kind]
    tourist_units = np.flatnonzero(places.tourist)
    tw = places.weight[tourist_units] / places.weight[tourist_units].sum()
    geo[tourist_only] = rng.choice(tourist_units, size=int(tourist_only.sum()), p=tw)
    trend = float(params.section("children")["years_trend"])
    years = np.array(period.years)
    yw = (1.0 + trend) ** (years - years[0])
    year = rng.choice(years, size=n, p=yw / yw.sum())
    starts = np.array([f"{y}-01-01" for y in year], dtype="datetime64[D]")
    days = (rng.random(n) * 365).astype(np.int64)
    online = bernoulli(rng, np.array([o.online for o in specs])[kind], n)
    tourism = tourist_only | (places.tourist[geo] & bernoulli(rng, 0.3, n))
    cases = Cases(
        kind=kind.astype(np.int64),
        offence=offence,
        offence2=offence2,
        date_offence=(starts + days).astype("datetime64[D]"),
        geo=geo.astype(np.int64),
        online=online,
        tourism=tourism,
        transnational=bernoulli(rng, 0.05, n) | (online & bernoulli(rng, 0.15, n)),
    )
    return cases, size.astype(np.int64)


def draw_children(
    params: SynthParams, cases: Cases, sizes: IntArray, seed: int, iso3: str
) -> Children:
    rng = stream(seed, "children")
    case = np.repeat(np.arange(len(cases), dtype=np.int64), sizes)
    n = len(case)
    kind = cases.kind[case]
    specs = params.offences
    female = bernoulli(rng, np.array([o.female for o in specs])[kind], n)
    lo = np.array([o.ages[0] for o in specs])[kind]
    hi = np.array([o.ages[1] for o in specs])[kind]
    age_years = lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)
    # Birth date: `age_years` completed years plus a random part of a year before the offence.
    offset = np.round((age_years + rng.random(n) * 0.995) * 365.2425).astype(np.int64)
    birth = cases.date_offence[case] - offset
    age = completed_years(birth, cases.date_offence[case])
    base = params.section("risk_base")
    risk_codes = tuple(base)
    risk = np.zeros((n, len(risk_codes)), dtype=bool)
    for j, code in enumerate(risk_codes):
        mult = np.array([o.risk.get(code, 1.0) for o in specs])[kind]
        risk[:, j] = rng.random(n) < np.minimum(0.95, float(base[code]) * mult)
    # A child is unaccompanied or separated, not both.
    both = risk[:, risk_codes.index(MIGRANT_RISKS[0])] & risk[:, risk_codes.index(MIGRANT_RISKS[1])]
    risk[both, risk_codes.index(MIGRANT_RISKS[1])] = False
    has = {c: risk[:, j] for j, c in enumerate(risk_codes)}
    migrant = has[MIGRANT_RISKS[0]] | has[MIGRANT_RISKS[1]] | has[MIGRANT_RISKS[2]]
    nationality = np.full(n, iso3, dtype=object)
    nationality[migrant] = pick(rng, params.section("migrant_nationalities"), int(migrant.sum()))
    status = np.full(n, "NOT_MIGRANT", dtype=object)
    status[has["ASYLUM_REFUGEE"]] = np.where(
        bernoulli(rng, 0.7, int(has["ASYLUM_REFUGEE"].sum())), "ASYLUM_SEEKER", "REFUGEE"
    )
    status[has["SEPARATED_MIGRANT"]] = "SEPARATED"
    status[has["UNACCOMPANIED_MIGRANT"]] = "UNACCOMPANIED"
    ethnic = pick(rng, params.section("ethnic_other"), n)
    afro = has["AFRODESCENDANT"]
    ethnic[afro] = pick(rng, params.section("ethnic_afro"), int(afro.sum()))
    indig = has["INDIGENOUS"]
    ethnic[indig] = pick(rng, params.section("ethnic_indigenous"), int(indig.sum()))
    language = np.full(n, "SPA", dtype=object)
    speaks = indig & bernoulli(rng, float(params.get("indigenous_language_share")), n)
    langs = {c: 1.0 for c in params.get("indigenous_languages")}
    language[speaks] = pick(rng, langs, int(speaks.sum()))
    language[np.isin(nationality, non_spanish_nationalities())] = "FOREIGN"
    socio = pick(rng, {"VULNERABLE": 0.5, "NOT_POOR": 0.38, "UNK": 0.12}, n)
    poor = has["POVERTY"]
    socio[poor] = pick(rng, {"EXTREME_POVERTY": 0.35, "POVERTY": 0.65}, int(poor.sum()))
    relation = np.empty(n, dtype=object)
    for k, spec in enumerate(specs):
        idx = np.flatnonzero(kind == k)
        relation[idx] = pick(rng, spec.relation, len(idx))
    in_school = np.where(has["OUT_OF_SCHOOL"], 0, 1).astype(np.int8)
    in_school[age < 6] = -1
    cfg = params.section("children")
    return Children(
        case=case,
        female=female,
        birth_date=birth,
        age=age,
        risk=risk,
        risk_codes=risk_codes,
        nationality=nationality,
        migrant_status=status,
        ethnic_origin=ethnic,
        language=language,
        socio_economic=socio,
        relation=relation,
        in_school=in_school,
        treated_as_offender=bernoulli(rng, float(cfg["treated_as_offender"]), n),
        visibility=rng.standard_normal(n),
    )


FOREIGN_PERPETRATOR_NATIONALITIES = ("USA", "CAN", "ESP", "GTM", "COL")  # invented


def draw_perpetrators(params: SynthParams, cases: Cases, seed: int, iso3: str) -> Perpetrators:
    rng = stream(seed, "perpetrators")
    specs = params.offences
    extra = np.array([o.perpetrators_per_case - 1.0 for o in specs])[cases.kind]
    count = 1 + rng.poisson(extra)
    case = np.repeat(np.arange(len(cases), dtype=np.int64), count)
    n = len(case)
    cfg = params.section("perpetrators")
    legal_p = np.array([o.legal_person for o in specs])[cases.kind[case]]
    legal = bernoulli(rng, legal_p, n)
    lo, hi = cfg["age"]
    age = rng.integers(int(lo), int(hi) + 1, size=n)
    male = bernoulli(rng, float(cfg["male"]), n)
    foreign = bernoulli(rng, float(cfg["foreign"]), n) | (cases.transnational[case] & ~legal)
    role = pick(rng, cfg["role"], n)
    official = ~legal & bernoulli(rng, float(cfg["public_official"]), n)
    # Drawn last, so that adding them left every earlier draw as it was.
    offset = np.round((age + rng.random(n) * 0.995) * 365.2425).astype(np.int64)
    birth = cases.date_offence[case] - offset
    other = np.array(FOREIGN_PERPETRATOR_NATIONALITIES, dtype=object)[np.arange(n) % 5]
    return Perpetrators(
        case=case,
        legal=legal,
        male=male,
        age=completed_years(birth, cases.date_offence[case]),
        foreign=foreign,
        role=role,
        public_official=official,
        birth_date=birth,
        nationality=np.where(foreign, other, iso3).astype(object),
    )


def completed_years(birth: DateArray, on: DateArray) -> IntArray:
    """Exact age in completed years (calendar arithmetic, vectorised)."""
    by = birth.astype("datetime64[Y]").astype(np.int64)
    oy = on.astype("datetime64[Y]").astype(np.int64)
    # The birthday has not come yet when the (month, day) key is later in the year.
    return (oy - by - (_month_day(on) < _month_day(birth))).astype(np.int64)


def _month_day(d: DateArray) -> IntArray:
    month = d.astype("datetime64[M]")
    day = (d - month.astype("datetime64[D]")).astype(np.int64)
    m = (month.astype(np.int64) % 12).astype(np.int64)
    return m * 100 + day  # type: ignore[no-any-return]


def non_spanish_nationalities() -> list[str]:
    """Nationalities whose children get names from the foreign lists (data/names_foreign.toml)."""
    return sorted(load_names()["foreign"])
