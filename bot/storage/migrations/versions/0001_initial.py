"""Initial schema: users with profile and dialog state, progress, quizzes, polls, idempotency.

Revision ID: 0001
Revises:
Create Date: 2026-11-29 00:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported from the models: a migration is a frozen picture of the
# schema at one point in history, and must not change when the models do later.
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create every table of the first release."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=False),
        sa.Column("locale", sa.String(16), nullable=True),
        sa.Column("country", sa.String(8), nullable=True),
        sa.Column("role", sa.String(16), nullable=True),
        sa.Column("level", sa.String(16), nullable=True),
        sa.Column("consented_at", UTC_DATETIME, nullable=True),
        sa.Column("bookmark", sa.JSON(), nullable=True),
        sa.Column("state_step", sa.String(64), nullable=False),
        sa.Column("state_data", sa.JSON(), nullable=False),
        sa.Column("state_prompt", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("last_seen_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("channel", "external_id", name="uq_users_channel_external_id"),
    )
    op.create_table(
        "processed_updates",
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("channel", "key", name="pk_processed_updates"),
    )
    op.create_index("ix_processed_updates_created_at", "processed_updates", ["created_at"])
    op.create_table(
        "lesson_progress",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(128), nullable=False),
        sa.Column("lesson_id", sa.String(128), nullable=False),
        sa.Column("completed_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_lesson_progress_user_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "course_id", "lesson_id", name="pk_lesson_progress"),
    )
    op.create_table(
        "quiz_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(128), nullable=False),
        sa.Column("lesson_id", sa.String(128), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("max_score", sa.Double(), nullable=False),
        sa.Column("finished_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_quiz_attempts_user_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_quiz_attempts"),
    )
    op.create_index("ix_quiz_attempts_user_id", "quiz_attempts", ["user_id"])
    op.create_table(
        "telegram_polls",
        sa.Column("poll_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("prompt", sa.Integer(), nullable=False),
        sa.Column("option_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_telegram_polls_user_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("poll_id", name="pk_telegram_polls"),
    )
    # Without it, erasing a learner scans every poll ever sent (ON DELETE CASCADE lookups).
    op.create_index("ix_telegram_polls_user_id", "telegram_polls", ["user_id"])


def downgrade() -> None:
    """Drop everything, children before the users they point at."""
    op.drop_index("ix_telegram_polls_user_id", table_name="telegram_polls")
    op.drop_table("telegram_polls")
    op.drop_index("ix_quiz_attempts_user_id", table_name="quiz_attempts")
    op.drop_table("quiz_attempts")
    op.drop_table("lesson_progress")
    op.drop_index("ix_processed_updates_created_at", table_name="processed_updates")
    op.drop_table("processed_updates")
    op.drop_table("users")
