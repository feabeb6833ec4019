"""The Creathon: contests of pedagogical scenarios, submissions, peer and jury reviews.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the contests, submissions and reviews tables."""
    op.create_table(
        "creathon_contests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(120), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.Column("submit_by", UTC_DATETIME, nullable=False),
        sa.Column("review_by", UTC_DATETIME, nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("jury", sa.JSON(), nullable=False),
        sa.Column("reviewers", sa.Integer(), nullable=False),
        sa.Column("shortlist", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("closed_at", UTC_DATETIME, nullable=True),
        sa.Column("results_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name="fk_creathon_contests_created_by_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_creathon_contests"),
    )
    op.create_table(
        "creathon_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(64), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("country", sa.String(8), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("submitted_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["contest_id"],
            ["creathon_contests.id"],
            name="fk_creathon_submissions_contest_id_creathon_contests",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name="fk_creathon_submissions_author_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_creathon_submissions"),
        sa.UniqueConstraint(
            "contest_id", "author_id", name="uq_creathon_submissions_contest_id_author_id"
        ),
    )
    op.create_table(
        "creathon_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=True),
        sa.Column("total", sa.Double(), nullable=True),
        sa.Column("comment", sa.String(500), nullable=False),
        sa.Column("assigned_at", UTC_DATETIME, nullable=False),
        sa.Column("scored_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["creathon_submissions.id"],
            name="fk_creathon_reviews_submission_id_creathon_submissions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name="fk_creathon_reviews_reviewer_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_creathon_reviews"),
        sa.UniqueConstraint(
            "submission_id",
            "reviewer_id",
            "kind",
            name="uq_creathon_reviews_submission_id_reviewer_id_kind",
        ),
    )
    op.create_index("ix_creathon_reviews_reviewer_id", "creathon_reviews", ["reviewer_id"])


def downgrade() -> None:
    """Drop the Creathon tables."""
    op.drop_index("ix_creathon_reviews_reviewer_id", table_name="creathon_reviews")
    op.drop_table("creathon_reviews")
    op.drop_table("creathon_submissions")
    op.drop_table("creathon_contests")
