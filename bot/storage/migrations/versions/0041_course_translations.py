"""Courses translated in the chat: each text of a course proposed in a language by one
teacher or translator, reviewed by another; reviewed ones laid over the course's files.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-07 12:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0041"
down_revision: str | Sequence[str] | None = "0040"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def _fk(column: str) -> sa.ForeignKeyConstraint:
    """A foreign key to users, named as the models' naming convention names it."""
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=f"fk_course_translations_{column}_users", ondelete="SET NULL"
    )


def upgrade() -> None:
    """Create the course translations."""
    op.create_table(
        "course_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("mark", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("reviewed_at", UTC_DATETIME, nullable=True),
        _fk("author_id"),
        _fk("reviewer_id"),
        sa.PrimaryKeyConstraint("id", name="pk_course_translations"),
    )
    op.create_index(
        "ix_course_translations_course_lang", "course_translations", ["course_id", "lang"]
    )
    op.create_index("ix_course_translations_status", "course_translations", ["status"])
    op.create_index("ix_course_translations_author_id", "course_translations", ["author_id"])
    op.create_index("ix_course_translations_reviewer_id", "course_translations", ["reviewer_id"])


def downgrade() -> None:
    """Drop them (the reviewed texts exported to the course.<lang>.md files stay there)."""
    op.drop_index("ix_course_translations_reviewer_id", table_name="course_translations")
    op.drop_index("ix_course_translations_author_id", table_name="course_translations")
    op.drop_index("ix_course_translations_status", table_name="course_translations")
    op.drop_index("ix_course_translations_course_lang", table_name="course_translations")
    op.drop_table("course_translations")
