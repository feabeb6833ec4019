"""Ports of certificates: the learner's stored certificates, and signing and printing them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from dialogs.messages import Later


@dataclass(frozen=True)
class Certificate:
    """A course finished with the mastery score: what the signed code says."""

    id: int
    name: str  # the learner's name as they typed it, kept only for certificates
    course_id: str
    issued_on: date
    score: int  # average best quiz share, in percent


@dataclass(frozen=True)
class CertificateWording:
    """The printed sentences, in the learner's language (the code itself is language-free)."""

    title: str
    awarded_to: str
    course: str  # "for finishing the course « %(title)s »", already filled
    details: str  # date and score, already filled
    programme: str
    verify: str  # how to check it, already filled with the link
    language: str = "fr"  # of the words: Arabic is printed right to left


class CertificateDesk(Protocol):
    """The current learner's certificates, inside the turn's transaction (bot/storage)."""

    async def mine(self) -> list[Certificate]:
        """Every certificate of this learner, oldest first."""
        ...

    async def keep(self, name: str, course_id: str, issued_on: date, score: int) -> Certificate:
        """Store a new certificate; it gets its id."""
        ...


class Certifier(Protocol):
    """Signs, prints and checks certificates (bot/certificates)."""

    def code(self, certificate: Certificate) -> str:
        """The signed verification code."""
        ...

    def link(self, code: str) -> str:
        """The verification link of a code."""
        ...

    async def pdf(self, certificate: Certificate, wording: CertificateWording) -> bytes | Later:
        """The one-page PDF (made after the turn when Later)."""
        ...

    def verify(self, code: str) -> Certificate | None:
        """What a code certifies, or None when it is not genuine."""
        ...
