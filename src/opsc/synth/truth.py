"""Known truth: who every record really is, how many children there really are (recorded
or not), standard tables, and the counts aggregate-only institutions send."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from opsc.synth import columns as col
from opsc.synth.capture import Capture, Institution, column
from opsc.synth.columns import Table
from opsc.synth.geo import Places
from opsc.synth.identity import Identities
from opsc.synth.world import Cases, Children, IntArray, Period, Perpetrators

WriteTable = dict[str, col.Cells]  # a truth table: written, never computed on
AGE_BANDS = ((0, 4, "0-4"), (5, 9, "5-9"), (10, 14, "10-14"), (15, 17, "15-17"))


class IdBook:
    """True ids (`T-P…` persons, `T-C…` cases, `T-X…` perpetrators), each formatted once
    per run; columns of them are codes into these vocabularies (`Coded`)."""

    def __init__(self, persons: int, cases: int, perpetrators: int) -> None:
        self._sizes = {"T-P": persons, "T-C": cases, "T-X": perpetrators}
        self._made: dict[str, col.Vocab] = {}

    def _get(self, prefix: str, idx: npt.NDArray[Any]) -> col.Coded:
        if prefix not in self._made:
            ids = col.numbered(prefix, np.arange(1, self._sizes[prefix] + 1))
            self._made[prefix] = col.Vocab(ids)
        return col.Coded(self._made[prefix], idx)

    def prepare(self) -> None:
        """Format every id now (before writers fork, so they do not each redo it)."""
        for prefix in self._sizes:
            self._get(prefix, np.zeros(0, dtype=np.int64)).vocab.arrow()

    def persons(self, idx: npt.NDArray[Any]) -> col.Coded:
        return self._get("T-P", idx)

    def cases(self, idx: npt.NDArray[Any]) -> col.Coded:
        return self._get("T-C", idx)

    def perpetrators(self, idx: npt.NDArray[Any]) -> col.Coded:
        return self._get("T-X", idx)


def age_bands(age: IntArray) -> npt.NDArray[np.object_]:
    out = np.full(len(age), "UNK", dtype=object)
    for lo, hi, code in AGE_BANDS:
        out[(age >= lo) & (age <= hi)] = code
    return out


def recorded_by(registry: list[Institution], capture: Capture, n: int) -> npt.NDArray[np.object_]:
    if not n:
        return np.array([], dtype=object)
    codes = np.array([r.code for r in registry], dtype=object)
    parts = list(capture.by_type.values())
    return col.joined_words([p.astype(np.int64) for p in parts], [codes] * len(parts))


def children_table(
    ids: IdBook,
    children: Children,
    ident: Identities,
    cases: Cases,
    places: Places,
    registry: list[Institution],
    capture: Capture,
) -> WriteTable:
    n = len(children)
    surnames = col.Vocab(ident.surname_pool)
    return {
        "true_person_id": ids.persons(np.arange(n)),
        "true_case_id": ids.cases(children.case),
        "given_names": ident.given_names(),
        "paternal_surname": col.Coded(surnames, ident.paternal),
        "maternal_surname": col.Coded(surnames, ident.maternal),
        "birth_date": col.dates(children.birth_date),
        "age_at_offence": col.ints(children.age),
        "sex": np.where(children.female, "F", "M").astype(object),
        "national_id": ident.national_id,
        "nationality": children.nationality,
        "ethnic_origin": children.ethnic_origin,
        "language": children.language,
        "migrant_status": children.migrant_status,
        "residence_geo": places.codes[cases.geo[children.case]],
        "offence": cases.offence[children.case],
        "year": col.ints(children_year(children, cases)),
        "risk_factors": children.risk_text,
        "recorded_by": recorded_by(registry, capture, n),
        "lists": col.ints(capture.lists()),
    }


def children_year(children: Children, cases: Cases) -> IntArray:
    return cases.date_offence[children.case].astype("datetime64[Y]").astype(np.int64) + 1970


def cases_table(
    ids: IdBook, cases: Cases, sizes: IntArray, perps: Perpetrators, places: Places
) -> WriteTable:
    n = len(cases)
    return {
        "true_case_id": ids.cases(np.arange(n)),
        "offence": cases.offence,
        "offence2": cases.offence2,
        "date_offence": col.dates(cases.date_offence),
        "geo_code": places.codes[cases.geo],
        "online": col.bools(cases.online),
        "tourism_context": col.bools(cases.tourism),
        "transnational": col.bools(cases.transnational),
        "children": col.ints(sizes),
        "perpetrators": col.ints(np.bincount(perps.case, minlength=n)),
    }


def perpetrators_table(ids: IdBook, perps: Perpetrators, ident: Identities) -> WriteTable:
    """True perpetrators with their clear identity (a tax ID for legal persons)."""
    n = len(perps)
    legal = perps.legal
    surnames = col.Vocab(ident.surname_pool)
    return {
        "true_perpetrator_id": ids.perpetrators(np.arange(n)),
        "true_case_id": ids.cases(perps.case),
        "person_type": np.where(legal, "legal", "natural").astype(object),
        "given_names": col.texts(ident.given_names(), legal),
        "paternal_surname": col.Coded(surnames, np.where(legal, -1, ident.paternal)),
        "maternal_surname": col.Coded(surnames, np.where(legal, -1, ident.maternal)),
        "birth_date": col.dates(perps.birth_date, legal),
        "age_at_offence": col.ints(perps.age, legal),
        "sex": col.texts(np.where(perps.male, "M", "F"), legal),
        "national_id": ident.national_id,
        "nationality": col.texts(perps.nationality, legal),
        "public_official": col.bools(perps.public_official),
    }


def aggregate_cells(
    registry: list[Institution],
    capture: Capture,
    children: Children,
    cases: Cases,
    places: Places,
    period: Period,
) -> Table:
    """Counts of the children each aggregate-only institution identified, by year of the
    offence x region x offence x sex x age band (unit: children)."""
    year = children_year(children, cases)
    region = places.regions[places.region_of[cases.geo[children.case]]]
    sex = np.where(children.female, "F", "M")
    band = age_bands(children.age)
    offence = cases.offence[children.case]
    parts: list[Table] = []
    for inst in capture.by_type.values():
        rows = np.flatnonzero(inst >= 0)
        rows = rows[column(registry, "aggregate")[inst[rows]].astype(bool)]
        if not len(rows):
            continue
        counts = count_table(
            {
                "inst": inst[rows],
                "year": year[rows],
                "geo_code": region[rows],
                "offence": offence[rows],
                "sex": sex[rows],
                "age_band": band[rows],
            }
        )
        n = len(counts["count"])
        blank = np.full(n, "", dtype=object)
        parts.append(
            {
                "measure": np.full(n, "victims_identified", dtype=object),
                "unit": np.full(n, "children", dtype=object),
                "period_start": counts["year"] + "-01-01",
                "period_end": counts["year"] + "-12-31",
                "geo_code": counts["geo_code"],
                "offence": counts["offence"],
                "sex": counts["sex"],
                "age_band": counts["age_band"],
                "nationality": blank,
                "ethnic_origin": blank,
                "stage": blank,
                "value": counts["count"],
                "_inst": counts["inst"].astype(np.int64),
            }
        )
    return col.concat(parts)


def count_table(keys: dict[str, npt.NDArray[Any]]) -> Table:
    """Counts of every combination of the key columns, sorted by the keys as text."""
    import pandas as pd  # only here: importing it costs the demo a second

    names = list(keys)
    uniques, codes = [], []
    for name in names:
        # Hash-factorise (fast on a million rows), then order the few distinct values.
        code, distinct = pd.factorize(keys[name])
        text = np.array([str(v) for v in distinct], dtype=object)
        order = np.argsort(text.astype(str), kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        uniques.append(text[order])
        codes.append(rank[code])
    # One mixed-radix integer per row: sorting it sorts by the key tuple.
    combined = np.zeros(len(codes[0]) if codes else 0, dtype=np.int64)
    for values, code in zip(uniques, codes, strict=True):
        combined = combined * len(values) + code
    found, counts = np.unique(combined, return_counts=True)
    table: Table = {}
    for name, values in reversed(list(zip(names, uniques, strict=True))):
        table[name] = values[found % len(values)]
        found = found // len(values)
    table = {name: table[name] for name in names}
    table["count"] = col.ints(counts)
    return table


def standard_tables(
    children: Children,
    cases: Cases,
    places: Places,
    capture: Capture,
    proceedings: Table,
    victim_inst: IntArray,
    registry: list[Institution],
) -> dict[str, Table]:
    year = children_year(children, cases)
    offence = cases.offence[children.case]
    sex = np.where(children.female, "F", "M")
    region = places.regions[places.region_of[cases.geo[children.case]]]
    caught = [inst >= 0 for inst in capture.by_type.values()]
    history = col.flag_words(caught, list(capture.by_type))
    history[history == ""] = "(none)"
    types = np.array([r.type for r in registry], dtype=object)
    rec_types = types[victim_inst]
    return {
        "children_by_year_offence_sex": count_table({"year": year, "offence": offence, "sex": sex}),
        "children_by_region_year": count_table({"geo_code": region, "year": year}),
        "children_by_age_band_sex": count_table({"age_band": age_bands(children.age), "sex": sex}),
        "capture_histories": count_table({"history": history}),
        "victim_records_by_type": count_table({"institution_type": rec_types}),
        "proceedings_by_stage_outcome": count_table(
            {"stage": proceedings["stage"], "outcome": proceedings["outcome"]}
        ),
    }


def record_map(
    ids: IdBook, contract: str, table: Table, registry: list[Institution], id_column: str
) -> WriteTable:
    """Per submitted row: its institution, agency id and the true ids behind it."""
    n = col.length(table)
    empty = col.Coded(np.array([], dtype=object), np.full(n, -1))
    codes = np.array([r.code for r in registry], dtype=object)
    return {
        "contract": col.constant(contract, n),
        "institution": col.Coded(codes, table["_inst"]),
        "agency_id": table[id_column],
        "true_person_id": ids.persons(table["_person"]) if "_person" in table else empty,
        "true_case_id": ids.cases(table["_case"]) if "_case" in table else empty,
        "true_perpetrator_id": ids.perpetrators(table["_perp"]) if "_perp" in table else empty,
        "noise": table.get("_noise", empty),
    }
