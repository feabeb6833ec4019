"""Courses teachers write in the chat, kept as course-format text.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 11:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the authored courses table."""
    op.create_table(
        "authored_courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(64), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("country", sa.String(8), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("published_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name="fk_authored_courses_author_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_authored_courses"),
        sa.UniqueConstraint("course_id", name="uq_authored_courses_course_id"),
    )
    op.create_index("ix_authored_courses_author_id", "authored_courses", ["author_id"])


def downgrade() -> None:
    """Drop the authored courses table."""
    op.drop_index("ix_authored_courses_author_id", table_name="authored_courses")
    op.drop_table("authored_courses")
