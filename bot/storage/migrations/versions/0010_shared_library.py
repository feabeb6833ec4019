"""The teachers' shared library: ratings and comments of published courses.

(A course's visibility, "classes", "country" or "all", stays in authored_courses.visibility;
its licence, authors and attribution are in its text.)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the course ratings table."""
    op.create_table(
        "course_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(280), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("country", sa.String(8), nullable=False),
        sa.Column("rated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["authored_courses.course_id"],
            name="fk_course_ratings_course_id_authored_courses",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_course_ratings_user_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_course_ratings"),
        sa.UniqueConstraint("course_id", "user_id", name="uq_course_ratings_course_id_user_id"),
    )
    op.create_index("ix_course_ratings_user_id", "course_ratings", ["user_id"])


def downgrade() -> None:
    """Drop the course ratings table."""
    op.drop_index("ix_course_ratings_user_id", table_name="course_ratings")
    op.drop_table("course_ratings")
