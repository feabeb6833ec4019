"""The channels' registry: what each channel can do (dialogs/capabilities.py).

The one place outside a channel's own folder where channel names meet abilities: everything
else asks `capabilities(name)` (issue 18 makes each channel declare its own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from dialogs.capabilities import TEXT_ONLY, Capabilities

TELEGRAM = Capabilities(
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
)
WHATSAPP = Capabilities(
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
)
# The web chat writes first through its inbox (bot/web/push.py): pushed to an open tab, or
# waiting, in order, for the learner's next visit (no notification on a closed page).
WEB = Capabilities(
    can_push=True,
    can_send_files=True,
    inline_images=True,
    can_receive_files=True,
    buttons=20,
    tick_boxes=True,
    max_text=4096,
    address_is_key=True,
)

REGISTRY: dict[str, Capabilities] = {"telegram": TELEGRAM, "whatsapp": WHATSAPP, "web": WEB}


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
    return tuple(name for name, caps in REGISTRY.items() if caps.can_push)
