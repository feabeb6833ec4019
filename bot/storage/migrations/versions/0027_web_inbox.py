"""The web chat's inbox: what the bot writes first to a web learner (a teacher's answer, an
announcement, a reminder), kept in order until one of their tabs says it arrived.

The web learners' messages held in `pending_messages` (circle messages and notices, text only)
move into it.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 09:30:00+00:00
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op

UTC_DATETIME = sa.DateTime(timezone=True)


revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the inbox; move the web learners' held texts into it, oldest first."""
    op.create_table(
        "web_inbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "broadcast_id",
            sa.Integer(),
            sa.ForeignKey("broadcasts.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("delivered_at", UTC_DATETIME, nullable=True),
    )
    op.create_index("ix_web_inbox_waiting", "web_inbox", ["user_id", "delivered_at"])
    op.create_index("ix_web_inbox_broadcast_id", "web_inbox", ["broadcast_id"])
    if context.is_offline_mode():  # SQL scripts: the held texts stay where they are
        op.execute("-- web learners' held texts are moved by the online upgrade only")
        return
    bind = op.get_bind()
    held = bind.execute(
        sa.text(
            "SELECT p.id, p.user_id, p.payload, p.created_at FROM pending_messages p"
            " JOIN users u ON u.id = p.user_id WHERE u.channel = 'web' ORDER BY p.id"
        )
    ).all()
    insert = sa.text(
        "INSERT INTO web_inbox (user_id, payload, created_at) VALUES (:uid, :payload, :at)"
    ).bindparams(sa.bindparam("payload", type_=sa.JSON()))
    for _, user_id, payload, created_at in held:  # a held text becomes the chat's frame
        body = str((_loaded(payload).get("text") or {}).get("body", ""))
        if body:
            frame = {"type": "say", "text": body}
            bind.execute(insert, {"uid": user_id, "payload": frame, "at": created_at})
    if held:
        marks = ", ".join(str(int(row[0])) for row in held)
        bind.execute(sa.text(f"DELETE FROM pending_messages WHERE id IN ({marks})"))


def downgrade() -> None:
    """Put the texts still waiting back where the web chat read them before; drop the inbox."""
    if not context.is_offline_mode():
        bind = op.get_bind()
        waiting = bind.execute(
            sa.text(
                "SELECT user_id, payload, created_at FROM web_inbox"
                " WHERE delivered_at IS NULL ORDER BY id"
            )
        ).all()
        insert = sa.text(
            "INSERT INTO pending_messages (user_id, payload, created_at)"
            " VALUES (:uid, :payload, :at)"
        ).bindparams(sa.bindparam("payload", type_=sa.JSON()))
        for user_id, payload, created_at in waiting:
            text = str(_loaded(payload).get("text") or "")
            if text:
                message = {"type": "text", "text": {"body": text}}
                bind.execute(insert, {"uid": user_id, "payload": message, "at": created_at})
    op.drop_index("ix_web_inbox_broadcast_id", table_name="web_inbox")
    op.drop_index("ix_web_inbox_waiting", table_name="web_inbox")
    op.drop_table("web_inbox")


def _loaded(payload: object) -> dict[str, Any]:
    """A stored JSON object (SQLite hands back text)."""
    found = json.loads(payload) if isinstance(payload, str | bytes) else payload
    return found if isinstance(found, dict) else {}
