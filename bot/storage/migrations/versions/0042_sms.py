"""SMS through Kannel: a learner's STOP and daily budget, and what each SMS cost in parts.

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-07 12:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0042"
down_revision: str | Sequence[str] | None = "0041"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the SMS contacts, and count the parts of sent messages."""
    op.create_table(
        "sms_contacts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("told", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_sms_contacts_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_sms_contacts"),
    )
    with op.batch_alter_table("sent_messages") as batch:
        batch.add_column(sa.Column("segments", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("sent_messages") as batch:
        batch.drop_column("segments")
    op.drop_table("sms_contacts")
