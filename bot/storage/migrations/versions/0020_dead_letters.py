"""Dead letters: inbound items parked after their time budget and attempts; the WhatsApp
inbox counts the handlings of each body, inbound_attempts those of polled Telegram updates.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 05:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the dead letters, add the inbox's attempts."""
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=128), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dead_letters"),
    )
    op.create_table(
        "inbound_attempts",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_inbound_attempts"),
    )
    op.create_index("ix_dead_letters_address", "dead_letters", ["address"])
    op.create_index("ix_dead_letters_created_at", "dead_letters", ["created_at"])
    with op.batch_alter_table("whatsapp_inbox") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("whatsapp_inbox") as batch:
        batch.drop_column("attempts")
    op.drop_index("ix_dead_letters_created_at", table_name="dead_letters")
    op.drop_index("ix_dead_letters_address", table_name="dead_letters")
    op.drop_table("dead_letters")
    op.drop_table("inbound_attempts")
