"""The images, sounds and documents of teachers' courses, by course and path.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 14:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the authored media table."""
    op.create_table(
        "authored_media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("mime", sa.String(128), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_authored_media"),
        sa.UniqueConstraint("course_id", "name", name="uq_authored_media_course_id_name"),
    )


def downgrade() -> None:
    """Drop the authored media table."""
    op.drop_table("authored_media")
