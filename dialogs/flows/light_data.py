"""Light data: lessons send text first and media only on request, with its size shown, within
a daily budget counted in the learner's own day (their country's time zone)."""

from __future__ import annotations

import math
from datetime import date

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming
from dialogs.flow import Flow
from dialogs.flows.common import menu_option, route
from dialogs.messages import Ask, Option, Out, Say, Show
from dialogs.when import zone_of

MEDIA = "media"  # the option that asks for a step's media; never a lesson's option id
KB, MB = 1024, 1024 * 1024


def size_text(ctx: Context, size: int) -> str:
    """A file size for people, in the learner's number format: "120 Ko", "1,2 Mo"."""
    if size < 1000 * KB:
        # Translators: a file size in kilobytes ("Ko" in French, "KB" in English).
        return ctx._("%(n)s Ko", n=ctx.t.number(max(1, math.ceil(size / KB))))
    # Translators: a file size in megabytes ("Mo" in French, "MB" in English).
    return ctx._("%(n)s Mo", n=ctx.t.number(size / MB, 1))


def offer(ctx: Context, kind: str, size: int) -> Option:
    """The option that sends a media file on request, with its size."""
    shown = size_text(ctx, size)
    if kind == "image":
        label = ctx._("🖼️ Image (%(size)s) - voir ?", size=shown)
    elif kind == "audio":
        label = ctx._("🔊 Audio (%(size)s) - écouter ?", size=shown)
    else:
        label = ctx._("📄 Document (%(size)s) - recevoir ?", size=shown)
    return Option(MEDIA, label)


async def is_light(ctx: Context) -> bool:
    """Whether this learner turned light data on."""
    return ctx.services.data_saver is not None and await ctx.services.data_saver.light()


def local_day(ctx: Context) -> date:
    """Today in the learner's time zone: the budget starts again at their midnight."""
    return ctx.now.astimezone(zone_of(ctx.profile.country)).date()


async def on_request(ctx: Context, show: Show, size: int) -> list[Out]:
    """The media a learner asked for, counted in the day's budget; or why not today."""
    saver = ctx.services.data_saver
    if saver is None:
        return [show]
    day = local_day(ctx)
    if saver.budget and await saver.spent(day) + size > saver.budget:
        text = ctx._(
            "📶 Budget de données du jour atteint (%(budget)s). Ce média sera disponible "
            "demain ; vous pouvez continuer sans lui. Pour tout recevoir, désactivez "
            "l'économie de données : /donnees_legeres",
            budget=size_text(ctx, saver.budget),
        )
        return [Say(text)]
    await saver.spend(day, size)
    return [show]


async def light_data(ctx: Context, event: Incoming) -> Turn:
    """Turn light data on or off (settings, or /donnees_legeres)."""
    saver = ctx.services.data_saver
    if saver is None:
        return Turn([Say(ctx._("Ce réglage n'est pas disponible ici."))], goto="menu")
    on = await saver.light()
    switch = Option("off", ctx._("Désactiver")) if on else Option("on", ctx._("Activer"))
    options = (switch, Option("settings", ctx._("⚙️ Langue et profil")), menu_option(ctx))
    if isinstance(event, Entered):
        return Turn([Ask(_explained(ctx, on, saver.budget), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "settings":
        return Turn(goto="settings")
    await saver.set_light(chosen == "on")
    if chosen == "on":
        done = ctx._("📶 Économie de données activée : les médias viendront à votre demande.")
    else:
        done = ctx._("Économie de données désactivée : les leçons envoient tout.")
    return Turn([Say(done)], goto="menu")


def _explained(ctx: Context, on: bool, budget: int) -> str:
    """What the setting does, whether it is on, and the day's budget."""
    if on:
        text = ctx._("📶 L'économie de données est activée.") + "\n\n"
    else:
        text = ctx._("📶 L'économie de données est désactivée.") + "\n\n"
    text += ctx._(
        "Les leçons envoient d'abord le texte. Les images, les sons et les documents "
        "viennent seulement si vous les demandez, avec leur taille."
    )
    if budget:
        text += " " + ctx._("Au plus %(budget)s de médias par jour.", budget=size_text(ctx, budget))
    return text


async def light_data_command(ctx: Context, event: Incoming) -> Turn:
    """/donnees_legeres: the light data setting, from anywhere."""
    if not ctx.profile.complete:
        return Turn(goto="welcome")
    return Turn(goto="light_data")


STEPS: dict[str, Step] = {"light_data": light_data}
COMMANDS: dict[str, Step] = {
    "donnees_legeres": light_data_command,
    "lightdata": light_data_command,
}
FLOW = Flow("light_data", STEPS, COMMANDS, services=("data_saver",))
