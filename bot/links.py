"""The addresses that open a class's join flow: a web page, Telegram and WhatsApp links, and
the QR code of the web page (to print or show on the board). Any phone can open the web page;
the page and the links all lead to the same join flow."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from bot.addresses import page_base
from bot.booklet.qr import qr_png
from dialogs.teaching_ports import JoinLinks

JOIN_PREFIX = "c_"  # /start c_<code>


@dataclass
class ClassLinks:
    """Links (dialogs/teaching_ports.py) for this deployment's addresses."""

    public_url: str
    telegram_username: str = ""  # learned from Telegram at start
    whatsapp_number: str = ""  # the business number, digits only
    # False without PUBLIC_URL: a web turn's links use the page's own address (its Host).
    configured: bool = True

    def base(self) -> str:
        """Where this turn's links point: PUBLIC_URL, or the page's address, or the default."""
        return page_base(self.public_url, self.configured)

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
        apps = tuple(link for link in (telegram, whatsapp) if link)
        return JoinLinks(code, f"{self.base()}/c/{code}", apps)

    def resume_link(self, key: str) -> str:
        """The web page with the key in its fragment (never sent to the server): opening it
        resumes that conversation in another browser."""
        return f"{self.base()}/#reprendre={quote(key, safe='')}"

    def qr_png(self, url: str) -> bytes:
        """The QR code of a link, as a PNG."""
        return qr_png(url).getvalue()
