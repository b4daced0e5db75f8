"""Disclosure control: no published figure may identify a child.

Primary suppression (threshold rule), secondary suppression (exact MILP or heuristic with
audit-and-repair) over hierarchical and linked tables, an independent LP audit, and
coarsening advice when a table cannot be protected. `publish` is the gate every
publication path calls.
"""

from opsc.disclosure.advice import Option, coarsening_advice
from opsc.disclosure.audit import AuditReport, Finding, audit
from opsc.disclosure.errors import (
    DisclosureError,
    InvalidTableError,
    Problem,
    TableRefusedError,
    UnsafeTableError,
)
from opsc.disclosure.io import read_published, read_table
from opsc.disclosure.output import audit_published
from opsc.disclosure.protect import Loss, ProtectedTables, protect, publish
from opsc.disclosure.rules import RULE_SETTINGS, Rules
from opsc.disclosure.table import TOTAL, Table, build_table

__all__ = [
    "RULE_SETTINGS",
    "TOTAL",
    "AuditReport",
    "DisclosureError",
    "Finding",
    "InvalidTableError",
    "Loss",
    "Option",
    "Problem",
    "ProtectedTables",
    "Rules",
    "Table",
    "TableRefusedError",
    "UnsafeTableError",
    "audit",
    "audit_published",
    "build_table",
    "coarsening_advice",
    "protect",
    "publish",
    "read_published",
    "read_table",
]
