"""Admins: role grants, person codes, broadcasts, the outbox, opt-outs, shared send rates.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 07:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    """A foreign key named as the models' naming convention names it."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade() -> None:
    """Create the admin tables."""
    op.create_table(
        "role_grants",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("country", sa.String(8), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=True),
        sa.Column("granted_at", UTC_DATETIME, nullable=False),
        _fk("role_grants", "user_id", "users", "CASCADE"),
        _fk("role_grants", "granted_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("user_id", "role", "country", name="pk_role_grants"),
    )
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("attachment", sa.JSON(), nullable=True),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("scheduled_at", UTC_DATETIME, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("queued_at", UTC_DATETIME, nullable=True),
        _fk("broadcasts", "author_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_broadcasts"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", UTC_DATETIME, nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_at", UTC_DATETIME, nullable=True),
        sa.Column("sent_at", UTC_DATETIME, nullable=True),
        sa.Column("platform_id", sa.String(128), nullable=True),
        sa.Column("error", sa.String(64), nullable=True),
        _fk("outbox", "broadcast_id", "broadcasts", "CASCADE"),
        _fk("outbox", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index("ix_outbox_due", "outbox", ["channel", "status", "not_before"])
    op.create_index("ix_outbox_progress", "outbox", ["broadcast_id", "status"])
    op.create_index("ix_outbox_user_id", "outbox", ["user_id"])
    op.create_table(
        "person_codes",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        _fk("person_codes", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name="pk_person_codes"),
        sa.UniqueConstraint("code", name="uq_person_codes_code"),
    )
    op.create_table(
        "announcement_optouts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        _fk("announcement_optouts", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name="pk_announcement_optouts"),
    )
    op.create_table(
        "send_rates",
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("next_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("channel", name="pk_send_rates"),
    )


def downgrade() -> None:
    """Drop the admin tables."""
    op.drop_table("send_rates")
    op.drop_table("announcement_optouts")
    op.drop_table("person_codes")
    op.drop_index("ix_outbox_user_id", table_name="outbox")
    op.drop_index("ix_outbox_progress", table_name="outbox")
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("broadcasts")
    op.drop_table("role_grants")
