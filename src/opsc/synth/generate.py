"""`generate()`: simulate a country, let its institutions record it, write everything."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from opsc.reference import load_profile
from opsc.synth import columns as col
from opsc.synth.capture import Institution, capture, column, institutions
from opsc.synth.columns import Table
from opsc.synth.geo import Places, load_places
from opsc.synth.identity import draw_identities
from opsc.synth.justice import Steps, case_stages, proceeding_table, prosecution_steps
from opsc.synth.output import (
    FORMATS,
    TRUTH_DIR,
    write_json,
    write_readme,
    write_registry,
    write_table,
)
from opsc.synth.params import NoiseRates, SynthError, load_params
from opsc.synth.perpetrators import add_identifiers, draw_perpetrator_identities
from opsc.synth.programme import programme_tables
from opsc.synth.records import (
    CaseLinks,
    case_table,
    links_from,
    perpetrator_table,
    recorded_perpetrators,
    victim_records,
)
from opsc.synth.rng import stream
from opsc.synth.services import complaint_table, helpline_table, service_table
from opsc.synth.sink import Sink
from opsc.synth.truth import (
    IdBook,
    WriteTable,
    aggregate_cells,
    cases_table,
    children_table,
    perpetrators_table,
    record_map,
    standard_tables,
)
from opsc.synth.world import Period, draw_cases, draw_children, draw_perpetrators

# Manifest order: a contract's rows may refer only to contracts listed before it.
CONTRACT_ORDER = (
    "cases",
    "victims",
    "perpetrators",
    "proceedings",
    "services",
    "helpline_contacts",
    "complaints",
    "aggregate_cells",
    "plans",
    "plan_evaluations",
    "legislation",
    "campaigns",
    "trainings",
    "budget_lines",
)
ID_COLUMNS = {
    "cases": "agency_case_id",
    "victims": "agency_victim_id",
    "perpetrators": "agency_perpetrator_id",
    "proceedings": "agency_proceeding_id",
    "services": "agency_service_id",
}


@dataclass(frozen=True)
class SynthResult:
    out: Path
    manifest: Path
    truth: Path
    children: int
    recorded_children: int
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def victim_records(self) -> int:
        return self.rows.get("victims", 0)


FIRST_YEAR = 1990  # the reference data's earliest year of birth


def parse_years(text: str) -> Period:
    """`2019-2024` or `2021` as a Period; the message says the expected form."""
    parts = text.split("-")
    try:
        first, last = int(parts[0]), int(parts[-1])
    except ValueError:
        raise SynthError(f"--years {text!r}: write FIRST-LAST, e.g. 2019-2024") from None
    if len(parts) > 2:
        raise SynthError(f"--years {text!r}: write one range FIRST-LAST, e.g. 2019-2024")
    return check_period(Period(first, last), text)


def check_period(period: Period, text: str | None = None) -> Period:
    """Only complete past years from 1990 on (intake refuses dates in the future)."""
    text = text or f"{period.first_year}-{period.last_year}"
    last_complete = date.today().year - 1
    if period.first_year > period.last_year:
        raise SynthError(
            f"--years {text!r}: write FIRST-LAST with the earlier year first, e.g. "
            f"{period.last_year}-{period.first_year}"
        )
    if period.first_year < FIRST_YEAR:
        raise SynthError(f"--years {text!r}: years start at {FIRST_YEAR} at the earliest")
    if period.last_year > last_complete:
        first = min(period.first_year, last_complete)
        raise SynthError(
            f"--years {text!r}: the last year must be complete, {last_complete} at the "
            f"latest (e.g. {first}-{last_complete})"
        )
    return period


def generate(
    country: str,
    children: int,
    years: str | Period,
    seed: int,
    out: Path | str,
    fmt: str = "csv",
    noise: NoiseRates | None = None,
    perpetrator_names: bool = True,
) -> SynthResult:
    """Generate a synthetic country into `out` (replaced if it holds a previous run).

    `perpetrator_names` writes natural-person perpetrators' names and birth dates into
    their submission files, as institutions hold them before `opsc pseudonymise` (the
    truth always has them); False leaves only their national or tax ID. Either way the
    other files are byte-identical: the same random draws are made."""
    if fmt not in FORMATS:
        raise SynthError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    if children < 1:
        raise SynthError(f"--children {children}: must be at least 1")
    period = parse_years(years) if isinstance(years, str) else check_period(years)
    params = load_params(country, noise)
    profile = load_profile(params.country)
    iso3 = str(profile.meta["iso3"])
    out = Path(out)
    _prepare(out)
    places = load_places(profile, params)
    registry = institutions(params, places)
    cases, sizes = draw_cases(params, places, period, children, seed)
    kids = draw_children(params, cases, sizes, seed, iso3)
    perps = draw_perpetrators(params, cases, seed, iso3)
    region = places.region_of[cases.geo[kids.case]]
    rng = stream(seed, "identity")
    indigenous = kids.has("INDIGENOUS")
    ident = draw_identities(
        params, profile, kids, region, places.regions, rng, iso3, indigenous=indigenous
    )
    rng = stream(seed, "perpetrator_identity")
    perp_ident = draw_perpetrator_identities(params, profile, perps, cases, places, rng, iso3)
    cap = capture(params, registry, places, cases, kids, seed)
    span = (str(period.start), str(period.end))
    ids = IdBook(len(kids), len(cases), len(perps))
    ids.prepare()
    sink = Sink(
        out,
        registry,
        fmt,
        span,
        lambda c, t: _record_map(ids, c, t, registry),
        frozenset(ID_COLUMNS),
    )
    victims, links = victim_records(params, registry, cap, places, cases, kids, ident, period, seed)
    tables, stage = _justice(params, registry, places, links, cases, perps, period, seed)
    sink.emit(
        "cases", col.concat([case_table(links, registry, cases, places, stage), tables["cases"]])
    )
    rng = stream(seed, "perpetrator_noise")
    sink.emit(
        "perpetrators",
        add_identifiers(
            params, perp_ident, perps, tables["perpetrators"], registry, perpetrator_names, rng
        ),
    )
    proceedings = tables["proceedings"]
    sink.emit("proceedings", proceedings)
    steps = {k: proceedings.get(k, np.array([], dtype=object)) for k in ("stage", "outcome")}
    del tables, proceedings  # written: free them before the victims' services are built
    rng = stream(seed, "services")
    reported = links.date_reported[links.lookup(victims["_inst"], victims["_case"], len(cases))]
    services = service_table(params, registry, victims, reported, period, rng)
    sink.emit("victims", victims)
    sink.emit("services", services)
    victim_inst = victims["_inst"]
    del victims, services, reported
    rng = stream(seed, "contacts")
    sink.emit("helpline_contacts", helpline_table(params, registry, places, children, period, rng))
    sink.emit("complaints", complaint_table(params, registry, places, children, period, rng))
    sink.emit("aggregate_cells", aggregate_cells(registry, cap, kids, cases, places, period))
    programme = programme_tables(params, registry, places, period, stream(seed, "programme"))
    for contract, table in programme.items():
        sink.emit(contract, table)
    sink.wait()
    entries = sink.ordered(CONTRACT_ORDER)
    registry_file = write_registry(out, registry, fmt)
    manifest = out / "manifest.json"
    write_json(
        manifest,
        {
            "country": params.country,
            "synthetic": True,
            "seed": seed,
            "generator": "opsc synth",
            "children": children,
            "years": f"{period.first_year}-{period.last_year}",
            "institutions_file": registry_file,
            "submissions": entries,
        },
    )
    truth = out / TRUTH_DIR
    # Truth files go to the writer too; the parent meanwhile builds the next one.
    sink.write_file(
        truth / "children.csv", children_table(ids, kids, ident, cases, places, registry, cap)
    )
    sink.write_file(truth / "cases.csv", cases_table(ids, cases, sizes, perps, places))
    sink.write_file(truth / "perpetrators.csv", perpetrators_table(ids, perps, perp_ident))
    stats = standard_tables(kids, cases, places, cap, steps, victim_inst, registry)
    for name, table in stats.items():
        write_table(truth / "tables" / f"{name}.csv", table, "csv")
    sink.wait()
    rows = {c: sink.rows.get(c, 0) for c in CONTRACT_ORDER}
    recorded = int(cap.recorded().sum())
    lists = np.bincount(cap.lists(), minlength=len(params.capture) + 1)
    write_json(
        truth / "summary.json",
        {
            "synthetic": True,
            "country": params.country,
            "seed": seed,
            "children_total": children,
            "children_recorded": recorded,
            "children_unrecorded": children - recorded,
            "children_by_number_of_lists": {str(k): int(v) for k, v in enumerate(lists)},
            "cases_total": len(cases),
            "perpetrators_total": len(perps),
            "rows": rows,
            "noise_settings": dict(sorted(params.noise.__dict__.items())),
        },
    )
    write_readme(
        out,
        country=params.country,
        seed=seed,
        children=children,
        years=f"{period.first_year}-{period.last_year}",
    )
    return SynthResult(out, manifest, truth, children, recorded, rows)


def _record_map(
    ids: IdBook, contract: str, table: Table, registry: list[Institution]
) -> WriteTable | None:
    column = ID_COLUMNS.get(contract)
    return record_map(ids, contract, table, registry, column) if column else None


def _prepare(out: Path) -> None:
    """Refuse to overwrite a folder that is not a previous synthetic output."""
    if out.exists() and any(out.iterdir()):
        if not (out / "manifest.json").is_file() or not (out / TRUTH_DIR).is_dir():
            raise SynthError(
                f"{out} exists and is not a synthetic output folder: choose an empty or new --out"
            )
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def _justice(
    params: Any,
    registry: list[Institution],
    places: Places,
    links: CaseLinks,
    cases: Any,
    perps: Any,
    period: Period,
    seed: int,
) -> tuple[dict[str, Table], Any]:
    """Perpetrators and proceedings at police, prosecution and courts; court case rows.

    Returns the tables and the stage of each case link of the case-level institutions."""
    rng = stream(seed, "justice")
    types = column(registry, "type")[links.inst]
    recall = np.where(types == "POLICE", 0.8, 1.0)
    holds = np.isin(types, ["POLICE", "PROSECUTION"])
    link, perp = recorded_perpetrators(links, perps, 1.0, rng)
    keep = holds[link] & (rng.random(len(link)) < recall[link])
    first = np.r_[True, link[1:] != link[:-1]]
    keep |= holds[link] & first  # every held case keeps its first perpetrator
    link, perp = link[keep], perp[keep]
    perp_table = perpetrator_table(registry, links, link, perp, perps)
    at_prosecutor = types[link] == "PROSECUTION"
    p_rows = np.flatnonzero(at_prosecutor)
    pros, court = prosecution_steps(
        params.section("proceedings"), links, link[p_rows], perp[p_rows], perps, cases, period, rng
    )
    # Steps index the full case links; their perp_row indexes the rows in p_rows.
    pros_table = proceeding_table(
        registry, pros, links, perp_table["agency_perpetrator_id"][p_rows], perp[p_rows]
    )
    stage = np.full(len(links.case), "", dtype=object)
    stage[types == "POLICE"] = "REPORT"
    reached = case_stages(pros, len(links.case))
    stage = np.where(reached != "", reached, stage).astype(object)
    court_tables = _court(registry, places, links, perp[p_rows], court, perps, cases)
    return {
        "perpetrators": col.concat([perp_table, court_tables["perpetrators"]]),
        "proceedings": col.concat([pros_table, court_tables["proceedings"]]),
        "cases": court_tables["cases"],
    }, stage


def _court(
    registry: list[Institution],
    places: Places,
    links: CaseLinks,
    p_perp: Any,
    court: Steps,
    perps: Any,
    cases: Any,
) -> dict[str, Table]:
    """The judiciary's own case, perpetrator and proceeding rows for charged cases."""
    judges = [i for i, r in enumerate(registry) if r.type == "JUDICIARY"]
    if not judges or not len(court.link):
        return {"cases": {}, "perpetrators": {}, "proceedings": {}}
    by_region = {registry[i].region: i for i in judges}
    true_case = links.case[court.link]
    src_region = column(registry, "region")[links.inst[court.link]]
    national = by_region.get(-1, judges[0])
    court_inst = np.array([by_region.get(int(r), national) for r in src_region], dtype=np.int64)
    # A court receives a case on the date of its first step there.
    key = court_inst * len(cases) + true_case
    uniq, j_of_step = np.unique(key, return_inverse=True)
    first_date = np.full(len(uniq), np.datetime64("2200-01-01"), dtype="datetime64[D]")
    np.minimum.at(first_date, j_of_step, court.date)
    jl = links_from(registry, uniq // len(cases), uniq % len(cases), first_date)
    j_index = jl.lookup(court_inst, true_case, len(cases))
    true_perp = p_perp[court.perp_row]
    pkey = np.unique(j_index * len(perps) + true_perp)
    jp_link, jp_perp = pkey // len(perps), pkey % len(perps)
    order = np.lexsort((jp_perp, jl.inst[jp_link]))
    jp_link, jp_perp = jp_link[order], jp_perp[order]
    perp_table = perpetrator_table(registry, jl, jp_link, jp_perp, perps)
    sorted_keys = jp_link * len(perps) + jp_perp
    pos = np.argsort(sorted_keys, kind="stable")
    perp_row = pos[np.searchsorted(sorted_keys[pos], j_index * len(perps) + true_perp)]
    steps = replace(court, link=j_index, perp_row=perp_row)
    proc = proceeding_table(registry, steps, jl, perp_table["agency_perpetrator_id"], jp_perp)
    stage = case_stages(steps, len(jl.case))
    return {
        "cases": case_table(jl, registry, cases, places, stage),
        "perpetrators": perp_table,
        "proceedings": proc,
    }
