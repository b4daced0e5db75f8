"""record archive: row values of superseded submissions (intake)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "record_archive",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.String(length=80), nullable=True),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("superseded_by", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=10), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_record_archive_submission_id_submission"),
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by"],
            ["submission.id"],
            name=op.f("fk_record_archive_superseded_by_submission"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_archive")),
    )
    with op.batch_alter_table("record_archive", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_record_archive_submission_id"), ["submission_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("record_archive", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_archive_submission_id"))
    op.drop_table("record_archive")
