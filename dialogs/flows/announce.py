"""Composing an announcement in the chat: text and language variants, audience, preview,
then send now or later. The draft is the flow's own state (`Announcement`), so an
interrupted admin finds it where they left it; it is dropped once they leave the flow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from content.model import LOWER_SECONDARY_LEVELS, PRIMARY_LEVELS, UPPER_SECONDARY_LEVELS

from dialogs.admin_ports import Attachment, Audience, BroadcastDraft, Reach
from dialogs.context import Context, Step, Turn
from dialogs.engine import MAX_TEXT
from dialogs.events import Entered, Incoming, MediaReceived, TextReceived
from dialogs.flow import Flow, FlowState, fresh, state_of
from dialogs.flows.admin import admin_back, admins_only, desk, refused
from dialogs.flows.common import route, unexpected
from dialogs.flows.onboarding import COUNTRIES
from dialogs.messages import Ask, Option, Say
from dialogs.roles import Action, countries_of, may
from dialogs.when import parse_when, zone_of

MAX_DELAY = timedelta(days=60)  # how far ahead an announcement may be scheduled
MAX_ANNOUNCEMENT = MAX_TEXT  # characters: fits one Telegram or WhatsApp message, with a footer
VARIANTS = {"en": "English", "ar": "العربية"}  # when the context lists no languages (tests)
ATTACHABLE = ("photo", "document")
MAX_CLASSES = 20  # class codes in one announcement
LEVEL_GROUPS = {
    "primary": PRIMARY_LEVELS,
    "lower": LOWER_SECONDARY_LEVELS,
    "upper": UPPER_SECONDARY_LEVELS,
}


@dataclass
class Announcement(FlowState, flow="announce"):
    """The announcement being composed: its texts by language, the language being written
    (`variant`), the one sent to the languages without a text (`fallback`), its attachment
    (an `Attachment` as a dict), and its audience: countries, roles, levels, interface
    language ("all": everyone), classes (ids), and days of recent activity (0: everyone)."""

    texts: dict[str, str] = field(default_factory=dict)
    variant: str = "en"
    fallback: str | None = None
    attachment: dict[str, Any] | None = None
    countries: list[str] = field(default_factory=list)
    roles: str = "all"
    levels: str = "all"
    languages: str = "all"
    classes: list[int] = field(default_factory=list)
    active: int = 0
    legacy = {  # noqa: RUF012
        name: f"ann.{name}"
        for name in (
            "texts",
            "variant",
            "fallback",
            "attachment",
            "countries",
            "roles",
            "levels",
            "languages",
            "classes",
            "active",
        )
    }


def draft(ctx: Context) -> Announcement:
    """The announcement being composed."""
    return state_of(ctx, Announcement)


def new_draft(ctx: Context) -> Announcement:
    """An empty announcement; a draft an older release kept untyped is dropped with it."""
    state_of(ctx, Announcement)  # reads (and so removes) what an older release kept
    return fresh(ctx, Announcement)


async def ann_text(ctx: Context, event: Incoming) -> Turn:
    """The announcement in French (the text every learner without a variant gets)."""
    return await _ask_text(ctx, event, "fr", "ann_more")


async def ann_variant(ctx: Context, event: Incoming) -> Turn:
    """The announcement in another language."""
    return await _ask_text(ctx, event, str(draft(ctx).variant or "en"), "ann_more")


def _names(ctx: Context) -> dict[str, str]:
    """The interface languages an announcement can be written in, named in their own script."""
    if not ctx.languages:
        return {"fr": "Français", **VARIANTS}
    return {language.code: language.name for language in ctx.languages}


def fallback_of(texts: dict[str, str], chosen: object = None) -> str:
    """The language of the version sent to whoever has none in theirs: the admin's choice,
    else French when written, else the first written."""
    if isinstance(chosen, str) and chosen in texts:
        return chosen
    return "fr" if "fr" in texts or not texts else next(iter(texts))


async def _ask_text(ctx: Context, event: Incoming, lang: str, then: str) -> Turn:
    """Ask for the text in one language and keep it in the draft."""
    if not may(await desk(ctx).grants(), Action.BROADCAST, _scope(ctx, await desk(ctx).grants())):
        return refused(ctx, within_admin=True)
    options: tuple[Option, ...] = (admin_back(ctx),)
    if lang == "fr" and not draft(ctx).texts:  # the first text: French, or any language
        options = (Option("other", ctx._("🌐 Écrire dans une autre langue")), *options)
    if isinstance(event, Entered):
        name = {**_names(ctx), "fr": "français"}.get(lang, lang)
        text = ctx._("Écrivez l'annonce en %(language)s, en un seul message :", language=name)
        if lang == "fr":
            text += "\n" + ctx._(
                "(Vous pouvez d'abord envoyer une image ou un document à joindre.)"
            )
        return Turn([Ask(text, options, ctx.state.prompt)])
    if isinstance(event, MediaReceived) and lang == "fr" and event.kind in ATTACHABLE:
        if not event.file_id:
            return unexpected(ctx, event)
        draft(ctx).attachment = Attachment(
            "image" if event.kind == "photo" else "document",
            ctx.user.channel,
            event.file_id,
            event.filename,
            event.mime,
            event.size,
        ).as_dict()
        note = ctx._("Pièce jointe reçue. Écrivez maintenant le texte de l'annonce.")
        return Turn([Say(note)], reprompt=True)
    if isinstance(event, TextReceived) and not event.text.startswith("/"):
        text = event.text.strip()
        length = event.cut_from or len(text)
        if length > MAX_ANNOUNCEMENT:
            too_long = ctx._(
                "C'est trop long (%(n)s caractères, %(max)s au plus). "
                "Raccourcissez, s'il vous plaît.",
                n=ctx.t.number(length),
                max=ctx.t.number(MAX_ANNOUNCEMENT),
            )
            return Turn([Say(too_long)], reprompt=True)
        if text:
            draft(ctx).texts[lang] = text
            return Turn(goto=then)
    chosen = route(ctx, event, options)
    if chosen == "other":
        return Turn(goto="ann_more")
    return chosen if isinstance(chosen, Turn) else Turn(goto="admin_menu")


def _scope(ctx: Context, grants: list[Any]) -> list[str] | None:
    """The countries a new announcement is for: chosen ones, else all the admin's own."""
    chosen = draft(ctx).countries
    if chosen:
        return list(chosen)
    scope = countries_of(grants)
    return None if scope is None else sorted(scope)


async def ann_more(ctx: Context, event: Incoming) -> Turn:
    """Add a version in another interface language, choose which version goes to the
    languages without one (the fallback), or go on to the audience."""
    texts = draft(ctx).texts
    names = _names(ctx)
    fallback = fallback_of(texts, draft(ctx).fallback)
    options = tuple(
        Option(f"v_{code}", ctx._("➕ Version %(language)s", language=name))
        for code, name in names.items()
        if code not in texts
    )
    if len(texts) > 1:  # tapping it passes to the next written language
        label = ctx._("↪️ Les autres langues : %(language)s", language=names.get(fallback, fallback))
        options += (Option("fallback", label),)
    options += (Option("next", ctx._("Continuer ▶️")), admin_back(ctx))
    if isinstance(event, Entered):
        if not texts:
            text = ctx._("Dans quelle langue écrivez-vous l'annonce ?")
        else:
            text = ctx._(
                "Chacun recevra l'annonce dans sa langue si vous l'écrivez, sinon en %(language)s.",
                language=names.get(fallback, fallback),
            )
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen.startswith("v_"):
        draft(ctx).variant = chosen[2:]
        return Turn(goto="ann_variant")
    if chosen == "fallback":
        written = list(texts)
        draft(ctx).fallback = written[(written.index(fallback) + 1) % len(written)]
        return Turn(goto="ann_more")
    if chosen == "next" and not texts:
        return Turn([Say(ctx._("Écrivez d'abord l'annonce dans une langue."))], reprompt=True)
    return Turn(goto="ann_countries" if chosen == "next" else "admin_menu")


async def ann_countries(ctx: Context, event: Incoming) -> Turn:
    """Tick the countries (a national admin's own country is the only one offered)."""
    scope = countries_of(await desk(ctx).grants())
    offered = COUNTRIES if scope is None else tuple(c for c in COUNTRIES if c in scope)
    ticked = draft(ctx).countries
    if len(offered) == 1:
        draft(ctx).countries = list(offered)
        return Turn(goto="ann_roles")
    options = tuple(
        Option(code, ("✅ " if code in ticked else "⬜ ") + ctx.t.country_name(code))
        for code in offered
    ) + (Option("all", ctx._("Tous les pays")), Option("done", ctx._("Valider ▶️")))
    if isinstance(event, Entered):
        text = ctx._("Quels pays ? Touchez pour cocher, puis « Valider ».")
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "all":
        draft(ctx).countries = list(offered)
        return Turn(goto="ann_roles")
    if chosen == "done":
        if not ticked:
            return Turn([Say(ctx._("Cochez au moins un pays."))], reprompt=True)
        return Turn(goto="ann_roles")
    if chosen in ticked:
        ticked.remove(chosen)
    else:
        ticked.append(chosen)
    return Turn(goto="ann_countries")


async def ann_roles(ctx: Context, event: Incoming) -> Turn:
    """Students, teachers, or both."""
    options = (
        Option("all", ctx._("Élèves et enseignants")),
        Option("student", ctx._("Les élèves")),
        Option("teacher", ctx._("Les enseignants")),
    )
    return await _pick(ctx, event, options, ctx._("Pour qui ?"), "roles", "ann_levels")


async def ann_levels(ctx: Context, event: Incoming) -> Turn:
    """All classes, or primary, lower or upper secondary."""
    options = (
        Option("all", ctx._("Toutes les classes")),
        Option("primary", ctx._("Primaire (CP à CM2)")),
        Option("lower", ctx._("Collège (6e à 3e)")),
        Option("upper", ctx._("Lycée (2nde à Terminale)")),
    )
    return await _pick(ctx, event, options, ctx._("Quelles classes ?"), "levels", "ann_languages")


async def ann_languages(ctx: Context, event: Incoming) -> Turn:
    """Everyone, or the people who chose one interface language."""
    options = (Option("all", ctx._("Toutes les langues")),) + tuple(
        Option(language.code, language.name) for language in ctx.languages
    )
    question = ctx._("Quelle langue d'interface ?")
    return await _pick(ctx, event, options, question, "languages", "ann_classes")


async def ann_classes(ctx: Context, event: Incoming) -> Turn:
    """Everyone chosen so far, or only the students of some classes (typed by their codes)."""
    options = (Option("all", ctx._("Pas de classe précise")),)
    if isinstance(event, Entered):
        text = ctx._(
            "Seulement certaines classes ? Écrivez leurs codes (séparés par des espaces), "
            "ou touchez « Pas de classe précise »."
        )
        return Turn([Ask(text, options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        return await _classes_typed(ctx, event.text.split())
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    draft(ctx).classes = []
    return Turn(goto="ann_active")


async def _classes_typed(ctx: Context, codes: list[str]) -> Turn:
    """Resolve class codes; every class must be known (its students are then the audience)."""
    if ctx.services.teaching is None:
        return Turn(goto="ann_active")
    found = []
    for code in codes[:MAX_CLASSES]:
        room = await ctx.services.teaching.find_class(code)
        if room is None:
            unknown = ctx._("Je ne trouve pas la classe %(code)s.", code=code.upper())
            return Turn([Say(unknown)], reprompt=True)
        found.append(room.id)
    draft(ctx).classes = found
    return Turn(goto="ann_active")


async def ann_active(ctx: Context, event: Incoming) -> Turn:
    """Everyone, or only people seen recently."""
    options = (
        Option("0", ctx._("Tout le monde")),
        Option("7", ctx._("Actifs ces 7 derniers jours")),
        Option("30", ctx._("Actifs ces 30 derniers jours")),
    )
    return await _pick(ctx, event, options, ctx._("Quelle activité ?"), "active", "ann_preview")


async def _pick(
    ctx: Context, event: Incoming, options: tuple[Option, ...], question: str, key: str, then: str
) -> Turn:
    """One audience question: keep the choice in the draft and go on."""
    if isinstance(event, Entered):
        return Turn([Ask(question, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    setattr(draft(ctx), key, int(chosen) if key == "active" else chosen)
    return Turn(goto=then)


def audience_of(data: Announcement) -> Audience:
    """The audience the draft describes."""
    roles = () if data.roles == "all" else (str(data.roles),)
    levels = LEVEL_GROUPS.get(str(data.levels), ())
    languages = () if data.languages == "all" else (str(data.languages),)
    return Audience(
        fallback=fallback_of(dict(data.texts), data.fallback),
        countries=tuple(data.countries),
        roles=roles,
        levels=tuple(levels),
        languages=languages,
        active_days=int(data.active),
        class_ids=tuple(int(i) for i in data.classes),
    )


async def ann_preview(ctx: Context, event: Incoming) -> Turn:
    """Show the announcement and its audience per channel; send now, later, or start over."""
    data = draft(ctx)
    audience = audience_of(data)
    grants = await desk(ctx).grants()
    if not may(grants, Action.BROADCAST, audience.countries or None):
        return refused(ctx, within_admin=True)
    counts = await desk(ctx).count_audience(audience)
    waiting = await desk(ctx).count_waiting(audience)
    reached = sum(reach.people for reach in counts if reach.caps.can_push)
    sending = (
        Option("now", ctx._("✅ Envoyer maintenant")),
        Option("1", ctx._("🕒 Dans 1 heure")),
        Option("24", ctx._("🕒 Demain à la même heure")),
        Option("when", ctx._("🗓️ Choisir le jour et l'heure")),
    )
    options = (*(sending if reached else ()), Option("restart", ctx._("✏️ Recommencer")))
    options += (admin_back(ctx),)
    if isinstance(event, Entered):
        question = ctx._("On envoie ?") if reached else ctx._("Changez le public :")
        shown = _preview(ctx, data, counts, waiting)
        return Turn([*shown, Ask(question, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen in ("restart", "admin"):
        fresh(ctx, Announcement)
        return Turn(goto="ann_text" if chosen == "restart" else "admin_menu")
    if chosen == "when":
        return Turn(goto="ann_when")
    later = None if chosen == "now" else ctx.now + timedelta(hours=int(chosen))
    return await _create(ctx, audience, later)


async def _create(ctx: Context, audience: Audience, later: datetime | None) -> Turn:
    """Store the announcement (queued now, or scheduled) and say so."""
    data = draft(ctx)
    attached = data.attachment
    attachment = Attachment(**attached) if attached else None
    sent = BroadcastDraft(dict(data.texts), audience, attachment, scheduled_at=later)
    _, total = await desk(ctx).create_broadcast(sent)
    fresh(ctx, Announcement)
    return Turn([Say(_confirmation(ctx, total, later))], goto="admin_menu")


async def ann_when(ctx: Context, event: Incoming) -> Turn:
    """A day and time typed by the admin, in their country's time zone, within 60 days."""
    audience = audience_of(draft(ctx))
    if not may(await desk(ctx).grants(), Action.BROADCAST, audience.countries or None):
        return refused(ctx, within_admin=True)
    options = (Option("back", ctx._("⬅️ Retour à l'aperçu")),)
    zone = zone_of(ctx.profile.country)
    if isinstance(event, Entered):
        text = ctx._(
            "Quand l'envoyer ? Écrivez le jour et l'heure, par exemple « 01/12 08:00 » ou "
            "« demain 8h » (heure de %(zone)s).",
            zone=_city(zone.key),
        )
        return Turn([Ask(text, options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/"):
        moment = parse_when(event.text, ctx.now, zone)
        if moment is None or not ctx.now < moment <= ctx.now + MAX_DELAY:
            again = ctx._(
                "Je n'ai pas compris cette date, ou elle n'est pas dans les 60 prochains jours."
            )
            return Turn([Say(again)], reprompt=True)
        return await _create(ctx, audience, moment.astimezone(UTC))
    chosen = route(ctx, event, options)
    return chosen if isinstance(chosen, Turn) else Turn(goto="ann_preview")


def _city(zone_key: str) -> str:
    """ "Africa/Ndjamena" -> "Ndjamena"."""
    return zone_key.rsplit("/", 1)[-1].replace("_", " ")


def _preview(ctx: Context, data: Announcement, counts: list[Reach], waiting: int = 0) -> list[Say]:
    """The texts as they will read, how many people they reach, and who gets less: what
    their channel cannot carry or cannot do is said before sending."""
    texts = data.texts
    fallback = fallback_of(texts, data.fallback)
    names = _names(ctx)
    shown = [Say(ctx._("Aperçu :") + "\n\n" + texts[fallback])]
    attached = data.attachment
    if attached:
        kind = ctx._("image") if attached["kind"] == "image" else ctx._("document")
        shown.append(
            Say(
                ctx._(
                    "📎 Avec une pièce jointe : %(kind)s %(name)s",
                    kind=kind,
                    name=attached.get("filename", ""),
                )
            )
        )
    for code, text in texts.items():
        if code != fallback:
            shown.append(Say(f"[{names.get(code, code)}]\n\n{text}"))
    pushed = [reach for reach in counts if reach.caps.can_push]
    total = sum(reach.people for reach in pushed)
    missed = sum(reach.people for reach in counts if not reach.caps.can_push)
    if not total:
        shown.append(
            Say(ctx._("⚠️ Personne ne recevra cette annonce : personne ne correspond à ce public."))
        )
    if missed:
        shown.append(Say(_missed(ctx, missed)))
    if not total:
        return shown
    no_files = sum(reach.people for reach in pushed if not reach.caps.can_send_files)
    if attached and no_files:
        shown.append(Say(_no_files(ctx, no_files)))
    later = sum(reach.people for reach in pushed if not reach.caps.pushes_live)
    if later:
        shown.append(Say(_later(ctx, later)))
    if waiting:
        shown.append(Say(_waiting(ctx, waiting)))
    reach = ctx.ngettext(
        "Cette annonce touchera %(n)s personne.",
        "Cette annonce touchera %(n)s personnes.",
        total,
    )
    shown.append(Say(reach))
    return shown


def _missed(ctx: Context, missed: int) -> str:
    """Why some people of the audience will not get the announcement."""
    return ctx.ngettext(
        "%(n)s personne correspond, mais ne la recevra pas : l'application où elle nous parle "
        "ne peut pas écrire en premier.",
        "%(n)s personnes correspondent, mais ne la recevront pas : l'application où elles nous "
        "parlent ne peut pas écrire en premier.",
        missed,
    )


def _no_files(ctx: Context, people: int) -> str:
    """Who will get the text without the attachment (their channel carries no files)."""
    return ctx.ngettext(
        "📎 %(n)s personne recevra le texte sans la pièce jointe : l'application où elle nous "
        "parle ne transmet pas de fichiers.",
        "📎 %(n)s personnes recevront le texte sans la pièce jointe : l'application où elles "
        "nous parlent ne transmet pas de fichiers.",
        people,
    )


def _later(ctx: Context, people: int) -> str:
    """Who will read the announcement only when they next open the chat."""
    return ctx.ngettext(
        "%(n)s personne la lira en ouvrant le chat : sa page est peut-être fermée, et rien "
        "ne l'en avertit avant.",
        "%(n)s personnes la liront en ouvrant le chat : leur page est peut-être fermée, et "
        "rien ne les en avertit avant.",
        people,
    )


def _waiting(ctx: Context, waiting: int) -> str:
    """Why some people may get the announcement late (a 24-hour window for free messages)."""
    return ctx.ngettext(
        "%(n)s personne n'a pas écrit depuis 24 heures : son application ne nous laisse lui "
        "envoyer qu'un modèle de message approuvé ; sans modèle configuré, l'annonce attendra "
        "son prochain message.",
        "%(n)s personnes n'ont pas écrit depuis 24 heures : leur application ne nous laisse "
        "leur envoyer qu'un modèle de message approuvé ; sans modèle configuré, l'annonce "
        "attendra leur prochain message.",
        waiting,
    )


def _confirmation(ctx: Context, total: int, later: datetime | None) -> str:
    """What the admin reads once the announcement is queued or scheduled (no number: the
    storage's ids count every message sent to many, not this admin's announcements)."""
    if later is not None:
        local = later.astimezone(zone_of(ctx.profile.country))
        return ctx._(
            "Annonce programmée pour le %(date)s à %(time)s. Suivez-la dans « Annonces envoyées ».",
            date=ctx.t.date(local),
            time=local.strftime("%H:%M"),
        )
    return ctx.ngettext(
        "Annonce envoyée : %(n)s message part maintenant. Suivez-la dans « Annonces envoyées ».",
        "Annonce envoyée : %(n)s messages partent maintenant. Suivez-la dans « Annonces "
        "envoyées ».",
        total,
    )


STEPS: dict[str, Step] = {
    name: admins_only(step)
    for name, step in {
        "ann_text": ann_text,
        "ann_variant": ann_variant,
        "ann_more": ann_more,
        "ann_countries": ann_countries,
        "ann_roles": ann_roles,
        "ann_levels": ann_levels,
        "ann_languages": ann_languages,
        "ann_classes": ann_classes,
        "ann_active": ann_active,
        "ann_preview": ann_preview,
        "ann_when": ann_when,
    }.items()
}
FLOW = Flow("announce", STEPS, services=("admin", "teaching"), state=Announcement)
