"""Publishing cube tables: every published count goes through `opsc.disclosure.publish`.

Only counts of people or events can leak: the table's cells (unique children, cases, ...)
are protected with the profile's thresholds by geographic level, and the result says the
measure, counting unit and key source next to the disclosure method and audit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opsc.disclosure import ProtectedTables, Rules, build_table, publish
from opsc.stats.cube import Cube, Filter
from opsc.stats.dimensions import UNKNOWN
from opsc.stats.errors import StatsError
from opsc.stats.measures import measure

COUNT_UNITS = ("children", "cases", "perpetrators", "proceedings", "services", "records")


def rules_for(cube: Cube) -> Rules:
    """Thresholds from the country profile (national/first level and deeper levels)."""
    k = cube.profile.disclosure_k()
    first = cube.profile.geo_levels[0].level
    base = max(k.get("national", 5), k.get(first, 5))
    deeper = {lvl: v for lvl, v in k.items() if lvl not in ("national", first)}
    return Rules(k=base, k_by_level=deeper)


def publish_table(
    cube: Cube,
    name: str,
    by: Sequence[str],
    where: Filter | None = None,
    rules: Rules | None = None,
) -> tuple[ProtectedTables, dict[str, Any]]:
    """Protect a measure by dimensions; returns the protected tables and the metadata."""
    m = measure(name)
    if m.unit not in COUNT_UNITS:
        raise StatsError(
            f"{name} is measured in {m.unit}, not a count of people or events: publish counts "
            f"({', '.join(COUNT_UNITS)}) through disclosure control, and amounts as they are"
        )
    if not by:
        raise StatsError("a published table needs at least one dimension (--by)")
    table = cube.table(name, by, where)
    frame = table.frame.copy()
    for dim in by:
        frame[dim] = frame[dim].astype(object).where(frame[dim].notna(), UNKNOWN).astype(str)
    levels = [g.level for g in cube.profile.geo_levels]
    geo = [d for d in levels if d in by]
    # Nested geographic levels form one dimension, so state margins are shared cells.
    hierarchy = [geo] if len(geo) > 1 else []
    built = build_table(frame, list(by), hierarchy=hierarchy, count="value", name=name)
    result = publish(built, rules or rules_for(cube))
    meta = {
        "measure": name,
        "unit": m.unit,
        "by": list(by),
        "where": dict(where or {}),
        "key_source": cube.key_source,
        "country": cube.profile.code,
    }
    return result, meta
