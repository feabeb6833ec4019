"""Events in circles (webinars, meetings) and who said they will come; course discussion
threads (circle messages tagged with a course); the name a teacher gives colleagues.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-12 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    """A foreign key named as the models' naming convention names it."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade() -> None:
    """Create the events' tables; add the thread's course and the teacher's name."""
    op.create_table(
        "circle_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("link", sa.String(300), nullable=False),
        sa.Column("starts_at", UTC_DATETIME, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("reminder_id", sa.Integer(), nullable=True),
        _fk("circle_events", "circle_id", "circles", "CASCADE"),
        _fk("circle_events", "created_by", "users", "SET NULL"),
        _fk("circle_events", "reminder_id", "broadcasts", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_circle_events"),
    )
    op.create_index("ix_circle_events_circle_id", "circle_events", ["circle_id"])
    op.create_table(
        "event_attendees",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("answered_at", UTC_DATETIME, nullable=False),
        _fk("event_attendees", "event_id", "circle_events", "CASCADE"),
        _fk("event_attendees", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("event_id", "user_id", name="pk_event_attendees"),
    )
    with op.batch_alter_table("circle_messages") as batch:
        batch.add_column(sa.Column("course_id", sa.String(64), nullable=True))
        batch.create_index("ix_circle_messages_course_id", ["course_id"])
    with op.batch_alter_table("teacher_profiles") as batch:
        batch.add_column(sa.Column("name", sa.String(80), nullable=True))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("teacher_profiles") as batch:
        batch.drop_column("name")
    with op.batch_alter_table("circle_messages") as batch:
        batch.drop_index("ix_circle_messages_course_id")
        batch.drop_column("course_id")
    op.drop_table("event_attendees")
    op.drop_index("ix_circle_events_circle_id", table_name="circle_events")
    op.drop_table("circle_events")
