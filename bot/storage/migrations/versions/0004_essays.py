"""Essay answers kept for a teacher to grade.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 08:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the essay answers table."""
    op.create_table(
        "essay_answers",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(128), nullable=False),
        sa.Column("lesson_id", sa.String(128), nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("submitted_at", UTC_DATETIME, nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("graded_at", UTC_DATETIME, nullable=True),
        sa.Column("graded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_essay_answers_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["graded_by"],
            ["users.id"],
            name="fk_essay_answers_graded_by_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "course_id", "lesson_id", "question_id", name="pk_essay_answers"
        ),
    )


def downgrade() -> None:
    """Drop the essay answers table."""
    op.drop_table("essay_answers")
