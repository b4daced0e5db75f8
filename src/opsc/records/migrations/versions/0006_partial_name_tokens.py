"""partial name tokens on victims: first given name and paternal surname alone (intake)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    "tk_first_given",
    "tk_paternal_surname",
    "tk_first_given_phonetic",
    "tk_paternal_phonetic",
)


def upgrade() -> None:
    with op.batch_alter_table("victim", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=64), nullable=True))


def downgrade() -> None:
    # Dropped in place (SQLite ≥ 3.35 has DROP COLUMN): rebuilding the table, Alembic's
    # batch default, fails on SQLite once other tables' foreign keys point at its rows.
    with op.batch_alter_table("victim", schema=None, recreate="never") as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
