"""The teachers' shared library: the courses other teachers published for their country or
for every country (never their class-only ones), searched by subject, class, language,
country and words of the title, sorted by use and rating. A course's page shows its author,
country, licence, rating and comments; from there a teacher previews it, gives it to a class
(the assignments flow takes over), copies it to adapt it (the copy keeps the chain of
attribution), or rates it. Its discussion (course_threads.py) is called from the course's
page, so that the course shown and the filters stay while the teacher is there."""

from __future__ import annotations

from dataclasses import dataclass, field

from content.format_write import attribution_chain, with_header
from content.model import LEVELS, SUBJECTS, Course
from content.normalize import fold

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming, TextReceived
from dialogs.flow import Flow, FlowState, fresh, state_of
from dialogs.flows.assignments import give_course
from dialogs.flows.authoring import _fresh_id, authoring
from dialogs.flows.authoring_files import Authoring
from dialogs.flows.class_tools import hold_class
from dialogs.flows.classes import teachers_only
from dialogs.flows.common import route
from dialogs.flows.learning import subject_name
from dialogs.flows.onboarding import level_name
from dialogs.flows.publishing import ask_name_then, signature
from dialogs.flows.teachers import teaching
from dialogs.messages import Ask, Option, Out, Say
from dialogs.options import choose
from dialogs.services import need
from dialogs.sharing_ports import Shelf, ShelfEntry

LISTED = 8  # courses shown as buttons at once
REVIEWS = 5  # comments shown on a course's page
MAX_COMMENT = 280
FILTERS = ("subject", "level", "language", "country")


@dataclass
class Browsing(FlowState, flow="shared_library"):
    """The filters chosen (subject, level, language, country, words of the title), the
    filter being chosen, the course shown (its discussion, course_threads.py, is called from
    its page and reads it too), and the rating being given (its stars, then its comment)."""

    filters: dict[str, str] = field(default_factory=dict)
    filter: str = "subject"
    course: str = ""
    stars: int = 0
    comment: str = ""
    legacy = {  # noqa: RUF012
        "filters": "shelf",
        "filter": "shelf_filter",
        "course": "shelf_course",
        "stars": "rating.stars",
        "comment": "rating.comment",
    }


@dataclass(frozen=True)
class Shared:
    """A published course with what the shared library knows of it."""

    course: Course
    entry: ShelfEntry
    laurels: tuple[str, ...] = ()  # themes of the Creathons it won


def shelf(ctx: Context) -> Shelf:
    """The shared library port; every channel that runs these flows provides it."""
    return need(ctx.services.shelf, "shelf", "the shared library")


async def browsable(ctx: Context) -> list[Shared]:
    """Every course the teacher may browse, most used and best rated first."""
    won = await ctx.services.creathon.laurels() if ctx.services.creathon is not None else {}
    found = [
        Shared(course, entry, won.get(entry.course_id, ()))
        for entry in await shelf(ctx).entries(ctx.profile.country)
        if (course := ctx.library.get(entry.course_id)) is not None
    ]
    return sorted(found, key=_rank)


def _rank(item: Shared) -> tuple[int, float, int, str]:
    """Sort key: most classes first, then the best average, then the most ratings."""
    return (-item.entry.uses, -item.entry.stars, -item.entry.ratings, fold(item.course.title))


def matches(item: Shared, filters: dict[str, str]) -> bool:
    """Whether a course passes the chosen filters (every word must be in the title)."""
    course, wanted = item.course, filters.get
    title = fold(course.title).split()
    words = fold(wanted("words", "")).split()
    return (
        wanted("subject", course.subject) == course.subject
        and ("level" not in filters or filters["level"] in course.levels)
        and wanted("language", course.language) == course.language
        and wanted("country", item.entry.country) == item.entry.country
        and all(any(w.startswith(word) for w in title) for word in words)
    )


def _stars(ctx: Context, entry: ShelfEntry) -> str:
    """ "★ 4,5 (2)", or "pas encore noté"."""
    if not entry.ratings:
        return ctx._("pas encore noté")
    return f"★ {ctx.t.number(entry.stars, 1)} ({ctx.t.number(entry.ratings)})"


def _country(ctx: Context, code: str) -> str:
    """A country's name, or a dash when unknown."""
    return ctx.t.country_name(code) if code and code != "other" else "–"


def entry_line(ctx: Context, item: Shared) -> str:
    """ "« Le compost » — Awa Ndiaye (Sénégal) · CC BY-SA 4.0 · ★ 4,5 (2) · 3 classes"."""
    uses = ctx.ngettext("donné à %(n)s classe", "donné à %(n)s classes", item.entry.uses)
    return ctx._(
        "« %(title)s » — %(author)s (%(country)s) · %(licence)s · %(rating)s · %(uses)s",
        title=item.course.title,
        author=", ".join(item.course.authors) or ctx._("auteur inconnu"),
        country=_country(ctx, item.entry.country),
        licence=item.course.licence,
        rating=_stars(ctx, item.entry),
        uses=uses,
    ) + "".join(
        " · " + ctx._("🏆 Lauréat Creathon « %(theme)s »", theme=theme) for theme in item.laurels
    )


def _filters(ctx: Context) -> dict[str, str]:
    """The filters chosen so far (changed in place)."""
    return state_of(ctx, Browsing).filters


def _filter_text(ctx: Context, filters: dict[str, str]) -> str:
    """The chosen filters, readable."""
    return ", ".join(_filter_value(ctx, key, value) for key, value in filters.items())


def _filter_value(ctx: Context, key: str, value: str) -> str:
    """One chosen filter, readable."""
    if key == "subject":
        return subject_name(ctx, value)
    if key == "level":
        return level_name(ctx, value)
    if key == "language":
        return next((lang.name for lang in ctx.languages if lang.code == value), value)
    return _country(ctx, value) if key == "country" else f"« {value} »"


async def shared_home(ctx: Context, event: Incoming) -> Turn:
    """The shared library: the best courses for the filters; type words to search titles."""
    filters = _filters(ctx)
    found = [item for item in await browsable(ctx) if matches(item, filters)]
    options = tuple(Option(f"c:{it.course.id}", f"📘 {it.course.title}") for it in found[:LISTED])
    options += (
        Option("subject", ctx._("📚 Matière")),
        Option("level", ctx._("🎓 Classe")),
        Option("language", ctx._("🗣️ Langue")),
        Option("country", ctx._("🌍 Pays")),
    )
    if filters:
        options += (Option("clear", ctx._("✖️ Effacer les filtres")),)
    options += (Option("back", ctx._("⬅️ Mes classes")),)
    if isinstance(event, Entered):
        return Turn([Ask(_home_text(ctx, filters, found), options, ctx.state.prompt)])
    typed = isinstance(event, TextReceived) and not event.text.startswith("/")
    if typed and choose(ctx, event, options) is None:
        assert isinstance(event, TextReceived)
        filters["words"] = " ".join(event.text.split())[:60]
        return Turn(goto="shared_home")
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    return _home_choice(ctx, chosen, filters)


def _home_text(ctx: Context, filters: dict[str, str], found: list[Shared]) -> str:
    """The list of courses found, with the filters and how to search."""
    lines = [ctx._("📚 La bibliothèque partagée des enseignants.")]
    if filters:
        lines.append(ctx._("Filtres : %(filters)s", filters=_filter_text(ctx, filters)))
    lines += [f"{i}. {entry_line(ctx, item)}" for i, item in enumerate(found[:LISTED], 1)]
    if not found:
        lines.append(ctx._("Aucun cours ne correspond."))
    lines.append(ctx._("Écrivez des mots du titre pour chercher, ou choisissez un filtre."))
    return "\n".join(lines)


def _home_choice(ctx: Context, chosen: str, filters: dict[str, str]) -> Turn:
    """Where a button of the shared library leads."""
    if chosen == "back":
        return Turn(goto="classes_home")
    if chosen == "clear":
        filters.clear()
        return Turn(goto="shared_home")
    if chosen in FILTERS:
        state_of(ctx, Browsing).filter = chosen
        return Turn(goto="shared_filter")
    state_of(ctx, Browsing).course = chosen[2:]
    return Turn(goto="shared_course")


async def shared_filter(ctx: Context, event: Incoming) -> Turn:
    """One filter: a subject, a class, a language or a country (or any)."""
    key = state_of(ctx, Browsing).filter
    options = await _filter_options(ctx, key) + (Option("*", ctx._("Tous")),)
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Choisissez :"), options, ctx.state.prompt, 2)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    filters = _filters(ctx)
    if chosen == "*":
        filters.pop(key, None)
    else:
        filters[key] = chosen
    return Turn(goto="shared_home")


async def _filter_options(ctx: Context, key: str) -> tuple[Option, ...]:
    """The values of one filter."""
    if key == "subject":
        return tuple(Option(k, subject_name(ctx, k)) for k in SUBJECTS)
    if key == "level":
        return tuple(Option(code, level_name(ctx, code)) for code in LEVELS)
    if key == "language":
        return tuple(Option(lang.code, lang.name) for lang in ctx.languages)
    codes = sorted({item.entry.country for item in await browsable(ctx) if item.entry.country})
    return tuple(Option(code, _country(ctx, code)) for code in codes)


async def _chosen(ctx: Context) -> Shared | None:
    """The course of the shared library the state points to, if the teacher may see it."""
    wanted = state_of(ctx, Browsing).course
    return next((it for it in await browsable(ctx) if it.course.id == wanted), None)


async def shared_course(ctx: Context, event: Incoming) -> Turn:
    """A course's page in the shared library: who, where, licence, rating and comments."""
    item = await _chosen(ctx)
    if item is None:
        return Turn(goto="shared_home")
    use = ctx._("👥 Utiliser avec ma classe")
    options = (
        Option("preview", ctx._("👁️ Aperçu")),
        *(() if item.course.for_teachers else (Option("use", use),)),  # not for pupils
        Option("copy", ctx._("📝 Copier pour l'adapter")),
        *(() if item.entry.mine else (Option("rate", ctx._("⭐ Noter ce cours")),)),
        Option("talk", ctx._("💬 Discussion")),
        Option("back", ctx._("⬅️ La bibliothèque")),
    )
    if isinstance(event, Entered):
        return Turn([Ask(await _page_text(ctx, item), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    steps = {
        "preview": "shared_preview",
        "use": "shared_use",
        "copy": "shared_copy",
        "rate": "shared_rate",
        "back": "shared_home",
    }
    if chosen == "talk":  # another flow: called, so that the course shown stays
        return Turn(call="course_thread", then="shared_course")
    return Turn(goto=steps[chosen])


async def _page_text(ctx: Context, item: Shared) -> str:
    """The course's page: its line, summary, attribution and the latest comments."""
    course = item.course
    lines = [f"📘 {entry_line(ctx, item)}"]
    if course.for_teachers:
        lines.append(ctx._("🧑‍🏫 Pour les enseignants (pas proposé aux élèves)."))
    if course.summary:
        lines.append(course.summary)
    lines += [f"✍️ {link}" for link in course.attribution]
    reviews = await shelf(ctx).reviews(course.id)
    if reviews:
        lines.append(ctx._("Avis des enseignants :"))
    for review in reviews[:REVIEWS]:
        said = f" « {review.comment} »" if review.comment else ""
        who = f"{review.name} ({_country(ctx, review.country)})"
        lines.append(f"{'★' * review.stars}{'☆' * (5 - review.stars)} {who}{said}")
    return "\n".join(lines)


async def shared_preview(ctx: Context, event: Incoming) -> Turn:
    """The lessons as a learner reads them, and the questions with their right answers."""
    item = await _chosen(ctx)
    if item is None:
        return Turn(goto="shared_home")
    shown: list[Out] = []
    for number, les in enumerate(item.course.lessons, 1):
        steps = "\n\n".join(step.text for step in les.steps)
        shown.append(Say(f"{number}. {les.title}\n\n{steps}"))
        for question in les.quiz.questions if les.quiz else ():
            answers = "\n".join(("✅ " if c.correct else "▫️ ") + c.text for c in question.choices)
            shown.append(Say(f"❓ {question.text}\n{answers}"))
    return Turn(shown, goto="shared_course")


async def shared_use(ctx: Context, event: Incoming) -> Turn:
    """Which class gets the course; then the assignments flow takes over (lesson, deadline)."""
    item = await _chosen(ctx)
    if item is None:
        return Turn(goto="shared_home")
    if item.course.for_teachers:
        return Turn([Say(ctx._("Ce cours est destiné aux enseignants."))], goto="shared_course")
    rooms = await teaching(ctx).classes()
    if not rooms:
        text = ctx._("Créez d'abord une classe dans « Mes classes ».")
        return Turn([Say(text)], goto="shared_course")
    options = tuple(Option(f"k{r.id}", f"👥 {r.name}") for r in rooms) + (
        Option("back", ctx._("⬅️ Le cours")),
    )
    if len(rooms) > 1 and isinstance(event, Entered):
        text = ctx._("À quelle classe donner « %(title)s » ?", title=item.course.title)
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = options[0].id if len(rooms) == 1 else route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="shared_course")
    hold_class(ctx, int(chosen[1:]))
    return give_course(ctx, item.course.id)


async def shared_copy(ctx: Context, event: Incoming) -> Turn:
    """A copy of the course becomes the teacher's draft, with the chain of attribution."""
    item = await _chosen(ctx)
    if item is None:
        return Turn(goto="shared_home")
    name = await signature(ctx)
    if name is None:
        return ask_name_then(ctx, "shared_copy")
    source = await shelf(ctx).source(item.course.id, ctx.profile.country)
    if source is None:
        return Turn(goto="shared_home")
    course_id = await _fresh_id(ctx, item.course.title)
    country = ctx.profile.country or ""
    link = ctx._(
        "adapté par %(name)s (%(country)s) d'après « %(title)s » de %(author)s (%(origin)s)",
        name=name,
        country=country or "–",
        title=item.course.title,
        author=", ".join(item.course.authors) or ctx._("auteur inconnu"),
        origin=item.entry.country or "–",
    )
    copied = with_header(source, "id", course_id)
    copied = with_header(copied, "authors", name)
    copied = with_header(copied, "country", country if country and country != "other" else "all")
    copied = with_header(copied, "attribution", attribution_chain(link, item.course.attribution))
    await authoring(ctx).create(course_id, copied, country)
    fresh(ctx, Authoring).course = course_id  # the authoring flow's state, filled to go there
    done = ctx._(
        "Une copie de « %(title)s » est dans vos cours : adaptez-la, puis publiez-la.",
        title=item.course.title,
    )
    return Turn([Say(done)], goto="author_course")


async def shared_rate(ctx: Context, event: Incoming) -> Turn:
    """How many stars, from 1 to 5."""
    item = await _chosen(ctx)
    if item is None or item.entry.mine:
        return Turn(goto="shared_home" if item is None else "shared_course")
    options = tuple(Option(str(n), "★" * n) for n in range(1, 6)) + (
        Option("back", ctx._("⬅️ Le cours")),
    )
    if isinstance(event, Entered):
        text = ctx._("Votre note pour « %(title)s », de 1 à 5 étoiles :", title=item.course.title)
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="shared_course")
    rating = state_of(ctx, Browsing)
    rating.stars, rating.comment = int(chosen), ""
    return Turn(goto="shared_comment")


async def shared_comment(ctx: Context, event: Incoming) -> Turn:
    """A short comment for the other teachers, or none."""
    options = (Option("none", ctx._("Sans commentaire")),)
    if isinstance(event, Entered):
        text = ctx._("Un court commentaire pour les autres enseignants (ou « Sans commentaire ») :")
        return Turn([Ask(text, options, ctx.state.prompt)])
    comment = ""
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        comment = " ".join(event.text.split())[:MAX_COMMENT]
    else:
        chosen = route(ctx, event, options)
        if isinstance(chosen, Turn):
            return chosen
    state_of(ctx, Browsing).comment = comment
    return Turn(goto="shared_rated")


async def shared_rated(ctx: Context, event: Incoming) -> Turn:
    """Keep the rating (it replaces the teacher's earlier one) under the teacher's name."""
    item = await _chosen(ctx)
    rating = state_of(ctx, Browsing)
    stars, comment = rating.stars, rating.comment
    if item is None or item.entry.mine or not 1 <= stars <= 5:
        rating.stars, rating.comment = 0, ""
        return Turn(goto="shared_home")
    name = await signature(ctx)
    if name is None:
        return ask_name_then(ctx, "shared_rated")
    rating.stars, rating.comment = 0, ""
    await shelf(ctx).rate(item.course.id, stars, comment, name, ctx.profile.country or "")
    return Turn([Say(ctx._("Merci ! Votre note est enregistrée."))], goto="shared_course")


STEPS: dict[str, Step] = {
    name: teachers_only(step)
    for name, step in {
        "shared_home": shared_home,
        "shared_filter": shared_filter,
        "shared_course": shared_course,
        "shared_preview": shared_preview,
        "shared_use": shared_use,
        "shared_copy": shared_copy,
        "shared_rate": shared_rate,
        "shared_comment": shared_comment,
        "shared_rated": shared_rated,
    }.items()
}
FLOW = Flow(
    "shared_library",
    STEPS,
    services=("admin", "authoring", "creathon", "shelf", "teaching"),
    state=Browsing,
)
