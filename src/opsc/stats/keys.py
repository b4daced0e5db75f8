"""Where the unique-person and unique-case keys come from, stated and recorded.

Unique children and linked cases need a key shared by the records of the same child or
case. The source is explicit: `linkage` (cluster ids of a linkage run), `truth` (true ids
of a synthetic country, for tests and the demo) or `records` (no linkage: every record is
its own person, so "unique children" equals records and the cube says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine, text

KINDS = ("linkage", "truth", "records")
KEY_COLUMNS = ("contract", "institution", "agency_id", "key")


@dataclass(frozen=True)
class KeySource:
    """Person, case and perpetrator keys per (institution code, agency id).

    `keys` has columns contract (victims/cases/perpetrators), institution, agency_id, key.
    A record with no key falls back to its own record key and is counted in
    `unkeyed` on the cube's metadata.
    """

    kind: str
    ref: str
    keys: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(KEY_COLUMNS)))

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"key source kind {self.kind!r} is not one of {', '.join(KINDS)}")
        missing = [c for c in KEY_COLUMNS if c not in self.keys.columns]
        if missing:
            raise ValueError(f"key table of {self.kind}:{self.ref} lacks columns {missing}")

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.ref}"

    def for_contract(self, contract: str) -> pd.DataFrame:
        rows = self.keys[self.keys["contract"] == contract]
        return rows[["institution", "agency_id", "key"]].drop_duplicates(
            ["institution", "agency_id"]
        )


def unlinked() -> KeySource:
    """No linkage: each record is its own child and each case record its own case."""
    return KeySource("records", "unlinked")


def from_record_map(frame: pd.DataFrame, ref: str) -> KeySource:
    """Keys from a synthetic country's record map (true ids per submitted row).

    Columns: contract, institution, agency_id, true_person_id, true_case_id,
    true_perpetrator_id; the id that identifies the row's own unit becomes its key.
    """
    own = {
        "victims": "true_person_id",
        "cases": "true_case_id",
        "perpetrators": "true_perpetrator_id",
    }
    parts = []
    for contract, column in own.items():
        rows = frame[(frame["contract"] == contract) & (frame[column].astype(str) != "")]
        parts.append(
            pd.DataFrame(
                {
                    "contract": contract,
                    "institution": rows["institution"].astype(str),
                    "agency_id": rows["agency_id"].astype(str),
                    "key": rows[column].astype(str),
                }
            )
        )
    # Case keys for victims' and perpetrators' cases come from their own rows too.
    return KeySource("truth", ref, pd.concat(parts, ignore_index=True))


def from_frames(kind: str, ref: str, **by_contract: pd.DataFrame) -> KeySource:
    """Keys given per contract as frames of (institution, agency_id, key)."""
    parts = [f.assign(contract=c)[list(KEY_COLUMNS)] for c, f in by_contract.items()]
    keys = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(KEY_COLUMNS))
    return KeySource(kind, ref, keys)


_ENTITY_TABLES = {
    "victims": ("victim", "agency_victim_id"),
    "cases": ("case_record", "agency_case_id"),
    "perpetrators": ("perpetrator", "agency_perpetrator_id"),
}


def from_linkage(engine: Engine, **runs: int) -> KeySource:
    """Keys from linkage runs in the store: `victims=RUN` (and optionally cases=, ...).

    A record's key is its cluster id in that run; records outside the run keep their own
    record key (counted as unkeyed in the cube's metadata).
    """
    parts = []
    for contract, run in runs.items():
        if contract not in _ENTITY_TABLES:
            raise ValueError(f"linkage keys for {contract!r}: use {', '.join(_ENTITY_TABLES)}")
        table, agency = _ENTITY_TABLES[contract]
        query = text(
            f"SELECT i.code AS institution, r.{agency} AS agency_id, c.cluster_id "
            f"FROM linkage_cluster c JOIN {table} r ON r.id = c.record_id "
            "JOIN institution i ON i.id = r.institution_id WHERE c.run_id = :run"
        )
        with engine.connect() as conn:
            frame = pd.read_sql(query, conn, params={"run": run})
        if frame.empty:
            raise ValueError(f"linkage run {run} has no clusters for {contract}")
        frame["key"] = f"L{run}:" + frame["cluster_id"].astype(str)
        parts.append(frame.assign(contract=contract)[list(KEY_COLUMNS)])
    ref = ",".join(f"{c}={r}" for c, r in runs.items())
    return KeySource("linkage", ref, pd.concat(parts, ignore_index=True))
