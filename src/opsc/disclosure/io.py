"""Reading inner cells from CSV and published documents from JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from opsc.disclosure.errors import InvalidTableError, bilingual, problem
from opsc.disclosure.table import Table, build_table


def read_table(
    path: Path,
    dims: Sequence[str],
    *,
    hierarchy: Sequence[Sequence[str]] = (),
    count: str = "count",
) -> Table:
    """A CSV of inner cells (one row per combination, a `count` column) with every margin."""
    try:
        # Codes stay text: "01" is a state code, not the number 1.
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InvalidTableError(str(path), [problem("unreadable-file", reason=exc)]) from exc
    return build_table(
        frame, dims, hierarchy=hierarchy, count=count, name=path.stem, source=str(path)
    )


def parse_hierarchy(specs: Sequence[str]) -> list[list[str]]:
    """`state>municipality` → `[["state", "municipality"]]`."""
    out = []
    for spec in specs:
        levels = [p.strip() for p in spec.split(">") if p.strip()]
        if len(levels) < 2:
            raise ValueError(
                bilingual(
                    f"--hierarchy {spec!r} needs at least two levels, coarse to fine: "
                    "for example state>municipality",
                    f"--hierarchy {spec!r} necesita al menos dos niveles, de mayor a menor: "
                    "por ejemplo state>municipality",
                )
            )
        out.append(levels)
    return out


def read_published(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(
            bilingual(
                f"{path}: not a readable JSON document ({exc})",
                f"no es un documento JSON legible ({exc})",
            )
        ) from exc
    if not isinstance(doc, dict):
        raise ValueError(
            bilingual(
                f'{path}: expected a JSON object with "cells" or "tables"',
                'se esperaba un objeto JSON con "cells" o "tables"',
            )
        )
    return doc
