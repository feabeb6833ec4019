"""Learning records as xAPI statements: the journal forwarded to a Learning Record Store.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 10:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0038"
down_revision: str | Sequence[str] | None = "0037"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the journal of statements."""
    op.create_table(
        "xapi_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refused", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_xapi_statements_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_xapi_statements"),
        sa.UniqueConstraint("statement_id", name="uq_xapi_statements_statement_id"),
    )
    op.create_index("ix_xapi_statements_user_id", "xapi_statements", ["user_id"])
    op.create_index("ix_xapi_statements_sent_at", "xapi_statements", ["sent_at"])


def downgrade() -> None:
    """Drop it again."""
    op.drop_table("xapi_statements")
