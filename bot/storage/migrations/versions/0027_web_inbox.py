"""The web chat's inbox: what the bot writes first to a web learner (a teacher's answer, an
announcement, a reminder), kept in order until one of their tabs says it arrived.

The web learners' messages held in `pending_messages` (circle messages and notices, text only)
move into it.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 09:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

UTC_DATETIME = sa.DateTime(timezone=True)


revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the inbox; move the web learners' held texts into it, oldest first."""
    op.create_table(
        "web_inbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "broadcast_id",
            sa.Integer(),
            sa.ForeignKey("broadcasts.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("delivered_at", UTC_DATETIME, nullable=True),
    )
    op.create_index("ix_web_inbox_waiting", "web_inbox", ["user_id", "delivered_at"])
    op.create_index("ix_web_inbox_broadcast_id", "web_inbox", ["broadcast_id"])
    op.execute(
        "INSERT INTO web_inbox (user_id, broadcast_id, payload, created_at)"
        " SELECT p.user_id, NULL, p.payload, p.created_at FROM pending_messages p"
        " JOIN users u ON u.id = p.user_id WHERE u.channel = 'web' ORDER BY p.id"
    )
    op.execute(
        "DELETE FROM pending_messages WHERE user_id IN (SELECT id FROM users WHERE channel = 'web')"
    )


def downgrade() -> None:
    """Put what waits undelivered back where the web chat read it before, then drop the inbox."""
    op.execute(
        "INSERT INTO pending_messages (user_id, payload, created_at)"
        " SELECT user_id, payload, created_at FROM web_inbox WHERE delivered_at IS NULL"
        " ORDER BY id"
    )
    op.drop_index("ix_web_inbox_broadcast_id", table_name="web_inbox")
    op.drop_index("ix_web_inbox_waiting", table_name="web_inbox")
    op.drop_table("web_inbox")
