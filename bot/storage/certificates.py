"""The learner's certificates (dialogs/certificate_ports.py), inside the person's turn."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import bindparam, insert, select

from bot.storage.models import certificates
from bot.storage.sql import Runner
from bot.storage.xapi import Journal
from dialogs.certificate_ports import Certificate

_c = certificates.c
_MINE = (
    select(_c.id, _c.name, _c.course_id, _c.issued_on, _c.score)
    .where(_c.user_id == bindparam("uid"))
    .order_by(_c.id)
)
_KEEP = (
    insert(certificates)
    .values(
        user_id=bindparam("uid"),
        name=bindparam("c_name"),
        course_id=bindparam("course"),
        issued_on=bindparam("issued"),
        score=bindparam("c_score"),
    )
    .returning(_c.id)
)


class SqlCertificateDesk:
    """CertificateDesk for the person `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, journal: Journal | None = None) -> None:
        self.runner = runner
        self.user_id = user_id
        self.journal = journal

    async def mine(self) -> list[Certificate]:
        """Every certificate of this learner, oldest first."""
        rows = await self.runner.run(_MINE, uid=self.user_id)
        return [
            Certificate(int(i), str(name), str(course), _date(issued), int(score))
            for i, name, course, issued, score in rows
        ]

    async def keep(self, name: str, course_id: str, issued_on: date, score: int) -> Certificate:
        """Store a new certificate; it gets its id."""
        rows = await self.runner.run(
            _KEEP,
            uid=self.user_id,
            c_name=name,
            course=course_id,
            issued=issued_on,
            c_score=score,
        )
        certificate = Certificate(int(rows[0][0]), name, course_id, issued_on, score)
        if self.journal is not None:
            at = datetime.now(UTC)
            await self.journal.certificate_earned(certificate.id, course_id, score, at)
        return certificate


def _date(value: object) -> date:
    """SQLite gives the date back as text, PostgreSQL as a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
