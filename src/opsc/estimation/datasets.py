"""Real benchmark tables shipped with the package, and the published estimates for them."""

from __future__ import annotations

import csv
from importlib.resources import files
from pathlib import Path

from opsc.estimation.table import OverlapTable, read_csv

DATASETS = ("UKdat", "UKdat_5", "NewOrl", "NewOrl_5", "Western", "Ned", "Ned_5", "Kosovo", "Korea")


def data_path(name: str) -> Path:
    return Path(str(files("opsc.estimation") / "data" / name))


def load_dataset(name: str) -> OverlapTable:
    """One of DATASETS (see data/SOURCE.md)."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    return read_csv(data_path(f"{name}.csv"))


def published_estimates() -> list[dict[str, str]]:
    """Rows of published_estimates.csv (dataset, method, model, point_estimate, ...).

    Two rows name their dataset with an unquoted comma ("NewOrl (MSE pkg, n=186)"); the
    split-off piece (the `lists` column must be a number) is joined back into the name.
    """
    with data_path("published_estimates.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = []
        for fields in reader:
            while len(fields) > 1 and not fields[1].strip().isdigit():
                fields = [f"{fields[0]},{fields[1]}", *fields[2:]]
            rows.append(dict(zip(header, fields, strict=False)))
        return rows
