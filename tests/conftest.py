"""Shared fixtures. `store_url` runs a test on every store backend (STYLE 14)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_ENV = "OPSC_TEST_POSTGRES_URL"
REPO = Path(__file__).resolve().parent.parent
SEED_COPIES = REPO / "tests" / "fixtures" / "shared"  # ../shared/seeds, copied (README there)


def _backends() -> list[str]:
    return ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The PostgreSQL server URL; skipped locally when unset, a failure under CI=true."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {POSTGRES_ENV} is not set: PostgreSQL tests are mandatory")
        pytest.skip(f"set {POSTGRES_ENV} to run the PostgreSQL tests")
    try:
        engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any connection failure: skip locally, fail in CI
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but PostgreSQL at {url} is unreachable: {exc}")
        pytest.skip(f"PostgreSQL at {url} unreachable: {exc}")
    return url


@pytest.fixture(params=_backends())
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL: a SQLite file, or a fresh PostgreSQL database per test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'opsc.db'}"
        return
    server = make_url(request.getfixturevalue("postgres_server_url")).set(
        drivername="postgresql+psycopg"
    )
    name = f"opsc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The seed documents, as `../shared` lays them out (`seeds/…`): the copies in the
    repository, so the tests need nothing beside the clone."""
    return SEED_COPIES


_backend_outcomes: dict[str, int] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "[postgresql" not in report.nodeid:
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        outcome = "error" if report.when == "setup" and report.failed else report.outcome
        _backend_outcomes[outcome] = _backend_outcomes.get(outcome, 0) + 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly whether the PostgreSQL tests ran (CI must show it)."""
    url = os.environ.get(POSTGRES_ENV, "not set")
    counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(_backend_outcomes.items()))
    terminalreporter.write_line(f"PostgreSQL backend ({url}): {counts or 'no tests ran'}")
