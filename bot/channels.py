"""The channels' registry: where a channel is listed (its name, what it can do, whether the
settings enable it, how it is built), and what each can do (dialogs/capabilities.py).

The one place outside a channel's own folder where channel names meet abilities: everything
else asks `capabilities(name)`, and `BotApp` (bot/app.py) builds the enabled channels of
`LISTED` and iterates over them (bot/channel.py). Adding a channel: docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from dialogs.capabilities import TEXT_ONLY, Capabilities

MB = 1024 * 1024

if TYPE_CHECKING:
    from bot.channel import Channel, ChannelContext
    from bot.config import Settings

TELEGRAM = Capabilities(
    label="Telegram",
    can_push=True,
    pushes_live=True,
    can_send_files=True,
    inline_images=True,
    can_receive_files=True,
    can_delete=True,
    buttons=100,
    native_quiz=True,
    poll_options=10,
    poll_label=100,
    poll_question=300,
    max_text=4096,
    groups=True,
    image_bytes=10 * MB,  # sendPhoto by upload
    document_bytes=50 * MB,  # any bot upload
)
WHATSAPP = Capabilities(
    label="WhatsApp",
    can_push=True,
    pushes_live=True,
    can_send_files=True,
    inline_images=True,
    can_receive_files=True,
    buttons=3,
    button_label=20,  # a reply button's title (bot/whatsapp/render.py: BUTTON_TITLE)
    list_menus=True,
    list_label=72,  # a row's title (24), then its description
    list_title=24,
    max_text=4096,
    address_is_phone=True,
    costs_per_message=True,
    reply_window_hours=24,  # the customer service window: free-form messages within it
    image_bytes=5 * MB,
    document_bytes=100 * MB,
)
# The web chat writes first through its inbox (bot/web/push.py): pushed to an open tab, or
# waiting, in order, for the learner's next visit (no notification on a closed page).
WEB = Capabilities(
    label="Web",
    can_push=True,
    can_send_files=True,
    inline_images=True,
    can_receive_files=True,
    buttons=20,
    tick_boxes=True,
    max_text=4096,
    address_is_key=True,
    image_bytes=10 * MB,  # served by the web chat itself (bot/web/push.py)
    document_bytes=50 * MB,
)
# SMS through Kannel (bot/sms/): numbered options answered by digit or word, each message paid
# for; a text up to two concatenated SMS (2 x 153 GSM-7 characters), longer ones split, a
# step's `sms:` short form used where the whole would not fit.
SMS = Capabilities(
    label="SMS",
    can_push=True,
    pushes_live=True,
    max_text=306,
    slashless_commands=True,
    address_is_phone=True,
    costs_per_message=True,
    takes_over_phones=True,
)

# USSD (bot/ussd/): screens of 160 characters in a session the person's phone holds open;
# the bot answers each callback and can write nothing first, send no file, show no button.
USSD = Capabilities(
    label="USSD", max_text=160, paged=True, slashless_commands=True, address_is_phone=True
)


@dataclass(frozen=True)
class Listing:
    """A channel as the registry lists it."""

    capabilities: Capabilities
    enabled: Callable[[Settings], bool]  # whether the settings turn it on
    build: Callable[[ChannelContext], Channel]  # made at start, from the process's parts


# The services are imported when built: their modules import this registry.
def _telegram(ctx: ChannelContext) -> Channel:
    from bot.telegram.service import TelegramService

    service = TelegramService(
        ctx.settings, ctx.conversations, ctx.store, ctx.supervisor, files=ctx.files, links=ctx.links
    )
    service.primary = ctx.primary
    return service


def _whatsapp(ctx: ChannelContext) -> Channel:
    from bot.whatsapp.service import WhatsAppService

    return WhatsAppService(
        ctx.settings,
        ctx.conversations,
        ctx.store,
        ctx.i18n,
        supervisor=ctx.supervisor,
        files=ctx.files,
    )


def _web(ctx: ChannelContext) -> Channel:
    from bot.connections import web_limits
    from bot.dead_letters import Budget, Parking
    from bot.web.chat import WebChat

    chat = WebChat(ctx.conversations, web_limits(ctx.settings))
    chat.announcement_files = ctx.files
    chat.spawn = ctx.supervisor.run
    chat.parking = Parking(ctx.store, Budget.of(ctx.settings))  # frames' budget and attempts
    return chat


def _sms(ctx: ChannelContext) -> Channel:
    from bot.sms.service import SmsService

    return SmsService(ctx.settings, ctx.conversations, ctx.store, ctx.i18n)


def _ussd(ctx: ChannelContext) -> Channel:
    from bot.ussd.service import UssdService

    return UssdService(ctx.settings, ctx.conversations, ctx.store, ctx.i18n, ctx.supervisor)


LISTED: dict[str, Listing] = {
    "telegram": Listing(TELEGRAM, lambda s: bool(s.telegram_bot_token), _telegram),
    "whatsapp": Listing(WHATSAPP, lambda s: s.whatsapp_enabled, _whatsapp),
    "web": Listing(WEB, lambda s: True, _web),  # the page the bot's links open: always served
    "sms": Listing(SMS, lambda s: s.sms_enabled, _sms),
    "ussd": Listing(USSD, lambda s: bool(s.ussd_secret), _ussd),
}
REGISTRY: dict[str, Capabilities] = {name: listed.capabilities for name, listed in LISTED.items()}
NAMES: tuple[str, ...] = tuple(LISTED)  # every channel, in the registry's order


def capabilities(channel: str) -> Capabilities:
    """What a channel can do; an unknown one is the plainest text channel."""
    return REGISTRY.get(channel, TEXT_ONLY)


def configured(native_polls: bool = True) -> Callable[[str], Capabilities]:
    """`capabilities` as the settings leave them: Telegram without polls when they are off."""
    if native_polls:
        return capabilities
    telegram = replace(TELEGRAM, native_quiz=False)
    return lambda channel: telegram if channel == "telegram" else capabilities(channel)


def pushing() -> tuple[str, ...]:
    """The channels the bot can write to first."""
    return having(lambda caps: caps.can_push)


def having(ability: Callable[[Capabilities], object]) -> tuple[str, ...]:
    """The channels with that ability (`having(lambda c: c.groups)`)."""
    return tuple(name for name, caps in REGISTRY.items() if ability(caps))


def shortest_label() -> int:
    """The longest button label every channel with a label limit shows whole (0: none)."""
    return min((c.button_label for c in REGISTRY.values() if c.button_label), default=0)


def longest_text() -> int:
    """The longest message every channel carries in one piece (paged channels, USSD, turn
    pages instead: their screen is no limit for a text)."""
    return min(c.max_text for c in REGISTRY.values() if not c.paged)


def sql_names(names: tuple[str, ...]) -> str:
    """Channel names as an SQL list, for `channel IN (...)` (the registry's own names only:
    never a person's input)."""
    assert all(name.isidentifier() for name in names)
    return ", ".join(f"'{name}'" for name in names) or "NULL"
