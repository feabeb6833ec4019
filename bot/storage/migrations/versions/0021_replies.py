"""Durable replies: what a turn will send, written in its transaction, deleted once sent.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 05:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the table of committed replies not sent yet."""
    op.create_table(
        "pending_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("route", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pending_replies"),
    )
    op.create_index(
        "ix_pending_replies_address", "pending_replies", ["channel", "external_id", "id"]
    )
    op.create_index("ix_pending_replies_claimed", "pending_replies", ["claimed_at"])


def downgrade() -> None:
    """Drop it again."""
    op.drop_index("ix_pending_replies_claimed", table_name="pending_replies")
    op.drop_index("ix_pending_replies_address", table_name="pending_replies")
    op.drop_table("pending_replies")
