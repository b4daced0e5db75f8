"""The synthetic country goes through intake as a real one would: pseudonymise the
manifest at the 'agency', then submit it; every file of every contract is imported
(on every backend)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from opsc.intake.manifest import submit_manifest
from opsc.intake.pseudonym import generate_key, pseudonymise_manifest
from opsc.records.cases import Victim
from opsc.records.db import init_store, session
from opsc.records.institutions import Submission
from opsc.reference import load_profile
from opsc.reference.store import load_reference
from opsc.synth import generate
from opsc.synth.generate import CONTRACT_ORDER

CONTRACTS = list(CONTRACT_ORDER)


@pytest.mark.backends
def test_every_synthetic_contract_is_imported(store_url: str, tmp_path: Path) -> None:
    result = generate("PE", 150, "2022-2023", 4, tmp_path / "synth")
    # Every contract, but not all 25 regional child-protection offices (intake's time is
    # per file): the national institutions and one regional office.
    data = json.loads(result.manifest.read_text(encoding="utf-8"))
    data["submissions"] = [
        e
        for e in data["submissions"]
        if (e["institution"].count("-") == 1 or e["institution"] == "PE-UPE-15")
    ]
    assert {e["contract"] for e in data["submissions"]} >= set(CONTRACTS)
    subset = result.manifest.with_name("subset.json")
    subset.write_text(json.dumps(data), encoding="utf-8")
    expected_victims = sum(e["rows"] for e in data["submissions"] if e["contract"] == "victims")
    key = generate_key(tmp_path / "key.json", "test-1")
    manifest = pseudonymise_manifest(subset, tmp_path / "pseudo", key)
    engine = init_store(store_url)
    try:
        load_reference(engine, load_profile("PE"))
        items = submit_manifest(engine, manifest)
        problems = [(i.file, i.problem or i.status) for i in items if i.status != "imported"]
        assert problems == []
        with session(engine) as s:
            victims = s.execute(select(func.count()).select_from(Victim)).scalar_one()
            synthetic = s.execute(select(Submission.synthetic).distinct()).scalars().all()
        assert victims == expected_victims
        assert synthetic == [True]
    finally:
        engine.dispose()
