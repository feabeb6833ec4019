"""Teaching at the right level: work given to one group of a class (the learners of one
level of one skill); how many days without coming make a learner of a class absent, and the
teacher's weekly alert of who is (on or off, and when it is next due); when a guardian was
last told of an absence (told once per absence).

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-07 12:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0040"
down_revision: str | Sequence[str] | None = "0039"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """The learners of a group's work, the group it was for, and the class's absence days."""
    op.create_table(
        "assignment_students",
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name="fk_assignment_students_assignment_id_assignments",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_assignment_students_user_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assignment_id", "user_id", name="pk_assignment_students"),
    )
    op.create_index("ix_assignment_students_user_id", "assignment_students", ["user_id"])
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(sa.Column("skill", sa.String(32), nullable=True))
        batch.add_column(sa.Column("skill_level", sa.String(16), nullable=True))
    with op.batch_alter_table("classes") as batch:
        batch.add_column(
            sa.Column("absence_days", sa.Integer(), server_default="7", nullable=False)
        )
        batch.add_column(
            sa.Column("absence_alerts", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch.add_column(sa.Column("next_absence_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_classes_next_absence_at", ["next_absence_at"])
    with op.batch_alter_table("guardians") as batch:
        batch.add_column(sa.Column("absence_told_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("guardians") as batch:
        batch.drop_column("absence_told_at")
    with op.batch_alter_table("classes") as batch:
        batch.drop_index("ix_classes_next_absence_at")
        batch.drop_column("next_absence_at")
        batch.drop_column("absence_alerts")
        batch.drop_column("absence_days")
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("skill_level")
        batch.drop_column("skill")
    op.drop_index("ix_assignment_students_user_id", table_name="assignment_students")
    op.drop_table("assignment_students")
