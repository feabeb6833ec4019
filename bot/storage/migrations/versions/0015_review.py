"""The learners' review decks: questions missed, with their FSRS card and due time.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-20 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the review cards' table."""
    op.create_table(
        "review_cards",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(128), nullable=False),
        sa.Column("lesson_id", sa.String(128), nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("card", sa.JSON(), nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_review_cards_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "course_id", "lesson_id", "question_id", name="pk_review_cards"
        ),
    )
    op.create_index("ix_review_cards_user_due", "review_cards", ["user_id", "due"])


def downgrade() -> None:
    """Drop it again."""
    op.drop_index("ix_review_cards_user_due", table_name="review_cards")
    op.drop_table("review_cards")
