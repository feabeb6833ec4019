"""The learner's certificates (dialogs/certificate_ports.py), inside the person's turn."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.storage.sql import Runner
from bot.storage.xapi import Journal
from dialogs.certificate_ports import Certificate


class SqlCertificateDesk:
    """CertificateDesk for the person `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, journal: Journal | None = None) -> None:
        self.runner = runner
        self.user_id = user_id
        self.journal = journal

    async def mine(self) -> list[Certificate]:
        """Every certificate of this learner, oldest first."""
        rows = await self.runner.run(
            "SELECT id, name, course_id, issued_on, score FROM certificates"
            " WHERE user_id = :uid ORDER BY id",
            uid=self.user_id,
        )
        return [
            Certificate(int(i), str(name), str(course), _date(issued), int(score))
            for i, name, course, issued, score in rows
        ]

    async def keep(self, name: str, course_id: str, issued_on: date, score: int) -> Certificate:
        """Store a new certificate; it gets its id."""
        rows = await self.runner.run(
            "INSERT INTO certificates (user_id, name, course_id, issued_on, score)"
            " VALUES (:uid, :name, :course, :issued, :score) RETURNING id",
            uid=self.user_id,
            name=name,
            course=course_id,
            issued=issued_on,
            score=score,
        )
        certificate = Certificate(int(rows[0][0]), name, course_id, issued_on, score)
        if self.journal is not None:
            at = datetime.now(UTC)
            await self.journal.certificate_earned(certificate.id, course_id, score, at)
        return certificate


def _date(value: object) -> date:
    """SQLite gives the date back as text, PostgreSQL as a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
