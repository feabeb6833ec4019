"""What the channels keep: WhatsApp inbox, service windows, sent messages, media ids.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 06:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    """The learner a row belongs to: erasing the learner erases the row."""
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=f"fk_{table}_user_id_users", ondelete="CASCADE"
    )


def upgrade() -> None:
    """Create the channel tables."""
    op.create_table(
        "whatsapp_inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_whatsapp_inbox"),
    )
    op.create_table(
        "channel_contacts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("last_inbound_at", UTC_DATETIME, nullable=True),
        sa.Column("unreachable_at", UTC_DATETIME, nullable=True),
        sa.Column("unreachable_code", sa.Integer(), nullable=True),
        _user_fk("channel_contacts"),
        sa.PrimaryKeyConstraint("user_id", name="pk_channel_contacts"),
    )
    op.create_table(
        "sent_messages",
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("sent_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        _user_fk("sent_messages"),
        sa.PrimaryKeyConstraint("id", name="pk_sent_messages"),
    )
    op.create_index("ix_sent_messages_user_id", "sent_messages", ["user_id"])
    op.create_table(
        "pending_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        _user_fk("pending_messages"),
        sa.PrimaryKeyConstraint("id", name="pk_pending_messages"),
    )
    op.create_index("ix_pending_messages_user_id", "pending_messages", ["user_id"])
    op.create_table(
        "media_uploads",
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("media_id", sa.String(128), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("channel", "digest", name="pk_media_uploads"),
    )


def downgrade() -> None:
    """Drop the channel tables."""
    op.drop_table("media_uploads")
    op.drop_index("ix_pending_messages_user_id", table_name="pending_messages")
    op.drop_table("pending_messages")
    op.drop_index("ix_sent_messages_user_id", table_name="sent_messages")
    op.drop_table("sent_messages")
    op.drop_table("channel_contacts")
    op.drop_table("whatsapp_inbox")
