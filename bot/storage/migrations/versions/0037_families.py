"""Families: a learner's guardians (invited by a code, consenting on their side) and their
weekly summaries; and the optional answer to "girl / boy / prefer not to say".

Revision ID: 0037
Revises: 0032
Create Date: 2026-12-07 10:15:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0037"
down_revision: str | Sequence[str] | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the guardians' links and the learners' sex."""
    op.create_table(
        "guardians",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("learner_name", sa.String(64), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("guardian_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_summary_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["users.id"], name="fk_guardians_learner_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["guardian_id"],
            ["users.id"],
            name="fk_guardians_guardian_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_guardians"),
        sa.UniqueConstraint("code", name="uq_guardians_code"),
    )
    op.create_index("ix_guardians_learner_id", "guardians", ["learner_id"])
    op.create_index("ix_guardians_guardian_id", "guardians", ["guardian_id"])
    op.create_index("ix_guardians_next_summary_at", "guardians", ["next_summary_at"])
    op.create_table(
        "learner_sex",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sex", sa.String(8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_learner_sex_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_learner_sex"),
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_table("learner_sex")
    op.drop_index("ix_guardians_next_summary_at", table_name="guardians")
    op.drop_index("ix_guardians_guardian_id", table_name="guardians")
    op.drop_index("ix_guardians_learner_id", table_name="guardians")
    op.drop_table("guardians")
