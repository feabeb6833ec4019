"""A Telegram group (or forum topic) linked to a circle: an admin or a moderator links it
with /lier_cercle <number or name> and unlinks it with /delier_cercle; then what its members
write is posted to the circle (through the moderation filter), signed with the writer's
name and "(groupe Telegram)". The bot answers in a group only to these two commands and to
a refused post: never to the group's own chatter."""

from __future__ import annotations

from dialogs.admin_ports import Attachment
from dialogs.circle_ports import CircleInfo, GroupDesk
from dialogs.context import Context, Turn
from dialogs.events import GroupPosted
from dialogs.flows import circle_texts as says
from dialogs.flows import moderation
from dialogs.flows.circles import ATTACHABLE, MAX_TEXT, desk
from dialogs.messages import Say
from dialogs.roles import may_create_circle
from dialogs.services import need

LINK, UNLINK = "lier_cercle", "delier_cercle"
GROUP_ROLE = "group"  # the profile role of a group: never a student, never in announcements


def group_command(text: str) -> tuple[str, str] | None:
    """ "/lier_cercle@Bot 12" -> ("lier_cercle", "12"); None for anything else."""
    if not text.startswith("/"):
        return None
    word, _, rest = text[1:].partition(" ")
    name = word.split("@", 1)[0].casefold()
    return (name, rest.strip()) if name in (LINK, UNLINK) else None


def groups(ctx: Context) -> GroupDesk:
    """The group desk; group turns always have it."""
    return need(ctx.services.groups, "groups", "group turns")


async def group_turn(ctx: Context, event: GroupPosted) -> Turn:
    """A message in a group: one of our two commands, or a post for the linked circle."""
    command = group_command(event.text) if event.kind == "text" else None
    if command is not None:
        if not may_create_circle(await groups(ctx).person_grants(event.sender_id)):
            text = ctx._(
                "Seuls les administrateurs et les modérateurs relient un groupe à un cercle."
            )
            return Turn([Say(text)])
        name, handle = command
        return await (link_group(ctx, handle) if name == LINK else unlink_group(ctx))
    circle = await groups(ctx).linked()
    if circle is None or event.text.startswith("/"):
        return Turn()
    return await _relay(ctx, event, circle)


async def link_group(ctx: Context, handle: str) -> Turn:
    """/lier_cercle <number or name>: the group becomes a member of that circle."""
    if not handle:
        text = ctx._("Indiquez le numéro du cercle, par exemple : /lier_cercle 12")
        return Turn([Say(text)])
    circle = await groups(ctx).find_circle(handle)
    if circle is None:
        return Turn([Say(ctx._("Aucun cercle ne porte ce numéro ou ce nom."))])
    await groups(ctx).link(circle.id)
    ctx.profile.role = GROUP_ROLE
    ctx.profile.consented_at = ctx.profile.consented_at or ctx.now
    text = ctx._(
        "Ce groupe est relié au cercle « %(name)s » : ses messages arriveront ici, et vos "
        "messages seront transmis aux autres membres du cercle.",
        name=circle.name,
    )
    return Turn([Say(text)])


async def unlink_group(ctx: Context) -> Turn:
    """/delier_cercle: the group leaves its circle."""
    circle = await groups(ctx).unlink()
    if circle is None:
        return Turn([Say(ctx._("Ce groupe n'est relié à aucun cercle."))])
    text = ctx._("Ce groupe n'est plus relié au cercle « %(name)s ».", name=circle.name)
    return Turn([Say(text)])


async def _relay(ctx: Context, event: GroupPosted, circle: CircleInfo) -> Turn:
    """Post the group message to the circle, signed with its writer's name."""
    text = event.text.strip()[:MAX_TEXT]
    attachment = None
    if event.kind in ATTACHABLE and event.file_id:
        kind = ATTACHABLE[event.kind]
        attachment = Attachment(kind, event.user.channel, event.file_id, event.filename, event.mime)
        text = text or f"📎 {event.filename or event.kind}"
    if not text:
        return Turn()  # a sticker, a poll, a service message: not for the circle
    refused = await moderation.screened(ctx, circle, (text, attachment, None))
    if refused is not None:
        return Turn(refused.messages)

    def signed(c: Context) -> str:
        """The relayed message in one language."""
        return c._("👤 %(name)s (groupe Telegram) :", name=event.sender_name) + "\n" + text

    posted = await desk(ctx).post(circle.id, text, says.in_every_language(ctx, signed), attachment)
    if posted.digest:
        posts = await desk(ctx).digest_posts(circle.id)
        texts = says.in_every_language(ctx, lambda c: says.digest(c, circle.name, posts))
        await desk(ctx).schedule_digest(circle.id, posted.digest, texts)
    return Turn()
