"""Teachers: invitation codes, teacher profiles and requests, classes and their members.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    """A foreign key named as the models' naming convention names it."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade() -> None:
    """Create the teachers' tables."""
    op.create_table(
        "teacher_invites",
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("country", sa.String(8), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        _fk("teacher_invites", "created_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("code", name="pk_teacher_invites"),
    )
    op.create_table(
        "teacher_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("school", sa.String(120), nullable=False),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_at", UTC_DATETIME, nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        _fk("teacher_profiles", "user_id", "users", "CASCADE"),
        _fk("teacher_profiles", "decided_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("user_id", name="pk_teacher_profiles"),
    )
    op.create_table(
        "classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(32), nullable=False),
        sa.Column("join_code", sa.String(16), nullable=False),
        sa.Column("questions_open", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        _fk("classes", "teacher_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_classes"),
        sa.UniqueConstraint("join_code", name="uq_classes_join_code"),
    )
    op.create_index("ix_classes_teacher_id", "classes", ["teacher_id"])
    op.create_table(
        "class_members",
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("joined_at", UTC_DATETIME, nullable=False),
        _fk("class_members", "class_id", "classes", "CASCADE"),
        _fk("class_members", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("class_id", "user_id", name="pk_class_members"),
    )
    op.create_index("ix_class_members_user_id", "class_members", ["user_id"])


def downgrade() -> None:
    """Drop the teachers' tables."""
    op.drop_index("ix_class_members_user_id", table_name="class_members")
    op.drop_table("class_members")
    op.drop_index("ix_classes_teacher_id", table_name="classes")
    op.drop_table("classes")
    op.drop_table("teacher_profiles")
    op.drop_table("teacher_invites")
