"""USSD sessions' screens, and addresses linked to another learner (one learner across
channels).

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-07 12:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0043"
down_revision: str | Sequence[str] | None = "0042"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the links and the USSD sessions."""
    op.create_table(
        "address_links",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["users.id"],
            name="fk_address_links_account_id_users",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name="fk_address_links_learner_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name="pk_address_links"),
    )
    op.create_index("ix_address_links_learner_id", "address_links", ["learner_id"])
    op.create_table(
        "ussd_sessions",
        sa.Column("session_key", sa.String(64), nullable=False),
        sa.Column("handled", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("screens", sa.Text(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_key", name="pk_ussd_sessions"),
    )
    op.create_index("ix_ussd_sessions_updated_at", "ussd_sessions", ["updated_at"])


def downgrade() -> None:
    """Drop them again."""
    op.drop_table("ussd_sessions")
    op.drop_table("address_links")
