"""Translators in the chat: proposed and reviewed translations of interface strings, how
often each string is shown, and the version every worker checks to reload reviewed ones.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 09:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | Sequence[str] | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def _fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    """A foreign key to users, named as the models' naming convention names it."""
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=f"fk_{table}_{column}_users", ondelete="SET NULL"
    )


def upgrade() -> None:
    """Create the translations, the string views and the version row."""
    op.create_table(
        "translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("key", sa.String(16), nullable=False),
        sa.Column("msgid", sa.Text(), nullable=False),
        sa.Column("msgid_plural", sa.Text(), nullable=False),
        sa.Column("forms", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("reviewed_at", UTC_DATETIME, nullable=True),
        _fk("translations", "author_id"),
        _fk("translations", "reviewer_id"),
        sa.PrimaryKeyConstraint("id", name="pk_translations"),
    )
    op.create_index("ix_translations_lang_status", "translations", ["lang", "status"])
    op.create_index("ix_translations_lang_key", "translations", ["lang", "key"])
    op.create_index("ix_translations_author_id", "translations", ["author_id"])
    op.create_index("ix_translations_reviewer_id", "translations", ["reviewer_id"])
    op.create_table(
        "string_views",
        sa.Column("key", sa.String(16), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_string_views"),
    )
    version = op.create_table(
        "translation_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_translation_version"),
    )
    op.bulk_insert(version, [{"id": 1, "version": 0}])


def downgrade() -> None:
    """Drop them (the reviewed strings exported to the .po files stay there)."""
    op.drop_table("translation_version")
    op.drop_table("string_views")
    op.drop_index("ix_translations_reviewer_id", table_name="translations")
    op.drop_index("ix_translations_author_id", table_name="translations")
    op.drop_index("ix_translations_lang_key", table_name="translations")
    op.drop_index("ix_translations_lang_status", table_name="translations")
    op.drop_table("translations")
