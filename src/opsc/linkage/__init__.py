"""Linkage: count each child, perpetrator and case once across institutions (Splink).

The public surface is imported lazily: the store registers `opsc.linkage.models` without
paying for Splink's import.
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {
    "LinkConfig": "opsc.linkage.pipeline",
    "LinkResult": "opsc.linkage.pipeline",
    "Decisions": "opsc.linkage.pipeline",
    "link": "opsc.linkage.pipeline",
    "Spec": "opsc.linkage.spec",
    "VICTIM": "opsc.linkage.spec",
    "PERPETRATOR": "opsc.linkage.spec",
    "run_linkage": "opsc.linkage.runs",
    "link_new_records": "opsc.linkage.runs",
    "review_pairs": "opsc.linkage.review",
    "decide": "opsc.linkage.review",
    "unique_count": "opsc.linkage.runs",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'opsc.linkage' has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)
