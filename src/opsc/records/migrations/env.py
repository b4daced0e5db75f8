"""Alembic environment: runs against the engine handed in by opsc.records.db."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

import opsc.records  # noqa: F401  (registers every table on Base.metadata)
from opsc import settings
from opsc.records.base import Base
from opsc.records.db import connect

config = context.config
engine: Engine = config.attributes.get("engine") or connect(
    config.get_main_option("sqlalchemy.url") or settings.database_url()
)

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
