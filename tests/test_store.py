"""The records store: migrations create the schema on every backend, repeatably."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from opsc.cli import app
from opsc.records import Base, init_store, session
from opsc.records.cases import Case, Perpetrator, Proceeding, Victim, VictimRiskFactor
from opsc.records.db import alembic_config, current_revision, head_revisions
from opsc.records.institutions import Institution, Submission


def test_alembic_has_one_head() -> None:
    assert len(head_revisions()) == 1


def test_init_creates_every_table_and_is_repeatable(store_url: str) -> None:
    engine = init_store(store_url)
    init_store(store_url).dispose()  # a second run upgrades nothing and breaks nothing
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert current_revision(engine) == head_revisions()[0]
    engine.dispose()


def test_migrations_match_the_models(store_url: str) -> None:
    engine = init_store(store_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == [], "models changed without a migration: run alembic revision --autogenerate"


def test_victims_hold_tokens_not_names() -> None:
    columns = set(Victim.__table__.columns.keys())
    assert not columns & {"name", "given_names", "surname", "surnames", "birth_date", "curp"}
    assert {"tk_national_id", "tk_birth_date", "bf_given_names", "bf_surnames"} <= columns


def test_perpetrators_hold_tokens_not_names() -> None:
    columns = set(Perpetrator.__table__.columns.keys())
    assert not columns & {"name", "given_names", "surname", "surnames", "birth_date", "rfc"}
    assert {"tk_identity", "tk_birth_date", "tk_given_names", "bf_surnames"} <= columns


def test_perpetrator_identity_migration_goes_down_and_up(store_url: str) -> None:
    engine = init_store(store_url)
    names = ("tk_given_names", "tk_paternal_phonetic", "bf_surnames", "birth_year")
    try:
        with session(engine) as s:
            sub = _submission(s, "perpetrators")
            s.add(
                Perpetrator(
                    submission_id=sub.id,
                    institution_id=sub.institution_id,
                    agency_perpetrator_id="P1",
                    person_type="natural",
                    tk_identity="id-token",
                    tk_given_names="name-token",
                )
            )
            # rows pointing at the perpetrator and at a victim, as in any real store
            case = Case(
                submission_id=sub.id, institution_id=sub.institution_id, agency_case_id="C1"
            )
            victim = Victim(
                submission_id=sub.id, institution_id=sub.institution_id, agency_victim_id="V1"
            )
            s.add_all([case, victim])
            s.flush()
            s.add(VictimRiskFactor(victim_id=victim.id, risk_factor="street"))
            perpetrator_id = s.scalars(select(Perpetrator.id)).one()
            s.add(
                Proceeding(
                    submission_id=sub.id,
                    institution_id=sub.institution_id,
                    agency_proceeding_id="PR1",
                    case_id=case.id,
                    perpetrator_id=perpetrator_id,
                    stage="charge",
                )
            )
        command.downgrade(alembic_config(engine), "0005")
        columns = {c["name"] for c in inspect(engine).get_columns("victim")}
        assert "tk_first_given" not in columns
        command.upgrade(alembic_config(engine), "0006")
        columns = {c["name"] for c in inspect(engine).get_columns("perpetrator")}
        assert "tk_identity" in columns and not columns & set(names)
        command.upgrade(alembic_config(engine), "head")
        columns = {c["name"] for c in inspect(engine).get_columns("perpetrator")}
        assert set(names) <= columns
        with engine.connect() as conn:
            row = conn.execute(text("SELECT tk_identity, tk_given_names FROM perpetrator")).one()
        assert tuple(row) == ("id-token", None)  # the record survives; the dropped tokens not
    finally:
        engine.dispose()


def _submission(s: Session, contract: str) -> Submission:
    """A synthetic institution and one imported submission of `contract`, flushed."""
    inst = Institution(
        country="MX", code="FGR", name="Fiscalía (synthetic)", type="PROSECUTION", level="national"
    )
    s.add(inst)
    s.flush()
    sub = Submission(
        institution_id=inst.id,
        contract=contract,
        contract_version="1.0",
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
        file_name="synthetic.csv",
        file_sha256="0" * 64,
        status="imported",
        synthetic=True,
    )
    s.add(sub)
    s.flush()
    return sub


def test_agency_ids_are_unique_per_institution(store_url: str) -> None:
    engine = init_store(store_url)
    with session(engine) as s:
        sub = _submission(s, "cases")
        s.add(Case(submission_id=sub.id, institution_id=sub.institution_id, agency_case_id="C-1"))
        ids = (sub.id, sub.institution_id)
    with pytest.raises(IntegrityError), session(engine) as s:
        s.add(Case(submission_id=ids[0], institution_id=ids[1], agency_case_id="C-1"))
    with session(engine) as s:  # the failed transaction left nothing half-written
        assert s.scalars(select(Case.agency_case_id)).all() == ["C-1"]
    engine.dispose()


def test_init_creates_a_missing_postgresql_database(postgres_server_url: str) -> None:
    server = make_url(postgres_server_url).set(drivername="postgresql+psycopg")
    fresh = server.set(database=f"opsc_test_new_{uuid.uuid4().hex[:12]}")
    engine = init_store(fresh.render_as_string(hide_password=False))
    try:
        assert current_revision(engine) in head_revisions()
    finally:
        engine.dispose()
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{fresh.database}" WITH (FORCE)'))
        admin.dispose()


def test_init_names_an_unreachable_server() -> None:
    result = CliRunner().invoke(
        app, ["init", "--database", "postgresql://postgres@127.0.0.1:1/opsc"]
    )
    assert result.exit_code == 2
    assert "cannot reach or create the PostgreSQL database 'opsc'" in result.output
