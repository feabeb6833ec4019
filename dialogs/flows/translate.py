"""Translators in the chat: "Traduire" (/traduire) for people given the translator role.

A translator of a language is shown the strings left to translate one at a time, the
most-seen first: the French source, the English, where it appears and its limit, what to
keep as written; they type the translation (one form per plural category of the language),
skip it, or flag the French as unclear. Each translation is checked at entry
(dialogs/translating.py) and then waits for a second translator of the language, who
accepts, edits or rejects it; nobody reviews their own. Only reviewed translations reach
learners.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming, OptionChosen, TextReceived
from dialogs.flow import Flow, FlowState, fresh, state_of
from dialogs.flows.common import menu_option, route
from dialogs.messages import Ask, Option, Say
from dialogs.options import strip_markers
from dialogs.roles import translated_languages
from dialogs.services import need
from dialogs.translating import described, examples_text, keep_list, limit_of, problems
from dialogs.translation_ports import (
    ACCEPTED,
    EDITED,
    REJECTED,
    PluralCategory,
    Progress,
    SourceString,
    TranslationDesk,
)

SKIPPED_KEPT = 200  # skipped strings remembered in one sitting (the oldest are offered again)


@dataclass
class Sitting(FlowState):
    """A translation sitting (of the interface's strings or of a course's texts): the
    language worked on ("" until chosen), the text shown, whether its translation is new or
    a reviewer's correction (of which proposal), the texts skipped, the proposal shown for
    review (its id and text) and those skipped."""

    lang: str = ""
    key: str | None = None
    mode: str = "new"  # "new" or "edit"
    proposal: int | None = None
    skip: list[str] = field(default_factory=list)
    shown: int | None = None
    shown_key: str | None = None
    rskip: list[int] = field(default_factory=list)


def kept_under(old: str, cls: type[FlowState]) -> dict[str, str]:
    """`legacy` of a sitting an older release kept under the untyped key `old`: each field
    under its own name there."""
    return {name: f"{old}.{name}" for name in cls.__dataclass_fields__}  # type: ignore[attr-defined]


@dataclass
class Translating(Sitting, flow="translate"):
    """A sitting of the interface's strings, and the plural forms typed so far."""

    forms: list[str] = field(default_factory=list)


Translating.legacy = kept_under("tr", Translating)


def desk(ctx: Context) -> TranslationDesk:
    """The translations port; every channel provides it."""
    return need(ctx.services.translations, "translations", "translation flows")


def _work(ctx: Context) -> Translating:
    """This sitting's working state (changed in place)."""
    return state_of(ctx, Translating)


async def _languages(ctx: Context) -> tuple[str, ...]:
    """The languages this person translates (none: not a translator)."""
    if ctx.services.admin is None or ctx.services.translations is None:
        return ()
    return translated_languages(await ctx.services.admin.grants())


def _refusal(ctx: Context) -> str:
    return ctx._("La traduction est réservée aux traducteurs : un administrateur donne ce rôle.")


def language_guard(
    languages: Callable[[Context], Awaitable[tuple[str, ...]]],
    sitting: type[Sitting],
    refusal: Callable[[Context], str],
) -> Callable[[Step], Step]:
    """Wrap a step so that it first checks, in this very turn, that the person may still
    translate into the language of the flow's `sitting` (a role can be taken away
    mid-sitting): otherwise the sitting is dropped and `refusal` said."""

    def guard(step: Step) -> Step:
        async def checked(ctx: Context, event: Incoming) -> Turn:
            held = await languages(ctx)
            lang = state_of(ctx, sitting).lang
            if not held or (lang and lang not in held):
                fresh(ctx, sitting)
                return Turn([Say(refusal(ctx))], goto="menu")
            return await step(ctx, event)

        checked.__doc__ = step.__doc__
        return checked

    return guard


translators_only = language_guard(_languages, Translating, _refusal)


def language_name(ctx: Context, code: str) -> str:
    """A language named in its own script, as the picker shows it."""
    return next((la.name for la in ctx.languages if la.code == code), code)


async def translate_command(ctx: Context, event: Incoming) -> Turn:
    """/traduire: the translator's home, for translators only."""
    if not await _languages(ctx):
        return Turn([Say(_refusal(ctx))], reprompt=True)
    fresh(ctx, Translating)
    return Turn(goto="tr_home")


async def tr_home(ctx: Context, event: Incoming) -> Turn:
    """Where the language stands, and what to do: translate, review."""
    held = await _languages(ctx)
    work = _work(ctx)
    if work.lang not in held:
        if len(held) > 1:
            return Turn(goto="tr_language")
        work.lang = held[0]
    lang = work.lang
    progress = (await desk(ctx).progress([lang]))[0]
    options: tuple[Option, ...] = (
        Option("translate", ctx._("✍️ Traduire")),
        Option("review", ctx._("🔎 Relire (%(n)s)", n=ctx.t.number(progress.to_review))),
    )
    options += (Option("course", ctx._("📚 Un cours")),)
    if len(held) > 1:
        options += (Option("language", ctx._("🌐 Autre langue")),)
    options += (menu_option(ctx),)
    if isinstance(event, Entered):
        return Turn([Ask(progress_text(ctx, progress), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "course":  # the same language, a course's texts (flows/course_translate.py)
        from dialogs.flows.course_translate import CourseSitting  # it imports this module

        fresh(ctx, CourseSitting).lang = lang  # that flow's state, filled to go there
        return Turn(goto="ct_courses")
    targets = {"translate": "tr_string", "review": "tr_review", "language": "tr_language"}
    return Turn(goto=targets[chosen])


def progress_text(ctx: Context, progress: Progress) -> str:
    """How far a language is translated, in words."""
    return ctx._(
        "%(language)s : %(done)s chaînes traduites sur %(total)s, soit %(share)s de ce que "
        "les élèves lisent. À relire : %(review)s. Français jugé peu clair : %(unclear)s.",
        language=language_name(ctx, progress.lang),
        done=ctx.t.number(progress.translated),
        total=ctx.t.number(progress.total),
        share=ctx.t.percent(progress.seen_share),
        review=ctx.t.number(progress.to_review),
        unclear=ctx.t.number(progress.unclear),
    )


async def tr_language(ctx: Context, event: Incoming) -> Turn:
    """The language to work on, for a translator of several."""
    held = await _languages(ctx)
    options = tuple(Option(code, language_name(ctx, code)) for code in held)
    options += (menu_option(ctx),)
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Quelle langue ?"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    fresh(ctx, Translating).lang = chosen
    return Turn(goto="tr_home")


def isolated(ctx: Context, text: str) -> str:
    """Text in another script's direction kept whole in a right-to-left interface (Unicode
    isolates): "/progres : ..." stays in its order inside an Arabic sentence."""
    return f"\u2068{text}\u2069" if ctx.t.rtl else text


def card(ctx: Context, source: SourceString) -> str:
    """A string as the translator needs it: French, English, where, limit, what to keep."""
    if source.plural:
        lines = [
            ctx._("Français (un) : « %(text)s »", text=isolated(ctx, source.msgid)),
            ctx._("Français (plusieurs) : « %(text)s »", text=isolated(ctx, source.plural)),
        ]
    else:
        lines = [ctx._("Français : « %(text)s »", text=isolated(ctx, source.msgid))]
    if source.english:
        english = isolated(ctx, " / ".join(source.english))
        lines.append(ctx._("Anglais : « %(text)s »", text=english))
    if source.places:
        lines.append(ctx._("Où : %(places)s", places=isolated(ctx, ", ".join(source.places))))
    if source.label_limit:
        lines.append(
            ctx._("Un bouton : au plus %(n)s caractères.", n=ctx.t.number(limit_of(source)))
        )
    keep = keep_list(source)
    if keep:
        lines.append(ctx._("À garder tel quel : %(items)s", items=isolated(ctx, " ".join(keep))))
    if source.previous:
        lines.append(
            ctx._(
                "Le français a changé. Avant : « %(old)s », traduit : « %(text)s »",
                old=isolated(ctx, source.previous),
                text=isolated(ctx, " / ".join(source.suggestion)),
            )
        )
    elif source.suggestion:
        lines.append(
            ctx._(
                "Suggestion (à vérifier) : « %(text)s »",
                text=isolated(ctx, " / ".join(source.suggestion)),
            )
        )
    lines.append(ctx.ngettext("Vu %(n)s fois.", "Vu %(n)s fois.", source.views))
    return "\n".join(lines)


async def tr_string(ctx: Context, event: Incoming) -> Turn:
    """The next string to translate, the most seen first."""
    work = _work(ctx)
    lang = work.lang
    found = await desk(ctx).next_to_translate(lang, work.skip)
    if found is None:
        text = ctx._(
            "Plus rien à traduire en %(language)s pour l'instant : merci !",
            language=language_name(ctx, lang),
        )
        return Turn([Say(text)], goto="tr_home")
    work.key, work.forms, work.mode = found.key, [], "new"
    return Turn([Say(card(ctx, found))], goto="tr_form")


def _category(ctx: Context, lang: str, source: SourceString, index: int) -> PluralCategory | None:
    """The plural category of the form asked (None for a string without plural forms)."""
    if not source.plural:
        return None
    return desk(ctx).categories(lang)[index]


def _form_prompt(ctx: Context, lang: str, source: SourceString, index: int) -> str:
    """What the translator is asked to type."""
    categories = desk(ctx).categories(lang) if source.plural else ()
    if len(categories) <= 1:
        return ctx._("Écrivez la traduction en %(language)s :", language=language_name(ctx, lang))
    category = categories[index]
    return ctx._(
        "Forme %(index)s sur %(count)s, pour %(numbers)s (%(category)s) : écrivez-la.",
        index=index + 1,
        count=len(categories),
        numbers=examples_text(category),
        category=category.name,
    )


def typed_option(event: Incoming, options: tuple[Option, ...]) -> str | None:
    """A tapped option, or a label typed exactly; any other text is a translation."""
    if isinstance(event, OptionChosen):
        return event.option_id if any(o.id == event.option_id for o in options) else None
    if isinstance(event, TextReceived):
        typed = " ".join(event.text.casefold().split())
        for option in options:
            labels = (option.label, strip_markers(option.label))
            if typed in {" ".join(label.casefold().split()) for label in labels}:
                return option.id
    return None


async def tr_form(ctx: Context, event: Incoming) -> Turn:
    """One form of the translation (new, or a reviewer's correction), checked at entry."""
    work = _work(ctx)
    lang, mode = work.lang, work.mode
    source = await desk(ctx).source(str(work.key or ""), lang)
    if source is None:  # the interface changed since
        return Turn(goto="tr_string" if mode == "new" else "tr_review")
    forms = work.forms
    options: tuple[Option, ...]
    if mode == "new":
        options = (
            Option("skip", ctx._("⏭️ Passer")),
            Option("unclear", ctx._("❓ Pas clair")),
            Option("back", ctx._("⬅️ Traduction")),
        )
    else:
        options = (Option("back", ctx._("⬅️ Traduction")),)
    if isinstance(event, Entered):
        prompt = _form_prompt(ctx, lang, source, len(forms))
        return Turn([Ask(prompt, options, ctx.state.prompt)])
    chosen = typed_option(event, options)
    if chosen == "back":
        return Turn(goto="tr_home")
    if chosen in ("skip", "unclear"):
        work.skip = [*work.skip, source.key][-SKIPPED_KEPT:]
        work.key, work.forms = None, []
        if chosen == "skip":
            return Turn(goto="tr_string")
        await desk(ctx).flag_unclear(lang, source.key)
        text = ctx._("Noté : le français de cette phrase sera revu. Merci !")
        return Turn([Say(text)], goto="tr_string")
    if not isinstance(event, TextReceived):
        routed = route(ctx, event, options + (menu_option(ctx),))
        return routed if isinstance(routed, Turn) else Turn(reprompt=True)
    text = event.text.strip()
    category = _category(ctx, lang, source, len(forms))
    found = problems(source, text, category)
    if found:
        return Turn([Say(described(ctx._, source, found))], reprompt=True)
    forms.append(text)
    needed = len(desk(ctx).categories(lang)) if source.plural else 1
    if len(forms) < needed:
        return Turn(goto="tr_form")
    return await _done(ctx, lang, source, tuple(forms))


async def _done(ctx: Context, lang: str, source: SourceString, forms: tuple[str, ...]) -> Turn:
    """Every form typed: a proposal, or a reviewer's correction."""
    work = _work(ctx)
    name = language_name(ctx, lang)
    if work.mode == "edit":
        reviewed = await desk(ctx).review(work.proposal or 0, EDITED, forms)
        work.key, work.forms, work.mode, work.proposal = None, [], "new", None
        if not reviewed:
            return Turn([Say(_not_yours(ctx))], goto="tr_review")
        text = ctx._("Corrigée et acceptée : les élèves la lisent dès maintenant.")
        return Turn([Say(text)], goto="tr_review")
    await desk(ctx).propose(lang, source.key, forms)
    work.key, work.forms = None, []
    text = ctx._(
        "Merci ! Un autre traducteur en %(language)s va la relire avant que les élèves la voient.",
        language=name,
    )
    return Turn([Say(text)], goto="tr_string")


def _not_yours(ctx: Context) -> str:
    return ctx._(
        "Cette traduction n'est plus à relire, ou c'est la vôtre : un autre traducteur la relit."
    )


async def tr_review(ctx: Context, event: Incoming) -> Turn:
    """The oldest translation of someone else to review: accept, correct or reject. The
    choice acts on the proposal shown, even if others came or went since."""
    work = _work(ctx)
    lang = work.lang
    skipped = list(work.rskip)
    options = (
        Option("accept", ctx._("✅ Accepter")),
        Option("edit", ctx._("✏️ Corriger")),
        Option("reject", ctx._("❌ Refuser")),
        Option("skip", ctx._("⏭️ Passer")),
        Option("back", ctx._("⬅️ Traduction")),
    )
    if isinstance(event, Entered):
        proposal = await desk(ctx).next_to_review(lang, skipped)
        if proposal is None:
            text = ctx._(
                "Rien à relire en %(language)s pour l'instant.", language=language_name(ctx, lang)
            )
            return Turn([Say(text)], goto="tr_home")
        work.shown, work.shown_key = proposal.id, proposal.source.key
        shown = _proposed(ctx, lang, proposal.source, proposal.forms)
        text = f"{card(ctx, proposal.source)}\n\n{shown}"
        return Turn([Say(text), Ask(ctx._("Votre avis ?"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="tr_home")
    proposal_id = work.shown or 0
    if chosen == "skip":
        work.rskip = [*skipped, proposal_id][-SKIPPED_KEPT:]
        return Turn(goto="tr_review")
    if chosen == "edit":
        work.key, work.forms, work.mode, work.proposal = work.shown_key, [], "edit", proposal_id
        return Turn(goto="tr_form")
    verdict = ACCEPTED if chosen == "accept" else REJECTED
    if not await desk(ctx).review(proposal_id, verdict):
        return Turn([Say(_not_yours(ctx))], goto="tr_review")
    if verdict == ACCEPTED:
        text = ctx._("Acceptée : les élèves la lisent dès maintenant.")
    else:
        text = ctx._("Refusée : la phrase revient parmi celles à traduire.")
    return Turn([Say(text)], goto="tr_review")


def _proposed(ctx: Context, lang: str, source: SourceString, forms: tuple[str, ...]) -> str:
    """The proposal, each form with the numbers it is for."""
    categories = desk(ctx).categories(lang) if source.plural else ()
    if len(categories) <= 1 or len(forms) != len(categories):
        return ctx._("Proposé : « %(text)s »", text=isolated(ctx, " / ".join(forms)))
    lines = [
        ctx._(
            "Proposé pour %(numbers)s : « %(text)s »",
            numbers=examples_text(category),
            text=isolated(ctx, form),
        )
        for category, form in zip(categories, forms, strict=True)
    ]
    return "\n".join(lines)


STEPS: dict[str, Step] = {
    "tr_home": translators_only(tr_home),
    "tr_language": translators_only(tr_language),
    "tr_string": translators_only(tr_string),
    "tr_form": translators_only(tr_form),
    "tr_review": translators_only(tr_review),
}
# A translation may start with a command ("/aide : ..."): it goes to the step, not the command.
FREE_TEXT = frozenset({"tr_form"})
COMMANDS: dict[str, Step] = {
    "traduire": translate_command,
    "translate": translate_command,
}
FLOW = Flow("translate", STEPS, COMMANDS, services=("admin", "translations"), state=Translating)
