"""The publication format: every cell of every table, its status and reason; and reading it
back for the audit (which needs only what is published, never a hidden value)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from opsc.disclosure.audit import META, TOTAL, AuditReport, Cell, Finding, audit
from opsc.disclosure.certificates import Certificates
from opsc.disclosure.document import document_problems
from opsc.disclosure.errors import InvalidTableError
from opsc.disclosure.primary import Requirements
from opsc.disclosure.rules import Rules
from opsc.disclosure.table import CellSystem, IntArray, Table


def table_cells(
    table: Table,
    local: IntArray,
    system: CellSystem,
    req: Requirements,
    hidden: npt.NDArray[np.bool_],
    protects: Mapping[int, int],
    rounded_to: int | None = None,
) -> list[dict[str, object]]:
    """One dict per cell, in reading order: its codes (`"_total"` where summed), value (None
    if hidden), status."""
    out: list[dict[str, object]] = []
    for flat in table.reading_order().tolist():
        cell = int(local[flat])
        labels: dict[str, object] = dict(table.cell_labels(flat))
        value = int(system.values[cell])
        k = int(req.k[cell])
        if req.primary[cell]:
            status = "primary"
            reason = f"{value if value else 'zero'} is below the threshold k = {k}"
            shown: int | None = None
        elif hidden[cell]:
            status = "secondary"
            guard = protects.get(cell)
            reason = (
                f"hidden so that {system.label(guard)} cannot be recovered from the margins"
                if guard is not None
                else "hidden so that no primary cell can be recovered from the margins"
            )
            shown = None
        else:
            status, shown = "published", value
            reason = (
                f"rounded to base {rounded_to}"
                if rounded_to
                else "zero: a structural zero is no risk"
                if value == 0
                else f"at least k = {k}"
            )
        if rounded_to and status == "primary":  # rounding replaces suppression
            status, shown, reason = "published", value, f"rounded to base {rounded_to}"
        out.append(labels | {"value": shown, "status": status, "reason": reason})
    return out


def rules_from_json(doc: Mapping[str, Any]) -> Rules:
    """The rules a published document was protected with (defaults where absent)."""
    defaults = Rules()
    return Rules(
        k=int(doc.get("k", defaults.k)),
        k_by_level=dict(doc.get("k_by_level", defaults.k_by_level)),
        p=None if doc.get("p") is None else int(doc["p"]),
        publish_zeros=bool(doc.get("zeros_published", defaults.publish_zeros)),
    )


def tables_from_json(doc: Mapping[str, Any]) -> dict[str, Sequence[Cell]]:
    """Each table's cells, by name (`document_problems` has checked that they are there)."""
    if "cells" in doc:
        return {"table": doc["cells"]}
    return {name: t["cells"] for name, t in doc["tables"].items()}


def audit_published(
    doc: Mapping[str, Any],
    *,
    lower: int | None = None,
    exact_only: bool = False,
    secondary: bool = True,
    offered: Certificates | None = None,
    source: str = "published document",
    k: int | None = None,
    p: int | None = None,
) -> AuditReport:
    """Audit a published document at L (default: 1 when its zeros are published, else 0),
    with feasible points `offered` by the suppression (checked before they count).

    `k` and `p`, when given, replace the document's own: a reviewer holds the table to
    their bar, not to the one it states. A document the audit cannot read raises
    `InvalidTableError` naming each cell's problem.
    """
    problems = document_problems(doc)
    if problems:
        raise InvalidTableError(source, problems)
    rules = rules_from_json(doc)
    if k is not None or p is not None:
        rules = replace(rules, k=rules.k if k is None else k, p=rules.p if p is None else p)
    low = rules.lower_bound if lower is None else lower
    tables = tables_from_json(doc)
    base = doc.get("rounding_base")
    if base:
        # Rounded margins need not add up (conventional rounding), so there are no
        # equations to solve: what matters is that every value shown is rounded.
        report = AuditReport(low)
        report.findings = forbidden_values(tables, rules, rounded_to=int(base))
        return report

    def required(cell: dict[str, str]) -> int:
        return rules.p_for(rules.k_for(cell))

    report = audit(
        tables,
        lower=low,
        required=required,
        exact_only=exact_only,
        secondary=secondary,
        offered=offered,
    )
    report.findings += forbidden_values(tables, rules)
    return report


def forbidden_values(
    tables: Mapping[str, Sequence[Cell]], rules: Rules, rounded_to: int | None = None
) -> list[Finding]:
    """Cells whose published value the rules forbid: a primary cell shown; then, in a
    rounded document, a value that is not a multiple of the base, otherwise a count 1..k−1
    shown as published or a zero shown when the rules hide zeros.

    The interval audit trusts the statuses; these are read from the values alone.
    """
    out = []
    for name, cells in tables.items():
        for cell in cells:
            value = cell.get("value")
            if value is None:
                continue
            named = {c: str(v) for c, v in cell.items() if c not in META and str(v) != TOTAL}
            k = rules.k_for(named)
            count = int(cast(float, value))  # a whole number: document_problems checked it
            if cell.get("status") == "primary":
                why = f"a primary cell's value ({count}) is published"
            elif rounded_to:
                if count % rounded_to == 0:
                    continue
                why = f"{count} is published, not rounded to base {rounded_to}"
            elif 0 < count < k:
                why = f"{count} is published, below the threshold k = {k}"
            elif count == 0 and not rules.publish_zeros:
                why = "a zero is published, but these rules hide zeros"
            else:
                continue
            where = named or {"cell": "grand total"}
            written = {c: str(v) for c, v in cell.items() if c not in META}
            status = str(cell.get("status"))
            out.append(Finding(name, where, status, count, count, k, why, written))
    return out
