"""A learner's consent to be written to by SMS (the channel that takes over phones) when their
chat app stops reaching their number, and the address it then goes to.

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-07 13:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0045"
down_revision: str | Sequence[str] | None = "0044"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the fallbacks."""
    op.create_table(
        "phone_fallbacks",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("opted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fallback_id", sa.Integer(), nullable=True),
        sa.Column("switched_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_phone_fallbacks_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["fallback_id"],
            ["users.id"],
            name="fk_phone_fallbacks_fallback_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_phone_fallbacks"),
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_table("phone_fallbacks")
