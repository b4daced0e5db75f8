"""recommendations: concluding observations and the follow-up of their recommendations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:18:54.597945
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "co_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(length=60), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("body", sa.String(length=20), nullable=False),
        sa.Column("instrument", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("meetings", sa.JSON(), nullable=False),
        sa.Column("considered_on", sa.Date(), nullable=True),
        sa.Column("adopted_on", sa.Date(), nullable=True),
        sa.Column("session", sa.String(length=80), nullable=True),
        sa.Column("source_name", sa.String(length=300), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_co_document")),
        sa.UniqueConstraint("symbol", name=op.f("uq_co_document_symbol")),
    )
    op.create_index(op.f("ix_co_document_state"), "co_document", ["state"], unique=False)

    op.create_table(
        "co_paragraph",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=4), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("verb", sa.String(length=40), nullable=True),
        sa.Column("strength", sa.Integer(), nullable=True),
        sa.Column("section", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("refs", sa.JSON(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("pairs_with", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["co_document.id"],
            name=op.f("fk_co_paragraph_document_id_co_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["co_paragraph.id"], name=op.f("fk_co_paragraph_parent_id_co_paragraph")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_co_paragraph")),
        sa.UniqueConstraint(
            "document_id", "number", "label", name=op.f("uq_co_paragraph_document_id_number_label")
        ),
    )
    op.create_index(op.f("ix_co_paragraph_kind"), "co_paragraph", ["kind"], unique=False)

    op.create_table(
        "co_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paragraph_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("assigned_by", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("role IN ('lead', 'support')", name=op.f("ck_co_assignment_role")),
        sa.ForeignKeyConstraint(
            ["assigned_by"], ["app_user.id"], name=op.f("fk_co_assignment_assigned_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_co_assignment_institution_id_institution"),
        ),
        sa.ForeignKeyConstraint(
            ["paragraph_id"],
            ["co_paragraph.id"],
            name=op.f("fk_co_assignment_paragraph_id_co_paragraph"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_co_assignment")),
        sa.UniqueConstraint(
            "paragraph_id",
            "institution_id",
            name=op.f("uq_co_assignment_paragraph_id_institution_id"),
        ),
    )
    op.create_table(
        "co_indicator_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paragraph_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.String(length=80), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paragraph_id"],
            ["co_paragraph.id"],
            name=op.f("fk_co_indicator_link_paragraph_id_co_paragraph"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_co_indicator_link")),
        sa.UniqueConstraint(
            "paragraph_id",
            "indicator_id",
            name=op.f("uq_co_indicator_link_paragraph_id_indicator_id"),
        ),
    )
    op.create_table(
        "co_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paragraph_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.Column("review", sa.String(length=10), nullable=False),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "review IN ('pending', 'approved', 'rejected')", name=op.f("ck_co_update_review")
        ),
        sa.CheckConstraint(
            "status IS NULL OR status IN ('not started', 'in progress', "
            "'partially implemented', 'implemented', 'not implemented', "
            "'no longer relevant')",
            name=op.f("ck_co_update_status"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_co_update_institution_id_institution"),
        ),
        sa.ForeignKeyConstraint(
            ["paragraph_id"],
            ["co_paragraph.id"],
            name=op.f("fk_co_update_paragraph_id_co_paragraph"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by"], ["app_user.id"], name=op.f("fk_co_update_proposed_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"], ["app_user.id"], name=op.f("fk_co_update_reviewed_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_co_update")),
    )
    op.create_index(op.f("ix_co_update_paragraph_id"), "co_update", ["paragraph_id"], unique=False)

    op.create_table(
        "co_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["co_update.id"],
            name=op.f("fk_co_action_update_id_co_update"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_co_action")),
    )
    op.create_table(
        "co_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("uri", sa.String(length=1000), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.CheckConstraint("kind IN ('file', 'link')", name=op.f("ck_co_evidence_kind")),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["co_update.id"],
            name=op.f("fk_co_evidence_update_id_co_update"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_co_evidence")),
    )


def downgrade() -> None:
    op.drop_table("co_evidence")
    op.drop_table("co_action")
    op.drop_index(op.f("ix_co_update_paragraph_id"), table_name="co_update")
    op.drop_table("co_update")
    op.drop_table("co_indicator_link")
    op.drop_table("co_assignment")
    op.drop_index(op.f("ix_co_paragraph_kind"), table_name="co_paragraph")
    op.drop_table("co_paragraph")
    op.drop_index(op.f("ix_co_document_state"), table_name="co_document")
    op.drop_table("co_document")
