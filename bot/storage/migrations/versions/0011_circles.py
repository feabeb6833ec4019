"""Teachers' circles: circles, their members (with how they follow them), their messages,
the daily digest scheduled per circle, and "find a colleague" requests.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    """A foreign key named as the models' naming convention names it."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade() -> None:
    """Create the circles' tables."""
    op.create_table(
        "circles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("subject", sa.String(32), nullable=False),
        sa.Column("level_group", sa.String(16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        _fk("circles", "created_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_circles"),
    )
    op.create_table(
        "circle_members",
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(8), nullable=False),
        sa.Column("joined_at", UTC_DATETIME, nullable=False),
        _fk("circle_members", "circle_id", "circles", "CASCADE"),
        _fk("circle_members", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("circle_id", "user_id", name="pk_circle_members"),
    )
    op.create_index("ix_circle_members_user_id", "circle_members", ["user_id"])
    op.create_table(
        "circle_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attachment", sa.JSON(), nullable=True),
        sa.Column("reply_to", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _fk("circle_messages", "circle_id", "circles", "CASCADE"),
        _fk("circle_messages", "author_id", "users", "SET NULL"),
        _fk("circle_messages", "reply_to", "circle_messages", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_circle_messages"),
    )
    op.create_index("ix_circle_messages_circle_id", "circle_messages", ["circle_id"])
    op.create_table(
        "circle_digests",
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("send_at", UTC_DATETIME, nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        _fk("circle_digests", "circle_id", "circles", "CASCADE"),
        _fk("circle_digests", "broadcast_id", "broadcasts", "CASCADE"),
        sa.PrimaryKeyConstraint("circle_id", "send_at", name="pk_circle_digests"),
    )
    op.create_table(
        "colleague_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asker_id", sa.Integer(), nullable=False),
        sa.Column("asked_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(32), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        _fk("colleague_requests", "asker_id", "users", "CASCADE"),
        _fk("colleague_requests", "asked_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_colleague_requests"),
    )
    op.create_index("ix_colleague_requests_asker_id", "colleague_requests", ["asker_id"])
    op.create_index("ix_colleague_requests_asked_id", "colleague_requests", ["asked_id"])


def downgrade() -> None:
    """Drop the circles' tables."""
    op.drop_index("ix_colleague_requests_asked_id", table_name="colleague_requests")
    op.drop_index("ix_colleague_requests_asker_id", table_name="colleague_requests")
    op.drop_table("colleague_requests")
    op.drop_table("circle_digests")
    op.drop_index("ix_circle_messages_circle_id", table_name="circle_messages")
    op.drop_table("circle_messages")
    op.drop_index("ix_circle_members_user_id", table_name="circle_members")
    op.drop_table("circle_members")
    op.drop_table("circles")
