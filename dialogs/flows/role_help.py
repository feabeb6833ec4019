"""What each role can do, said once: in /aide, and in the notice of a newly given role.

The texts take a plain `_` (no placeholders) so that the command line, which has no
conversation, writes the same notice in every language (bot/admin_cli.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from dialogs.roles import Grant, Role

Gettext = Callable[[str], str]


def role_title(_: Gettext, role: Role) -> str:
    """A role as people say it."""
    names = {
        Role.REGIONAL_ADMIN: _("Administrateur régional"),
        Role.NATIONAL_ADMIN: _("Administrateur national"),
        Role.MODERATOR: _("Modérateur"),
        Role.TEACHER: _("Enseignant"),
        Role.TRANSLATOR: _("Traducteur"),
        Role.STUDENT: _("Élève"),
    }
    return names[role]


def role_lines(_: Gettext, role: Role) -> list[str]:
    """The commands a role opens, beyond what every learner has."""
    if role is Role.TEACHER:
        return [
            _("/classes : vos classes (devoirs, rapports, questions des élèves, vos cours)"),
            _("/questions : les questions de vos élèves"),
            _("/cercles : les cercles d'enseignants"),
            _("/creathon : le concours de scénarios"),
            _("/traduire_cours : traduire un cours dans votre langue, relire les traductions"),
        ]
    if role is Role.TRANSLATOR:
        return [
            _("/traduire : traduire l'interface dans votre langue et relire les traductions"),
            _("/traduire_cours : traduire un cours dans votre langue, relire les traductions"),
        ]
    if role is Role.MODERATOR:
        return [
            _("/cercles : les cercles d'enseignants (vous pouvez en ouvrir)"),
            _("/moderation : les messages signalés des cercles"),
        ]
    if role in (Role.NATIONAL_ADMIN, Role.REGIONAL_ADMIN):
        return [
            _("/admin : annonces, rôles, invitations d'enseignants, journal de modération"),
            _("/stats : l'impact du programme"),
            _("/cercles : les cercles d'enseignants (vous pouvez en ouvrir)"),
            _("/moderation : les messages signalés des cercles"),
            _("/creathon : le concours de scénarios"),
        ]
    return []


def student_lines(_: Gettext) -> list[str]:
    """The commands every person has."""
    return [
        _("/menu : le menu principal"),
        _("/progres : vos progrès et vos certificats"),
        _("/certificats : vos certificats"),
        _("/devoirs : vos devoirs"),
        _("/rejoindre : rejoindre une classe"),
        _("/rappels : vos rappels"),
        _("/famille : un parent reçoit votre résumé de la semaine"),
        _("/parent CODE : recevoir le résumé d'un élève qui vous a invité"),
        _("/langue : changer de langue"),
        _("/mes_donnees : recevoir tout ce que je garde sur vous"),
        _("/supprimer_mes_donnees : tout effacer"),
        _("/mon_code : votre code, à donner à un administrateur pour recevoir un rôle"),
        _("/mon_id : votre canal et votre identifiant"),
        _("/lier CODE : suivre ici les progrès de votre autre compte (son /mon_code)"),
        _("/delier : annuler ce lien"),
        _("/pas_moi : la discussion d'un autre élève est à l'écran"),
        _("/quitter_cet_appareil : le navigateur d'un ordinateur partagé vous oublie"),
    ]


def roles_help(_: Gettext, grants: Iterable[Grant]) -> list[str]:
    """A paragraph per role held, widest first: its name, then what it opens."""
    held = {grant.role for grant in grants}
    paragraphs = []
    shown: set[str] = set()
    for role in Role:  # widest first
        if role not in held:
            continue
        lines = [line for line in role_lines(_, role) if _command(line) not in shown]
        shown.update(_command(line) for line in lines)
        if lines:
            title = _("Rôle « %s » :") % role_title(_, role)
            paragraphs.append("\n".join([title, *lines]))
    return paragraphs


def _command(line: str) -> str:
    """ "/cercles : ..." -> "/cercles": a command is listed once, under the widest role."""
    return line.split()[0].rstrip(":")


def role_notice(_: Gettext, role: Role, *, ask_school: bool = False) -> str:
    """What a person reads in the chat when a role is given to them; a teacher given the
    role directly (`ask_school`) is asked for the school their colleagues will read."""
    head = _("Vous avez reçu un nouveau rôle : %s.") % role_title(_, role)
    lines = role_lines(_, role)
    body = _("Voici ce que vous pouvez faire maintenant :") + "\n" + "\n".join(lines)
    tail = _("Écrivez /aide pour tout revoir.")
    if ask_school and role is Role.TEACHER:
        school = _(
            "Vos collègues verront votre nom, votre pays et votre école : écrivez /classes "
            "puis « 🏫 Mon école » pour donner votre école."
        )
        tail = f"{school}\n{tail}"
    return f"{head}\n{body}\n\n{tail}"
