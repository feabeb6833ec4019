"""Moderation of teachers' circles: reports, sanctions (mutes), the relay of each message
(to withdraw its copies), platform copies to withdraw, and the moderators' audit log.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-20 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    """A foreign key named as the models' naming convention names it."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade() -> None:
    """Create the moderation tables."""
    op.create_table(
        "circle_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        _fk("circle_reports", "message_id", "circle_messages", "CASCADE"),
        _fk("circle_reports", "reporter_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_circle_reports"),
    )
    op.create_index("ix_circle_reports_status", "circle_reports", ["status"])
    op.create_table(
        "circle_sanctions",
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("until", UTC_DATETIME, nullable=False),
        _fk("circle_sanctions", "circle_id", "circles", "CASCADE"),
        _fk("circle_sanctions", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("circle_id", "user_id", name="pk_circle_sanctions"),
    )
    op.create_table(
        "circle_relays",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        _fk("circle_relays", "message_id", "circle_messages", "CASCADE"),
        _fk("circle_relays", "broadcast_id", "broadcasts", "CASCADE"),
        sa.PrimaryKeyConstraint("message_id", "broadcast_id", name="pk_circle_relays"),
    )
    op.create_table(
        "withdrawals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_withdrawals"),
    )
    op.create_index("ix_withdrawals_status", "withdrawals", ["status"])
    op.create_table(
        "moderation_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        _fk("moderation_log", "moderator_id", "users", "SET NULL"),
        _fk("moderation_log", "circle_id", "circles", "SET NULL"),
        _fk("moderation_log", "message_id", "circle_messages", "SET NULL"),
        _fk("moderation_log", "member_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_moderation_log"),
    )


def downgrade() -> None:
    """Drop the moderation tables."""
    op.drop_table("moderation_log")
    op.drop_index("ix_withdrawals_status", table_name="withdrawals")
    op.drop_table("withdrawals")
    op.drop_table("circle_relays")
    op.drop_table("circle_sanctions")
    op.drop_index("ix_circle_reports_status", table_name="circle_reports")
    op.drop_table("circle_reports")
