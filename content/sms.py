"""How long a text is as SMS: GSM-7 when every character is in its alphabet (160 characters
in one message, 153 per part of a longer one), else UCS-2 (70, then 67 per part).

`content check` warns when a short form (`sms:`) takes more than two messages.
"""

from __future__ import annotations

from content.model import Course

# The GSM 03.38 default alphabet, and its extension table (each of those counts twice).
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
TWO_SMS_GSM7 = 2 * 153  # 306 characters
TWO_SMS_UCS2 = 2 * 67  # 134 characters


def is_gsm7(text: str) -> bool:
    """Whether the text can go in GSM-7 (else it goes in UCS-2: fewer characters a message)."""
    return all(c in GSM7 or c in GSM7_EXTENDED for c in text)


def length(text: str) -> int:
    """Its length as the network counts it: GSM-7 septets, or UCS-2 code units."""
    if is_gsm7(text):
        return sum(2 if c in GSM7_EXTENDED else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def two_sms_limit(text: str) -> int:
    """The most a text in its encoding can hold in two messages."""
    return TWO_SMS_GSM7 if is_gsm7(text) else TWO_SMS_UCS2


def fits_two_sms(text: str) -> bool:
    """Whether the text goes in one or two SMS."""
    return length(text) <= two_sms_limit(text)


def long_short_forms(course: Course) -> list[tuple[int, int, int]]:
    """The short forms of a course that take more than two SMS: their line, their length and
    the limit of their encoding, in the file's order."""
    found = []
    for lesson in course.lessons:
        shorts = [(step.short, step.short_line) for step in lesson.steps]
        if lesson.quiz is not None:
            shorts += [(q.short, q.short_line) for q in lesson.quiz.questions]
        for text, line in shorts:
            if text and not fits_two_sms(text):
                found.append((line, length(text), two_sms_limit(text)))
    return sorted(found)
