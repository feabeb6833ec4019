"""School servers and the national instance (docs/sync.md): which journal rows the national
instance has, the schools it hears from, the courses that came from the other side, and
where the exchange stands.

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-07 12:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0044"
down_revision: str | Sequence[str] | None = "0043"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """A journal row's push mark, and the three small tables of the exchange."""
    with op.batch_alter_table("xapi_statements") as batch:
        batch.add_column(sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_xapi_statements_synced_at", "xapi_statements", ["synced_at"])
    op.create_table(
        "sync_schools",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("first_sync_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("learners", sa.Integer(), nullable=False),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_schools"),
        sa.UniqueConstraint("name", name="uq_sync_schools_name"),
    )
    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_sync_state"),
    )
    op.create_table(
        "sync_courses",
        sa.Column("course_id", sa.String(64), nullable=False),
        sa.Column("origin", sa.String(64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pulled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("course_id", name="pk_sync_courses"),
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_table("sync_courses")
    op.drop_table("sync_state")
    op.drop_table("sync_schools")
    op.drop_index("ix_xapi_statements_synced_at", "xapi_statements")
    with op.batch_alter_table("xapi_statements") as batch:
        batch.drop_column("synced_at")
