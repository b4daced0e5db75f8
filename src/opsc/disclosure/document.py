"""The shape of a published document, checked before the audit reads it.

A document edited by hand, or written by another tool, must get a clear error for each
cell it cannot read (its JSON path, field and value, and the fix), never a traceback or a
silent misreading: a code missing in one cell would otherwise become the code "nan".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from opsc.disclosure.audit import META
from opsc.disclosure.errors import Problem, problem

STATUSES = ("published", "primary", "secondary")
_LARGEST = 10**9  # for k, p and the base: any larger is a typing error
_LARGEST_COUNT = 2**53  # counts above it do not survive a float


def document_problems(doc: Mapping[str, Any]) -> list[Problem]:
    """Every problem of the document's rules and cells (empty when the audit can read it)."""
    problems = _rule_problems(doc)
    for where, cells in _tables(doc, problems).items():
        problems += _cell_problems(where, cells)
    return problems


def _tables(doc: Mapping[str, Any], problems: list[Problem]) -> dict[str, Sequence[Any]]:
    """Each table's list of cells, by its JSON path."""
    if "cells" in doc:
        found = {"cells": doc["cells"]}
    elif isinstance(doc.get("tables"), Mapping):
        found = {
            f"tables.{name}.cells": t.get("cells") if isinstance(t, Mapping) else None
            for name, t in doc["tables"].items()
        }
    else:
        keys = ", ".join(sorted(map(str, doc))) or "{}"
        problems.append(problem("missing-cells", field="cells", value=keys))
        return {}
    out: dict[str, Sequence[Any]] = {}
    for where, cells in found.items():
        if isinstance(cells, list) and cells:
            out[where] = cells
        else:
            problems.append(problem("cells-not-a-list", field=where, value=_shown(cells)))
    return out


def _cell_problems(where: str, cells: Sequence[Any]) -> list[Problem]:
    problems: list[Problem] = []
    columns: tuple[str, ...] | None = None
    seen: dict[tuple[tuple[str, str], ...], int] = {}
    for i, cell in enumerate(cells):
        path = f"{where}[{i}]"
        if not isinstance(cell, Mapping):
            problems.append(problem("invalid-cell", field=path, value=_shown(cell)))
            continue
        problems += _value_problems(path, cell)
        codes = {c: v for c, v in cell.items() if c not in META}
        bad = [c for c, v in codes.items() if not _is_code(v)]
        problems += [
            problem("invalid-published-code", field=f"{path}.{c}", value=_shown(codes[c]))
            for c in bad
        ]
        names = tuple(sorted(codes))
        if columns is None:
            columns = names
        elif names != columns:
            problems.append(
                problem(
                    "inconsistent-columns",
                    field=path,
                    value=str(list(names)),
                    columns=list(columns),
                )
            )
        if bad:
            continue
        key = tuple(sorted((c, str(v)) for c, v in codes.items()))
        if key in seen:
            shown = ", ".join(f"{c}={v}" for c, v in key)
            first = f"{where}[{seen[key]}]"
            problems.append(
                problem("duplicate-published-cell", field=path, value=shown, first=first)
            )
        seen.setdefault(key, i)
    return problems


def _value_problems(path: str, cell: Mapping[str, Any]) -> list[Problem]:
    status, value = cell.get("status"), cell.get("value")
    problems = []
    if status not in STATUSES:
        statuses = ", ".join(STATUSES)
        problems.append(
            problem(
                "invalid-status", field=f"{path}.status", value=_shown(status), statuses=statuses
            )
        )
    if "value" not in cell or (value is None and status == "published"):
        slug = "missing-value"
    elif value is not None and status == "secondary":
        slug = "hidden-value"
    elif value is not None and not _is_count(value):
        slug = "invalid-value"
    else:
        return problems
    return [*problems, problem(slug, field=f"{path}.value", value=_shown(value))]


def _rule_problems(doc: Mapping[str, Any]) -> list[Problem]:
    whole = (f"a whole number from 1 to {_LARGEST:,}", f"un número entero de 1 a {_LARGEST:,}")
    optional = (f"{whole[0]}, or null", f"{whole[1]}, o null")
    base = (
        f"a whole number from 2 to {_LARGEST:,}, or null",
        f"un número entero de 2 a {_LARGEST:,}, o null",
    )
    checks: dict[str, tuple[Callable[[Any], bool], tuple[str, str]]] = {
        "k": (lambda v: _in_range(v, 1), whole),
        "p": (lambda v: v is None or _in_range(v, 1), optional),
        # Base 1 would exempt the document from the threshold and round nothing.
        "rounding_base": (lambda v: v is None or _in_range(v, 2), base),
        "zeros_published": (lambda v: isinstance(v, bool), ("true or false", "true o false")),
        "k_by_level": (
            lambda v: isinstance(v, Mapping) and all(_in_range(x, 1) for x in v.values()),
            (
                'an object giving each dimension its k: {"municipality": 10}',
                'un objeto que da a cada dimensión su k: {"municipality": 10}',
            ),
        ),
    }
    return [
        problem("invalid-rule", field=name, value=_shown(doc[name]), name=name, what=what)
        for name, (ok, what) in checks.items()
        if name in doc and not ok(doc[name])
    ]


def _in_range(v: object, least: int) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and least <= v <= _LARGEST


def _is_count(v: object) -> bool:
    """A whole number ≥ 0 that a float holds exactly (JSON has no other numbers)."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return False
    return 0 <= v <= _LARGEST_COUNT and float(v).is_integer()  # NaN fails both comparisons


def _is_code(v: object) -> bool:
    return (isinstance(v, str) and v.strip() != "") or (
        isinstance(v, int) and not isinstance(v, bool)
    )


def _shown(v: object) -> str:
    """The value as written in the JSON document (cut when long)."""
    text = json.dumps(v, ensure_ascii=False, default=repr)
    return text if len(text) <= 60 else text[:57] + "..."
