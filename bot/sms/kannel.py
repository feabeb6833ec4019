"""Kannel's HTTP contract: smsbox's `sendsms` interface, and the two calls Kannel makes to
the bot (an `sms-service` get-url for each message a learner sends, a `dlr-url` for each
delivery report). Plain functions and one small client: tests check them without Kannel.

The get-url and dlr-url carry a shared secret (`SMS_SECRET`) in their query: a call without
it is refused before anything is read (bot/sms/service.py). See deploy/kannel.conf.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import aiohttp

from bot.sms.gsm import coding
from bot.tokens import same_secret

SENDSMS_PATH = "/cgi-bin/sendsms"
INBOUND_PATH = "/sms/inbound"
DLR_PATH = "/sms/dlr"
# Kannel's delivery report types (`%d`) and what the bot records for each.
DLR_STATUS = {1: "delivered", 2: "failed", 4: "sent", 8: "sent", 16: "failed"}
DLR_MASK = 1 + 2 + 4 + 8 + 16  # every report: delivered, failed, buffered, SMSC ack, reject
MAX_TEXT = 4000  # a learner's message past this is cut (bad input loses nothing of the rest)


@dataclass(frozen=True)
class Inbound:
    """A message a learner sent, as Kannel's get-url passes it."""

    sender: str  # the learner's number, digits only (with a leading "+" dropped)
    receiver: str  # our shortcode
    text: str
    message_id: str  # Kannel's id of the message (`%I`): a repeat is handled once


@dataclass(frozen=True)
class Report:
    """A delivery report (`dlr-url`): which message, what happened, the SMSC's words."""

    message_id: str
    status: str  # delivered, sent, failed
    code: int  # Kannel's report type (1, 2, 4, 8, 16)


class KannelError(Exception):
    """smsbox refused a message (or could not be reached): its HTTP status and words."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason

    @property
    def retryable(self) -> bool:
        """Worth trying again later: smsbox away, its queue full, or a server error."""
        return self.status == 0 or self.status == 503 or self.status >= 500


def secret_ok(query: Mapping[str, str], secret: str) -> bool:
    """Whether a callback carries the shared secret (compared in constant time)."""
    return bool(secret) and same_secret(query.get("secret", ""), secret)


def phone(value: str) -> str:
    """A number as the bot keeps it: digits only ("+225 07..." → "22507...")."""
    return "".join(c for c in value if c.isdigit())


def parse_inbound(query: Mapping[str, str]) -> Inbound | None:
    """The get-url's query (`from=%p&to=%P&text=%a&id=%I`); None when it lacks a sender or
    an id (nothing to answer, nothing to deduplicate)."""
    sender = phone(query.get("from", ""))
    message_id = query.get("id", "").strip()[:100]
    if not sender or not message_id:
        return None
    text = query.get("text", "")[:MAX_TEXT]
    return Inbound(sender, phone(query.get("to", "")), text, message_id)


def parse_report(query: Mapping[str, str]) -> Report | None:
    """The dlr-url's query (`id=<ours>&type=%d`); None when malformed."""
    message_id = query.get("id", "").strip()
    try:
        code = int(query.get("type", ""))
    except ValueError:
        return None
    if not message_id or code not in DLR_STATUS:
        return None
    return Report(message_id[:128], DLR_STATUS[code], code)


@dataclass(frozen=True)
class Account:
    """How the bot sends: smsbox's address, the sendsms user, the sender shown."""

    url: str  # smsbox's sendsms port, "http://127.0.0.1:13013"
    user: str
    password: str
    sender: str  # an alphanumeric sender id or the shortcode
    dlr_url: str = ""  # where Kannel reports deliveries (the bot's /sms/dlr, with the secret)


def sendsms_query(account: Account, to: str, text: str, message_id: str) -> dict[str, str]:
    """The sendsms query for one text (concatenated by Kannel into its parts)."""
    query = {
        "username": account.user,
        "password": account.password,
        "to": to,
        "text": text,
        "charset": "UTF-8",
        "coding": str(coding(text)),
    }
    if account.sender:
        query["from"] = account.sender
    if account.dlr_url:
        report = f"{account.dlr_url}&{urlencode({'id': message_id})}&type=%d"
        query |= {"dlr-mask": str(DLR_MASK), "dlr-url": report}
    return query


class KannelClient:
    """Sends texts through smsbox's sendsms interface."""

    def __init__(self, account: Account, timeout: float = 15.0) -> None:
        self.account = account
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def send(self, to: str, text: str, message_id: str) -> None:
        """One text to one number; raises KannelError when smsbox does not accept it."""
        query = sendsms_query(self.account, to, text, message_id)
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        try:
            async with self._session.get(self.account.url + SENDSMS_PATH, params=query) as reply:
                body = (await reply.text())[:200]
        except (aiohttp.ClientError, TimeoutError) as error:
            raise KannelError(0, type(error).__name__) from error
        if reply.status not in (200, 202):
            raise KannelError(reply.status, body.strip())

    async def close(self) -> None:
        """Close the connections."""
        if self._session is not None:
            await self._session.close()
