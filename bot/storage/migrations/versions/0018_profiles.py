"""Several learners on one phone: profiles of an account, their first names and PINs.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-22 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the learner_profiles table (the users table is left as it is)."""
    op.create_table(
        "learner_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("active_id", sa.Integer(), nullable=True),
        sa.Column("first_name", sa.String(40), nullable=True),
        sa.Column("pin_hash", sa.String(200), nullable=True),
        sa.Column("pin_failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_learner_profiles_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["users.id"],
            name="fk_learner_profiles_account_id_users",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["active_id"],
            ["users.id"],
            name="fk_learner_profiles_active_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_learner_profiles"),
    )
    op.create_index("ix_learner_profiles_account_id", "learner_profiles", ["account_id"])


def downgrade() -> None:
    """Drop it again."""
    op.drop_index("ix_learner_profiles_account_id", table_name="learner_profiles")
    op.drop_table("learner_profiles")
