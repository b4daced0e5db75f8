"""Registry and follow-up workflow on every store backend: import, assign, propose, approve."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from opsc.recommendations import parse_file
from opsc.recommendations.models import CoParagraph, CoUpdate
from opsc.recommendations.registry import export, rows, status
from opsc.recommendations.tracking import (
    ActionIn,
    EvidenceIn,
    TrackingError,
    assign,
    find,
    history,
    import_document,
    link_indicator,
    propose,
    review,
)
from opsc.records.db import init_store, session
from opsc.records.institutions import Institution, User

pytestmark = pytest.mark.backends
MX = "CRC/C/OPSC/MEX/CO/1"


@pytest.fixture
def store(store_url: str, shared_dir: Path) -> Iterator[Engine]:
    engine = init_store(store_url)
    path = shared_dir / "seeds" / "000_46d93a851d7bc3fa.txt"
    with session(engine) as s:
        dif = Institution(
            country="MX", code="DIF", name="SNDIF", type="child_protection", level="national"
        )
        fgr = Institution(
            country="MX", code="FGR", name="Fiscalía", type="prosecutor", level="national"
        )
        s.add_all([dif, fgr])
        s.flush()
        s.add_all(
            [
                User(username="ana", password_hash="-", role="contributor", institution_id=dif.id),
                User(username="val", password_hash="-", role="validator", institution_id=dif.id),
                User(username="fval", password_hash="-", role="validator", institution_id=fgr.id),
            ]
        )
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        result = import_document(s, parse_file(path), path.name, sha)
        assert (result.created, result.paragraphs, result.recommendations) == (True, 50, 25)
    yield engine
    engine.dispose()  # PostgreSQL: close connections before the test database is dropped


def test_import_stores_paragraphs_and_subitems_once(store: Engine, shared_dir: Path) -> None:
    path = shared_dir / "seeds" / "000_46d93a851d7bc3fa.txt"
    with session(store) as s:
        assert s.scalar(select(func.count()).select_from(CoParagraph)) == 50 + 29
        again = import_document(
            s, parse_file(path), path.name, hashlib.sha256(path.read_bytes()).hexdigest()
        )
        assert not again.created
        with pytest.raises(TrackingError, match="already in the registry"):
            import_document(s, parse_file(path), "other.txt", "0" * 64)
        sub = find(s, f"{MX}:16(c)")
        assert sub.text.startswith("Continue and strengthen systematic education")
        assert sub.parent_id == find(s, f"{MX}:16").id and "training" in sub.themes


def test_unapproved_update_does_not_change_status_and_history_is_kept(store: Engine) -> None:
    ref = f"{MX}:6"
    with session(store) as s:
        assign(s, ref, "DIF")
        first = propose(
            s,
            ref,
            "ana",
            status="in progress",
            note="Working group set up",
            actions=[ActionIn("Inter-agency data working group", date(2024, 3, 1))],
            evidence=[EvidenceIn("https://example.org/acta.pdf", title="Minutes", public=True)],
        )
        assert status(s, find(s, ref)) == "not started"  # proposed, not approved
        review(s, first.id, "val", approve=True)
        assert status(s, find(s, ref)) == "in progress"
        second = propose(s, ref, "ana", status="implemented")
        assert status(s, find(s, ref)) == "in progress"
        review(s, second.id, "val", approve=False, note="No evidence of the system yet")
        assert status(s, find(s, ref)) == "in progress"
        third = propose(s, ref, "ana", status="partially implemented")
        review(s, third.id, "val", approve=True)
        assert status(s, find(s, ref)) == "partially implemented"
        trail = history(s, ref)
    assert [(h["status"], h["review"]) for h in trail] == [
        ("in progress", "approved"),
        ("implemented", "rejected"),
        ("partially implemented", "approved"),
    ]
    assert trail[0]["actions"][0]["started_on"] == "2024-03-01"
    assert trail[0]["evidence"][0]["public"] is True and trail[1]["reviewed_by"] == "val"


def test_workflow_refuses_what_the_rules_forbid(store: Engine) -> None:
    ref = f"{MX}:8"
    with session(store) as s:
        with pytest.raises(TrackingError, match="not assigned"):
            propose(s, ref, "ana", status="in progress")
        assign(s, ref, "DIF")
        update = propose(s, ref, "ana", status="in progress")
        with pytest.raises(TrackingError, match="only a validator of the reporting"):
            review(s, update.id, "fval", approve=True)  # validator of another institution
        with pytest.raises(TrackingError, match="only a validator"):
            review(s, update.id, "ana", approve=True)  # contributors do not approve
        own = propose(s, ref, "val", status="implemented")
        with pytest.raises(TrackingError, match="another person must review"):
            review(s, own.id, "val", approve=True)
        with pytest.raises(TrackingError, match="is not one of"):
            propose(s, ref, "ana", status="done")
        with pytest.raises(TrackingError, match="concern paragraph; only recommendations"):
            assign(s, f"{MX}:7", "DIF")
        review(s, update.id, "val", approve=True)
        with pytest.raises(TrackingError, match="already approved"):
            review(s, update.id, "val", approve=False)
        assert s.scalar(select(func.count()).select_from(CoUpdate)) == 2


def test_list_filters_and_export(store: Engine) -> None:
    with session(store) as s:
        assign(s, f"{MX}:6", "DIF")
        assign(s, f"{MX}:6", "FGR", role="support")
        link_indicator(s, f"{MX}:6", "PROC-DATA-01", note="data system in operation")
        u = propose(s, f"{MX}:6", "ana", status="in progress")
        review(s, u.id, "val", approve=True)
        data = rows(s, state="MX", theme="data")
        assert [r["ref"] for r in data] == [f"{MX}:6"]
        assert data[0]["institutions"] == ["DIF", "FGR (support)"]
        assert data[0]["indicators"] == ["PROC-DATA-01"]
        assert [r["ref"] for r in rows(s, status="in progress")] == [f"{MX}:6"]
        everything = rows(s, state="MX")
        assert len(everything) == 25 + 3 + 4 + 5 + 3 + 3  # paragraphs and sub-items
        assert rows(s, state="PE") == []
        csv_text = export(data, "csv")
        as_json = json.loads(export(data, "json"))
    assert csv_text.splitlines()[0].startswith("ref,state,symbol")
    assert "DIF; FGR (support)" in csv_text
    assert as_json[0]["status"] == "in progress"
