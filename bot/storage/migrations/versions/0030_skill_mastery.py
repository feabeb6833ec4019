"""Mastery per learner and skill (Bayesian Knowledge Tracing), and the fitted parameters of
each skill.

Revision ID: 0030
Revises: 0027
Create Date: 2026-12-07 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | Sequence[str] | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the learners' mastery estimates and the skills' parameters."""
    op.create_table(
        "skill_mastery",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(32), nullable=False),
        sa.Column("p_known", sa.Double(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_skill_mastery_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "skill", name="pk_skill_mastery"),
    )
    op.create_table(
        "skill_parameters",
        sa.Column("skill", sa.String(32), nullable=False),
        sa.Column("p_init", sa.Double(), nullable=False),
        sa.Column("p_learn", sa.Double(), nullable=False),
        sa.Column("p_guess", sa.Double(), nullable=False),
        sa.Column("p_slip", sa.Double(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("learners", sa.Integer(), nullable=False),
        sa.Column("fitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("skill", name="pk_skill_parameters"),
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_table("skill_parameters")
    op.drop_table("skill_mastery")
