"""Open and upgrade a store; the only place engines are created."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from opsc import settings

MIGRATIONS = Path(__file__).parent / "migrations"


def connect(url: str | None = None) -> Engine:
    """An engine for the store at `url` (default: the `database` setting)."""
    url = url or settings.database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def init_store(url: str | None = None) -> Engine:
    """Create the store at `url` or upgrade it to the newest schema; safe to repeat."""
    engine = connect(url)
    if engine.dialect.name == "postgresql":
        _create_database_if_missing(engine)
    command.upgrade(alembic_config(engine), "head")
    return engine


def _create_database_if_missing(engine: Engine) -> None:
    """A new PostgreSQL store needs its database: create it, as `opsc init` promises."""
    name = engine.url.database
    admin = create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if not exists:
                quoted = admin.dialect.identifier_preparer.quote(str(name))
                conn.execute(text(f"CREATE DATABASE {quoted}"))
    except OperationalError as exc:
        raise StoreError(
            f"cannot reach or create the PostgreSQL database {name!r} at "
            f"{engine.url.render_as_string(hide_password=True)}: {exc.orig}. "
            "Check that the server runs and the user may create databases "
            "(or create it yourself: CREATE DATABASE ...). / No se puede acceder a la base "
            "de datos PostgreSQL ni crearla: verifique el servidor y los permisos."
        ) from exc
    finally:
        admin.dispose()


class StoreError(RuntimeError):
    """The store cannot be opened; the message says why and what to do."""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revisions() -> tuple[str, ...]:
    return tuple(ScriptDirectory(str(MIGRATIONS)).get_heads())


@contextmanager
def session(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine) as s, s.begin():
        yield s
