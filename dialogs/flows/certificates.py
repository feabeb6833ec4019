"""Certificates: earned by finishing a course with the mastery score, listed, verified.

Mastery: every lesson done and the average of the best quiz shares of the course's quizzes
at least MASTERY (0.7, the usual pass mark). The learner's name is asked once, when the first
certificate is issued; it is kept only in their certificates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from content.model import Course

from dialogs.certificate_ports import Certificate, CertificateWording
from dialogs.context import Context, Step, Turn
from dialogs.events import Incoming, TextReceived
from dialogs.flow import Flow, FlowState, fresh, state_of
from dialogs.flows.place import place
from dialogs.messages import Ask, Document, Out, Say

MASTERY = 0.7  # average best quiz share that earns a certificate
MAX_NAME = 60


@dataclass
class Pending(FlowState, flow="certificates"):
    """The certificate earned after the last quiz, waiting for the learner's name."""

    legacy = {"course": "certificate.course", "score": "certificate.score"}  # noqa: RUF012

    course: str | None = None
    score: int = 0  # percent


async def course_mastery(ctx: Context, course: Course, ratio_now: float | None) -> float | None:
    """The average best quiz share when every lesson is done, else None.

    The quiz just finished (`ratio_now`, the current lesson's) is not stored yet: it counts.
    """
    here = str(place(ctx).lesson or "")
    done = {d.lesson_id for d in await ctx.records.lessons_done() if d.course_id == course.id}
    if any(lesson.id not in done and lesson.id != here for lesson in course.lessons):
        return None
    best: dict[str, float] = {}
    for score in await ctx.records.quiz_scores():
        if score.course_id == course.id and score.max_score:
            best[score.lesson_id] = max(
                best.get(score.lesson_id, 0.0), score.best / score.max_score
            )
    if ratio_now is not None:
        best[here] = max(best.get(here, 0.0), ratio_now)
    quizzed = [lesson.id for lesson in course.lessons if lesson.quiz is not None]
    return sum(best.get(i, 0.0) for i in quizzed) / len(quizzed) if quizzed else 1.0


async def earn_certificate(ctx: Context, course: Course, ratio_now: float | None) -> Turn | None:
    """After the last quiz (whose share of the points is `ratio_now`, None when not just
    taken): a certificate when the course is mastered (not twice)."""
    if ctx.services.certificates is None or ctx.services.certifier is None:
        return None
    mastery = await course_mastery(ctx, course, ratio_now)
    if mastery is None or mastery < MASTERY:
        return None
    mine = await ctx.services.certificates.mine()
    if any(c.course_id == course.id for c in mine):
        return None
    score = round(mastery * 100)
    if not mine:
        pending = state_of(ctx, Pending)
        pending.course, pending.score = course.id, score
        return Turn(goto="certificate_name")
    turn = await _issue(ctx, course, mine[-1].name, score)
    turn.goto = "quiz_done"  # back to the choices after the last quiz
    return turn


async def certificate_name(ctx: Context, event: Incoming) -> Turn:
    """Ask the learner's name for their first certificate, then issue it."""
    pending = state_of(ctx, Pending)
    course = ctx.library.get(str(pending.course or ""))
    if course is None:
        return Turn(goto="menu")
    if not isinstance(event, TextReceived):
        text = ctx._(
            "🎓 Bravo, vous avez réussi le cours « %(course)s » ! Vous recevez un certificat. "
            "Quel nom faut-il écrire dessus ? Écrivez votre prénom et votre nom.",
            course=course.title,
        )
        return Turn([Ask(text, (), ctx.state.prompt)])
    name = " ".join(event.text.replace("|", " ").split())[:MAX_NAME]
    if len(name) < 2 or name.startswith("/"):
        return Turn([Say(ctx._("Écrivez votre nom, par exemple : Awa Diop."))], reprompt=True)
    fresh(ctx, Pending)  # issued: not twice
    turn = await _issue(ctx, course, name, int(pending.score))
    turn.goto = "quiz_done"
    return turn


async def _issue(ctx: Context, course: Course, name: str, score: int) -> Turn:
    """Keep the certificate and send its PDF."""
    assert ctx.services.certificates is not None
    kept = await ctx.services.certificates.keep(name, course.id, ctx.now.date(), score)
    text = ctx._(
        "🎓 Félicitations ! Vous avez obtenu le certificat du cours « %(course)s » "
        "avec un score de %(score)s.",
        course=course.title,
        score=ctx.t.percent(score / 100),
    )
    return Turn([Say(text), await _document(ctx, kept)])


async def _document(ctx: Context, certificate: Certificate) -> Document:
    """The certificate's PDF as a document to send."""
    assert ctx.services.certifier is not None
    course = ctx.library.get(certificate.course_id)
    title = course.title if course else certificate.course_id
    link = ctx.services.certifier.link(ctx.services.certifier.code(certificate))
    wording = CertificateWording(
        title=ctx._("Certificat de réussite"),
        awarded_to=ctx._("décerné à"),
        course=ctx._("pour avoir terminé le cours « %(course)s »", course=title),
        details=ctx._(
            "le %(date)s, avec un score de %(score)s",
            date=ctx.t.date(_midday(certificate)),
            score=ctx.t.percent(certificate.score / 100),
        ),
        programme=ctx._("Imaginecole — programme d'apprentissage"),
        verify=ctx._(
            "Vérifiez ce certificat : %(link)s (ou /verifier suivi du code dans le chat).",
            link=link,
        ),
        language=ctx.t.lang,
    )
    pdf = await ctx.services.certifier.pdf(certificate, wording)
    return Document(
        f"certificat-{certificate.course_id}-{certificate.id}.pdf", pdf, "application/pdf", title
    )


def _midday(certificate: Certificate) -> datetime:
    """The issue date as a datetime the translator formats."""
    return datetime.combine(certificate.issued_on, time(12), UTC)


async def my_certificates(ctx: Context, event: Incoming) -> Turn:
    """List the learner's certificates and send them again."""
    mine = await ctx.services.certificates.mine() if ctx.services.certificates is not None else []
    if not mine or ctx.services.certifier is None:
        text = ctx._(
            "Vous n'avez pas encore de certificat. Terminez un cours avec au moins "
            "%(percent)s de réussite aux quiz pour en obtenir un.",
            percent=ctx.t.percent(MASTERY),
        )
        return Turn([Say(text)], reprompt=True)
    messages: list[Out] = [
        Say(
            ctx.ngettext("Vous avez %(n)s certificat :", "Vous avez %(n)s certificats :", len(mine))
        )
    ]
    for certificate in mine:
        messages.append(await _document(ctx, certificate))
    return Turn(messages, reprompt=True)


async def verify_certificate(ctx: Context, event: Incoming) -> Turn:
    """Check a certificate's code: who holds it, for which course, or that it is not genuine."""
    code = _argument(event)
    if not code:
        return Turn(
            [Say(ctx._("Écrivez /verifier suivi du code imprimé sur le certificat."))],
            reprompt=True,
        )
    found = ctx.services.certifier.verify(code) if ctx.services.certifier is not None else None
    if found is None:
        invalid = ctx._(
            "❌ Ce code n'est pas valide : ce certificat n'a pas été délivré par "
            "Imaginecole, ou il a été modifié."
        )
        return Turn(
            [Say(invalid)],
            reprompt=True,
        )
    course = ctx.library.get(found.course_id)
    text = ctx._(
        "✅ Certificat authentique : %(name)s a terminé le cours « %(course)s » le %(date)s "
        "avec un score de %(score)s.",
        name=found.name,
        course=course.title if course else found.course_id,
        date=ctx.t.date(_midday(found)),
        score=ctx.t.percent(found.score / 100),
    )
    return Turn([Say(text)], reprompt=True)


def _argument(event: Incoming) -> str:
    """What follows the command word: "/verifier ABC" -> "ABC"."""
    if not isinstance(event, TextReceived):
        return ""
    parts = event.text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


STEPS: dict[str, Step] = {"certificate_name": certificate_name}
COMMANDS: dict[str, Step] = {
    "certificats": my_certificates,
    "certificates": my_certificates,
    "verifier": verify_certificate,
    "verify": verify_certificate,
}
FLOW = Flow("certificates", STEPS, COMMANDS, services=("certificates", "certifier"), state=Pending)
