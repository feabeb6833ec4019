"""What paid announcements cost, in words: each channel's paid unit named as it is billed
(SMS by the part, WhatsApp by the template message sent outside its 24-hour window)."""

from __future__ import annotations

from dialogs.context import Context


def paid_cost(ctx: Context, sms_parts: int, templates: int) -> str:
    """ "12 SMS facturés, 40 messages WhatsApp payants": only the units that were paid."""
    pieces = []
    if sms_parts:
        pieces.append(ctx.ngettext("%(n)s SMS facturé", "%(n)s SMS facturés", sms_parts))
    if templates:
        pieces.append(
            ctx.ngettext(
                "%(n)s message WhatsApp payant", "%(n)s messages WhatsApp payants", templates
            )
        )
    return ", ".join(pieces)
