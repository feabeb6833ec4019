"""The web chat's files: what the bot sent a web learner (a booklet, a certificate, a chart),
kept for a while behind a signed, expiring link instead of travelling inside the frame.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 09:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | Sequence[str] | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """One row per file sent, erased with its learner (ON DELETE CASCADE)."""
    op.create_table(
        "web_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_web_files_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_web_files"),
    )
    op.create_index("ix_web_files_token", "web_files", ["token"], unique=True)
    op.create_index("ix_web_files_user_id", "web_files", ["user_id"])
    op.create_index("ix_web_files_expires_at", "web_files", ["expires_at"])


def downgrade() -> None:
    """Drop them (the links already sent stop opening)."""
    op.drop_index("ix_web_files_expires_at", table_name="web_files")
    op.drop_index("ix_web_files_user_id", table_name="web_files")
    op.drop_index("ix_web_files_token", table_name="web_files")
    op.drop_table("web_files")
