"""Loading reference data into the store is complete, atomic and idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from opsc.records import init_store, session
from opsc.records.reference_tables import RefGeoUnit, RefPopulation
from opsc.reference import load_profile
from opsc.reference.store import load_reference


def test_load_peru_twice_on_every_backend(store_url: str) -> None:
    engine = init_store(store_url)
    pe = load_profile("PE")
    first = load_reference(engine, pe)
    second = load_reference(engine, pe)
    assert not first.skipped and second.skipped
    with session(engine) as s:
        assert s.scalar(select(func.count()).select_from(RefGeoUnit)) == 25 + 196 + 1891
        total_2023 = s.scalar(
            select(func.sum(RefPopulation.population)).where(
                RefPopulation.source_table == "inei_district_estimates",
                RefPopulation.year == 2023,
            )
        )
    assert total_2023 == 33_725_844
    engine.dispose()
