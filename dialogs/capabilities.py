"""What a channel can do, as dialogs see it: they ask these, never a channel's name.

Each channel declares its capabilities once (bot/channels.py, the registry); a conversation's
context carries those of the person's channel (`ctx.caps`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Capabilities:
    """One channel's abilities; the defaults are those of the plainest text channel."""

    # The channel's name as admins read it in figures ("WhatsApp", "SMS"): a product's name,
    # the same in every language (empty: the plainest text channel, unnamed).
    label: str = ""

    # The bot can write first, later (a teacher's answer, a reminder, an announcement), and
    # the person gets it (live, or waiting for them the next time they open the channel).
    can_push: bool = False
    # Whether what is pushed reaches the person's device now (a phone notification) rather
    # than when they next open the page: a reminder "at 18:00" is only worth it then.
    pushes_live: bool = False
    can_send_files: bool = False  # documents (PDF booklets, certificates, exports)
    inline_images: bool = False  # images are shown in the conversation, not as a link
    can_receive_files: bool = False  # the person can send photos, voice notes, documents
    can_delete: bool = False  # a message already sent can be taken back
    buttons: int = 0  # how many tappable options one message can carry (0: none)
    button_label: int = 0  # the longest label a button shows whole (0: no limit of its own)
    list_menus: bool = False  # a list of up to ten rows behind one button
    list_label: int = 0  # the longest label a list's row shows whole (0: any)
    list_title: int = 0  # a row's title: labels cut to it must still differ (0: not cut)
    tick_boxes: bool = False  # several options ticked, then sent at once
    native_quiz: bool = False  # a native quiz poll (a tap is a vote)
    poll_options: int = 0  # the most options a native poll carries (2 at least)
    poll_label: int = 0  # the longest option a native poll takes
    poll_question: int = 0  # the longest question a native poll takes
    max_text: int = 4096  # the longest text one message can carry
    # Long replies are shown in screens of `max_text` the person turns ("0 Suite", USSD):
    # nothing is cut, but a short form (`sms:`) is used where the whole needs several.
    paged: bool = False
    # Commands are typed without their slash ("PROGRES" for /progres) and shown so: phones
    # where "/" is hard to type or means something else (bot/words.py).
    slashless_commands: bool = False
    address_is_phone: bool = False  # the channel's id of the person is their phone number
    # The channel's id of the person is made up by their device and opens their conversation:
    # a key to keep, not a name to give (the web chat).
    address_is_key: bool = False
    costs_per_message: bool = False  # each message the bot sends is paid for
    # Writes to a phone number whose chat app no longer reaches it, when the learner said
    # yes (SMS: bot/fallbacks.py).
    takes_over_phones: bool = False
    # Hours after the person's last message during which the bot may write freely (0: no
    # such window); outside it, what is not urgent waits for a digest.
    reply_window_hours: int = 0
    groups: bool = False  # the bot can sit in group chats (a circle's linked group)
    image_bytes: int = 0  # the largest image the bot can send (0: none)
    document_bytes: int = 0  # the largest document the bot can send (0: none)


TEXT_ONLY = Capabilities()


def fitting(caps: Capabilities, text: str, short: str, before: str = "") -> str:
    """`before` and the text, or its short form (`sms:` in the course) where they would not
    fit in one of the channel's messages: a small screen gets the short form, not a cut."""
    whole = "\n\n".join(part for part in (before, text) if part)
    if not short or len(whole) <= caps.max_text:
        return whole
    return "\n\n".join(part for part in (before, short) if part)
