"""Light data: the learners' setting, and the media they asked for per local day.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-22 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the setting's table and the daily media counts."""
    op.create_table(
        "data_saving",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("light", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_data_saving_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_data_saving"),
    )
    op.create_table(
        "media_days",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_media_days_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "day", name="pk_media_days"),
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_table("media_days")
    op.drop_table("data_saving")
