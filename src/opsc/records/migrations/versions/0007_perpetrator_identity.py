"""perpetrators' names and birth date, pseudonymised at the institution as victims' are

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKENS = (
    "tk_birth_date",
    "tk_given_names",
    "tk_surnames",
    "tk_given_phonetic",
    "tk_surname_phonetic",
    "tk_first_given",
    "tk_paternal_surname",
    "tk_first_given_phonetic",
    "tk_paternal_phonetic",
)
FILTERS = ("bf_given_names", "bf_surnames")


def upgrade() -> None:
    with op.batch_alter_table("perpetrator", schema=None) as batch_op:
        for name in TOKENS:
            batch_op.add_column(sa.Column(name, sa.String(length=64), nullable=True))
        for name in FILTERS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("birth_year", sa.Integer(), nullable=True))


def downgrade() -> None:
    # Dropped in place (SQLite ≥ 3.35 has DROP COLUMN): rebuilding the table, Alembic's
    # batch default, fails on SQLite once other tables' foreign keys point at its rows.
    with op.batch_alter_table("perpetrator", schema=None, recreate="never") as batch_op:
        for name in ("birth_year", *reversed(FILTERS), *reversed(TOKENS)):
            batch_op.drop_column(name)
