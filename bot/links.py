"""The addresses that open a class's join flow: a web page, Telegram and WhatsApp links, and
the QR code of the web page (to print or show on the board). Any phone can open the web page;
the page and the links all lead to the same join flow."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from bot.booklet.qr import qr_png
from dialogs.teaching_ports import JoinLinks

JOIN_PREFIX = "c_"  # /start c_<code>


@dataclass
class ClassLinks:
    """Links (dialogs/teaching_ports.py) for this deployment's addresses."""

    public_url: str
    telegram_username: str = ""  # learned from Telegram at start
    whatsapp_number: str = ""  # the business number, digits only

    def join_links(self, code: str) -> JoinLinks:
        """The web page, t.me and wa.me links of a join code."""
        telegram = (
            f"https://t.me/{self.telegram_username}?start={JOIN_PREFIX}{code}"
            if self.telegram_username
            else ""
        )
        text = quote(f"/start {JOIN_PREFIX}{code}", safe="")
        whatsapp = (
            f"https://wa.me/{self.whatsapp_number}?text={text}" if self.whatsapp_number else ""
        )
        return JoinLinks(code, f"{self.public_url}/c/{code}", telegram, whatsapp)

    def qr_png(self, url: str) -> bytes:
        """The QR code of a link, as a PNG."""
        return qr_png(url).getvalue()
