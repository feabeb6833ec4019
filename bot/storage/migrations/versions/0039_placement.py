"""Placement and remediation: lessons placed out after a course's placement quiz, and the
wrong answers per skill and course that lead to a remediation.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-07 12:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0039"
down_revision: str | Sequence[str] | None = "0038"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the placed-out lessons and the skills' struggles."""
    op.create_table(
        "placed_out",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(128), nullable=False),
        sa.Column("lesson_id", sa.String(128), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_placed_out_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "course_id", "lesson_id", name="pk_placed_out"),
    )
    op.create_table(
        "skill_struggles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(128), nullable=False),
        sa.Column("skill", sa.String(32), nullable=False),
        sa.Column("wrong", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_skill_struggles_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "course_id", "skill", name="pk_skill_struggles"),
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_table("skill_struggles")
    op.drop_table("placed_out")
