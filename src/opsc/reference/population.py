"""Population denominators read from a profile's files into one long shape.

Each table is declared in `profile.toml` with one of three layouts, so a new country
only writes data: `long` (a row per year and sex, one column per age group), `wide`
(one column per year) and `columns` (one year, one column per sex).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opsc.reference.codelists import read_rows

TOTAL = "_total"


@dataclass(frozen=True)
class PopulationRow:
    table: str
    year: int
    level: str  # "national" or a geography level
    code: str
    sex: str  # F / M / _total
    age_group: str  # "0-17" / _total
    population: int


@dataclass(frozen=True)
class PopulationTable:
    id: str
    title: str
    file: Path
    spec: dict[str, Any]

    @property
    def level(self) -> str:
        return str(self.spec["level"])

    def control_totals(self) -> dict[int, int]:
        """Published national totals the table must sum to, by year."""
        totals = {int(y): int(v) for y, v in self.spec.get("control_totals", {}).items()}
        if "control_total" in self.spec:
            totals[int(self.spec["year_value"])] = int(self.spec["control_total"])
        return totals

    def rows(self) -> list[PopulationRow]:
        layout = self.spec["layout"]
        reader = {"long": self._long, "wide": self._wide, "columns": self._columns}[layout]
        return reader()

    def _level_of(self, code: str) -> str:
        national = self.spec.get("national_code")
        return "national" if national is not None and code == national else self.level

    def _sex(self, row: dict[str, str]) -> str:
        if "sex" not in self.spec:
            return TOTAL
        return str(self.spec["sex_values"][row[self.spec["sex"]]])

    def _long(self) -> list[PopulationRow]:
        out = []
        for row in read_rows(self.file):
            code = row[self.spec["code"]]
            for age_group, column in self.spec["values"].items():
                out.append(self._row(int(row[self.spec["year"]]), code, row, age_group, column))
        return out

    def _wide(self) -> list[PopulationRow]:
        out = []
        pattern = re.compile("^" + re.escape(self.spec.get("year_prefix", "")) + r"(\d{4})$")
        for row in read_rows(self.file):
            code = row[self.spec["code"]]
            for column in row:
                match = pattern.match(column)
                if match and row[column] != "":
                    age = self.spec["age_group"]
                    out.append(self._row(int(match.group(1)), code, row, age, column))
        return out

    def _columns(self) -> list[PopulationRow]:
        out = []
        year = int(self.spec["year_value"])
        for row in read_rows(self.file):
            code = row[self.spec["code"]]
            for sex, column in self.spec["columns"].items():
                if row[column] != "":
                    out.append(
                        PopulationRow(
                            self.id,
                            year,
                            self._level_of(code),
                            code,
                            sex,
                            self.spec["age_group"],
                            int(row[column]),
                        )
                    )
        return out

    def _row(
        self, year: int, code: str, row: dict[str, str], age_group: str, column: str
    ) -> PopulationRow:
        return PopulationRow(
            self.id,
            year,
            self._level_of(code),
            code,
            self._sex(row),
            age_group,
            int(row[column]),
        )


def national_totals(rows: list[PopulationRow], sex: str = TOTAL) -> dict[int, int]:
    """Sum of sub-national rows by year (national rows excluded so nothing counts twice)."""
    totals: dict[int, int] = {}
    for r in rows:
        if r.level != "national" and r.sex == sex and r.age_group == TOTAL:
            totals[r.year] = totals.get(r.year, 0) + r.population
    return totals
