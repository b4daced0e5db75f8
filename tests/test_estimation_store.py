"""Estimation from the store: refuses without a victim linkage run, else counts clusters."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from opsc.estimation.cli import app
from opsc.estimation.errors import EstimationError
from opsc.estimation.memberships import overlap_table
from opsc.estimation.store import memberships_from_store
from opsc.linkage.models import LinkageCluster, LinkageRun
from opsc.records.cases import Case, Victim
from opsc.records.db import init_store
from opsc.records.institutions import Institution, Submission

pytestmark = pytest.mark.backends

# cluster -> the institutions that recorded the child (synthetic, seeded by hand)
CHILDREN = {
    1: ["POL", "DIF"],
    2: ["POL"],
    3: ["DIF", "NGO"],
    4: ["POL", "DIF", "NGO"],
    5: ["NGO"],
}


def fill(url: str, with_run: bool) -> None:
    engine = init_store(url)
    with Session(engine) as s, s.begin():
        inst = {
            code: Institution(country="MX", code=code, name=code, type=kind, level="national")
            for code, kind in (("POL", "police"), ("DIF", "child_protection"), ("NGO", "ngo"))
        }
        s.add_all(inst.values())
        s.flush()
        record = 0
        clusters = []
        for cluster, codes in CHILDREN.items():
            for code in codes:
                record += 1
                sub = Submission(
                    institution_id=inst[code].id,
                    contract="victims",
                    contract_version="1",
                    period_start=date(2023, 1, 1),
                    period_end=date(2023, 12, 31),
                    file_name=f"{record}.csv",
                    file_sha256=f"{record:064d}",
                    status="imported",
                    synthetic=True,
                )
                s.add(sub)
                s.flush()
                case = Case(
                    submission_id=sub.id,
                    institution_id=inst[code].id,
                    agency_case_id=f"c{record}",
                    date_reported=date(2023, 5, 1),
                )
                s.add(case)
                s.flush()
                victim = Victim(
                    submission_id=sub.id,
                    institution_id=inst[code].id,
                    agency_victim_id=f"v{record}",
                    case_id=case.id,
                    sex="F" if cluster % 2 else "M",
                    age_at_offence=12,
                )
                s.add(victim)
                s.flush()
                clusters.append((victim.id, cluster))
        if with_run:
            run = LinkageRun(
                entity="victim",
                engine="duckdb",
                mode="pseudonymised",
                threshold=0.9,
                review_lower=0.5,
                review_upper=0.95,
                input_sha256="0" * 64,
                submissions=[],
                versions={},
                model={},
                n_records=record,
                n_clusters=len(CHILDREN),
                seconds={},
            )
            s.add(run)
            s.flush()
            s.add_all(LinkageCluster(run_id=run.id, record_id=v, cluster_id=c) for v, c in clusters)
    engine.dispose()


def test_no_linkage_run_is_refused(store_url: str) -> None:
    fill(store_url, with_run=False)
    with pytest.raises(EstimationError) as err:
        memberships_from_store(store_url, 2023)
    assert err.value.slug == "no-linkage"
    result = CliRunner().invoke(
        app, ["mse", "--from-store", "--year", "2023", "--store", store_url, "--json"]
    )
    assert result.exit_code == 2
    assert json.loads(result.stdout.splitlines()[0])["error"]["type"] == "no-linkage"


def test_clusters_become_people_on_lists(store_url: str) -> None:
    fill(store_url, with_run=True)
    members = memberships_from_store(store_url, 2023)
    assert len(members) == 9 and {m.person_id for m in members} == {"1", "2", "3", "4", "5"}
    table, _ = overlap_table([(m.person_id, m.list_name) for m in members], min_list_size=1)
    assert table.observed == 5
    assert table.list_sizes() == {"DIF": 3, "NGO": 3, "POL": 3}
    by_type = memberships_from_store(store_url, 2023, lists="institution_type")
    assert {m.list_name for m in by_type} == {"police", "child_protection", "ngo"}
    with pytest.raises(EstimationError) as err:
        memberships_from_store(store_url, 2022)  # nothing linked that year
    assert err.value.slug == "no-linked-records" and "2022" in err.value.message("es")
