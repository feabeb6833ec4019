"""Erasure: a web member's held message knows the circle message it copies and who wrote it,
so erasing its author (or removing the message) takes the copies too.

Revision ID: 0024
Revises: 0021
Create Date: 2026-12-07 05:15:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """The circle message a held copy carries (none for other held messages)."""
    with op.batch_alter_table("pending_messages") as batch:
        batch.add_column(sa.Column("circle_message_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_pending_messages_circle_message_id_circle_messages",
            "circle_messages",
            ["circle_message_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_pending_messages_circle_message_id", ["circle_message_id"])
        batch.add_column(sa.Column("author_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_pending_messages_author_id_users",
            "users",
            ["author_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_pending_messages_author_id", ["author_id"])


def downgrade() -> None:
    """Drop it again."""
    with op.batch_alter_table("pending_messages") as batch:
        batch.drop_index("ix_pending_messages_author_id")
        batch.drop_constraint("fk_pending_messages_author_id_users", type_="foreignkey")
        batch.drop_column("author_id")
        batch.drop_index("ix_pending_messages_circle_message_id")
        batch.drop_constraint(
            "fk_pending_messages_circle_message_id_circle_messages", type_="foreignkey"
        )
        batch.drop_column("circle_message_id")
