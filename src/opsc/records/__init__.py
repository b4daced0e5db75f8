"""The records store: SQLAlchemy models and Alembic migrations (SQLite or PostgreSQL)."""

from opsc.linkage import models as linkage_models  # noqa: F401
from opsc.recommendations import models as recommendation_models  # noqa: F401
from opsc.records import cases, institutions, programme, reference_tables
from opsc.records.base import Base
from opsc.records.db import connect, init_store, session

__all__ = [
    "Base",
    "cases",
    "connect",
    "init_store",
    "institutions",
    "programme",
    "reference_tables",
    "session",
]
