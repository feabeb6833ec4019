"""Teachers' courses as versions: the text learners see (published_source) apart from the
teacher's draft (source), which goes live only when the teacher publishes it again.

Revision ID: 0026
Revises: 0024
Create Date: 2026-12-07 06:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the published text; a course published today is published as it stands."""
    with op.batch_alter_table("authored_courses") as batch:
        batch.add_column(sa.Column("published_source", sa.Text(), nullable=True))
    op.execute("UPDATE authored_courses SET published_source = source WHERE status = 'published'")


def downgrade() -> None:
    """Drop the published text (the drafts become what learners see, as before)."""
    with op.batch_alter_table("authored_courses") as batch:
        batch.drop_column("published_source")
