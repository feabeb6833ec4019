"""The channels' registry: what each channel can do (dialogs/capabilities.py).

The one place outside a channel's own folder where channel names meet abilities: everything
else asks `capabilities(name)` (issue 18 makes each channel declare its own).
"""

from __future__ import annotations

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
    max_text=4096,
    address_is_phone=True,
    costs_per_message=True,
)
# The web chat: it cannot write first yet (issue 16 gives it an inbox: pushed to an open tab,
# or waiting for the learner's next visit, in order).
WEB = Capabilities(
    can_send_files=True,
    inline_images=True,
    can_receive_files=True,
    buttons=20,
    max_text=4096,
    address_is_key=True,
)

REGISTRY: dict[str, Capabilities] = {"telegram": TELEGRAM, "whatsapp": WHATSAPP, "web": WEB}


def capabilities(channel: str) -> Capabilities:
    """What a channel can do; an unknown one is the plainest text channel."""
    return REGISTRY.get(channel, TEXT_ONLY)


def pushing() -> tuple[str, ...]:
    """The channels the bot can write to first."""
    return tuple(name for name, caps in REGISTRY.items() if caps.can_push)
