"""Whole folders: register the institutions of a manifest and submit its files in order.

Each file is its own transaction, so one rejected file does not undo the accepted ones;
the order of the manifest (cases before victims, ...) is kept, and sorted again by
contract dependency in case a hand-written manifest lists them out of order.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from opsc.intake.contracts import get_contract
from opsc.intake.importer import SubmitError, SubmitResult, submit_file
from opsc.records.db import session
from opsc.records.institutions import Institution

# Contracts that others refer to come first.
ORDER = ("cases", "perpetrators", "victims", "proceedings", "services", "plans", "plan_evaluations")


class ManifestError(ValueError):
    """The manifest itself is unusable; the message names the file and the key."""


@dataclass
class ManifestItem:
    file: str
    contract: str
    institution: str
    result: SubmitResult | None
    problem: str = ""

    @property
    def status(self) -> str:
        return self.result.status if self.result else "rejected"


def register_institutions(engine: Engine, country: str, path: Path) -> int:
    """Insert or update institutions from a CSV (code,name,type,level,geo_code)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    with session(engine) as s:
        for line, row in enumerate(rows, start=2):
            missing = [k for k in ("code", "name", "type", "level") if not row.get(k)]
            if missing:
                raise ManifestError(f"{path} row {line}: empty {', '.join(missing)}")
            inst = s.execute(
                select(Institution).where(
                    Institution.country == country, Institution.code == row["code"]
                )
            ).scalar_one_or_none()
            if inst is None:
                inst = Institution(country=country, code=row["code"])
                s.add(inst)
            inst.name = row["name"]
            inst.type = row["type"]
            inst.level = row["level"]
            inst.geo_code = row.get("geo_code") or None
    return len(rows)


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read the manifest ({exc})") from exc
    for key in ("country", "submissions"):
        if key not in data:
            raise ManifestError(f"{path}: missing key {key!r}")
    return data


def submit_manifest(
    engine: Engine,
    path: Path,
    progress: Callable[[ManifestItem], Any] | None = None,
    today: date | None = None,
) -> list[ManifestItem]:
    data = read_manifest(path)
    base = path.parent
    country = str(data["country"])
    if data.get("institutions_file"):
        register_institutions(engine, country, base / data["institutions_file"])
    entries = sorted(
        data["submissions"],
        key=lambda e: ORDER.index(e["contract"]) if e["contract"] in ORDER else len(ORDER),
    )
    items = []
    for e in entries:
        item = ManifestItem(e["file"], e["contract"], e["institution"], None)
        try:
            period = (date.fromisoformat(e["period_start"]), date.fromisoformat(e["period_end"]))
            item.result = submit_file(
                engine,
                base / e["file"],
                get_contract(e["contract"]),
                country=country,
                institution=e["institution"],
                period=period,
                synthetic=bool(data.get("synthetic")),
                today=today,
            )
        except (SubmitError, KeyError, ValueError) as exc:
            item.problem = str(exc)
        items.append(item)
        if progress:
            progress(item)
    return items
