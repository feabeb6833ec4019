"""Class work: students' questions to their teacher, and assignments with deadlines.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    """A foreign key named as the models' naming convention names it."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade() -> None:
    """Create the class work tables."""
    op.create_table(
        "teacher_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(128), nullable=False),
        sa.Column("lesson_id", sa.String(128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("asked_at", UTC_DATETIME, nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", UTC_DATETIME, nullable=True),
        _fk("teacher_questions", "class_id", "classes", "CASCADE"),
        _fk("teacher_questions", "student_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_teacher_questions"),
    )
    op.create_index("ix_teacher_questions_class_id", "teacher_questions", ["class_id"])
    op.create_index("ix_teacher_questions_student_id", "teacher_questions", ["student_id"])
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(128), nullable=False),
        sa.Column("lesson_id", sa.String(128), nullable=True),
        sa.Column("deadline", UTC_DATETIME, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("reminder_id", sa.Integer(), nullable=True),
        _fk("assignments", "class_id", "classes", "CASCADE"),
        _fk("assignments", "reminder_id", "broadcasts", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_assignments"),
    )
    op.create_index("ix_assignments_class_id", "assignments", ["class_id"])


def downgrade() -> None:
    """Drop the class work tables."""
    op.drop_index("ix_assignments_class_id", table_name="assignments")
    op.drop_table("assignments")
    op.drop_index("ix_teacher_questions_student_id", table_name="teacher_questions")
    op.drop_index("ix_teacher_questions_class_id", table_name="teacher_questions")
    op.drop_table("teacher_questions")
