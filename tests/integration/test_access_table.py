"""Who may do what: every command and every HTTP endpoint, against every role and country.

One table, read from the registries: the dialogs' commands (`build_dialogs().commands`), the
Telegram groups' commands (`dialogs/flows/circle_groups.py`) and the Telegram command menu
(`command_descriptions`). A new command without a row here fails
`test_every_command_has_a_row`; so does a new HTTP route without a row in `ENDPOINTS`.

Each (command, role) is allowed or refused. Allowed: no refusal, the person gets in (and sees
only their country's figures, and only the choices their role offers). Refused: the refusal,
no privileged choice offered, and nothing created even when forged choices follow (no grant,
announcement, class, invitation, circle, contest...).

What is not repeated here: the rule book's unit tests (tests/unit/test_roles.py) and every
admin *step* entered by a lower role or across the border (tests/integration/
test_admin_boundaries.py); this file covers the doors (commands and endpoints) and adds
the role-giving boundary, which those do not try.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import aiohttp
import pytest
from sqlalchemy import text

from bot.conversations import Conversations, Outcome
from bot.storage.admin import grant_role
from dialogs.events import GroupPosted, UserRef
from dialogs.flows import build_dialogs
from dialogs.flows.circle_groups import LINK, UNLINK
from dialogs.flows.commands import command_descriptions
from dialogs.messages import Ask, Out, QuizQuestion
from dialogs.roles import Grant, Role
from tests.driver import text_of
from tests.full_bot import PORTAL_TOKEN, FullBot, full_bot
from tests.store_driver import Person, open_conversations
from tests.telegram_driver import SECRET
from tests.whatsapp_driver import APP_SECRET, VERIFY_TOKEN, encode, sign, text_body

# --- the cast --------------------------------------------------------------------------------

REGIONAL, NATIONAL_SN, NATIONAL_ML = "regional_admin", "national_admin_sn", "national_admin_ml"
MODERATOR, TEACHER_SN, TEACHER_ML = "moderator_sn", "teacher_sn", "teacher_ml"
STUDENT, NEWCOMER, TRANSLATOR = "student_sn", "newcomer", "translator_wo"
ROLES = (
    REGIONAL,
    NATIONAL_SN,
    NATIONAL_ML,
    MODERATOR,
    TEACHER_SN,
    TEACHER_ML,
    TRANSLATOR,
    STUDENT,
    NEWCOMER,
)

# role -> (Telegram id, onboarding country, onboarding role, granted role, its country; a
# translator's language)
CAST: dict[str, tuple[str, str, str, Role | None, str | None]] = {
    REGIONAL: ("9001", "Sénégal", "Enseignant", Role.REGIONAL_ADMIN, None),
    NATIONAL_SN: ("9002", "Sénégal", "Enseignant", Role.NATIONAL_ADMIN, "SN"),
    NATIONAL_ML: ("9003", "Mali", "Enseignant", Role.NATIONAL_ADMIN, "ML"),
    MODERATOR: ("9004", "Sénégal", "Enseignant", Role.MODERATOR, "SN"),
    TEACHER_SN: ("9005", "Sénégal", "Enseignant", Role.TEACHER, "SN"),
    TEACHER_ML: ("9006", "Mali", "Enseignant", Role.TEACHER, "ML"),
    TRANSLATOR: ("9009", "Sénégal", "Élève", Role.TRANSLATOR, "wo"),
    STUDENT: ("9007", "Sénégal", "Élève", None, None),
    NEWCOMER: ("9008", "", "", None, None),  # never wrote: no profile at all
}

EVERYONE = frozenset(ROLES)
ADMINS = frozenset({REGIONAL, NATIONAL_SN, NATIONAL_ML})
MODERATORS = ADMINS | {MODERATOR}
TEACHERS = frozenset({TEACHER_SN, TEACHER_ML})
TRANSLATORS = frozenset({TRANSLATOR})
IN_CIRCLES = MODERATORS | TEACHERS

# Every refusal a command can answer with; an allowed person reads none of them.
REFUSALS = (
    "réservée aux administrateurs",
    "réservée aux enseignants",
    "Les cercles sont réservés aux enseignants",
    "La modération des cercles est réservée aux modérateurs",
    "Le Creathon est réservé",
    "Seuls les administrateurs et les modérateurs",
    "La traduction est réservée aux traducteurs",
    "Traduire un cours est réservé aux traducteurs",
)
# Choices that open a privileged action: never offered to someone refused.
PRIVILEGED = (
    "Nouvelle annonce",
    "Donner un rôle",
    "Inviter des enseignants",
    "Nouvelle classe",
    "Nouveau cercle",
    "Nouveau concours",
    "Modération",
)
# Rows whose creation would be a privilege exercised.
GUARDED_TABLES = (
    "role_grants",
    "broadcasts",
    "outbox",
    "classes",
    "teacher_invites",
    "assignments",
    "circles",
    "circle_members",
    "circle_events",
    "creathon_contests",
    "translations",
    "course_translations",
)
# Ids of privileged choices (admin menu, circles, classes, contests), tapped unoffered.
FORGED_CHOICES = (
    "announce",
    "broadcasts",
    "grant",
    "invite",
    "requests",
    "new",
    "moderate",
    "translate",
    "review",
)


@dataclass(frozen=True)
class Rule:
    """Who may use a command, and what proves the outcome."""

    allowed: frozenset[str]
    group: bool = False  # sent in a Telegram group (the sender's grants decide)
    entered: str = ""  # what an allowed person reads
    offers: Mapping[str, frozenset[str]] = field(default_factory=dict)  # choice -> who sees it
    shows: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # role -> must read
    hides: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # role -> must not read


PUBLIC = Rule(EVERYONE)
ADMIN = Rule(
    ADMINS,
    entered="Administration",
    offers={"Nouvelle annonce": ADMINS, "Donner un rôle": ADMINS, "Inviter des": ADMINS},
)
STATS = Rule(
    ADMINS,
    entered="Impact du programme",
    shows={
        REGIONAL: ("Sénégal :", "Mali :"),
        NATIONAL_SN: ("Sénégal :",),
        NATIONAL_ML: ("Mali :",),
    },
    hides={NATIONAL_SN: ("Mali :",), NATIONAL_ML: ("Sénégal :",)},
)
CLASSES = Rule(TEACHERS, offers={"Nouvelle classe": TEACHERS})
CIRCLES = Rule(
    IN_CIRCLES,
    entered="Mathématiques",
    offers={"Nouveau cercle": MODERATORS, "Modération": MODERATORS},
)
CREATHON = Rule(ADMINS | TEACHERS, entered="Creathon", offers={"Nouveau concours": {REGIONAL}})

# /aide says what each role opens, and nothing of a role not held.
_NOT_ADMIN = ("/admin :", "/stats :")
HELP = Rule(
    EVERYONE,
    entered="/mon_id",
    shows={
        REGIONAL: ("Rôle « Administrateur régional » :", "/admin :", "/stats :"),
        NATIONAL_SN: ("Rôle « Administrateur national » :", "/admin :"),
        MODERATOR: ("Rôle « Modérateur » :", "/moderation :"),
        TEACHER_SN: ("Rôle « Enseignant » :", "/classes :"),
        TRANSLATOR: ("Rôle « Traducteur » :", "/traduire :"),
    },
    hides={
        MODERATOR: (*_NOT_ADMIN, "/classes :"),
        TEACHER_SN: (*_NOT_ADMIN, "/moderation :"),
        TRANSLATOR: (*_NOT_ADMIN, "/classes :", "/moderation :", "/cercles :"),
        STUDENT: (*_NOT_ADMIN, "/classes :", "/moderation :", "/cercles :", "/traduire :"),
        NEWCOMER: (*_NOT_ADMIN, "/classes :", "/moderation :", "/cercles :"),
    },
)

TABLE: dict[str, Rule] = {
    # everyone: learning, help, data rights, announcements opt-out, classes as a student
    "start": PUBLIC,
    "menu": Rule(
        EVERYONE,
        offers={"Administration": ADMINS, "🌍 Cercles": {MODERATOR}, "🌐 Traduire": TRANSLATORS},
    ),
    "progres": PUBLIC,
    "progress": PUBLIC,
    "aide": HELP,
    "help": HELP,
    "langue": PUBLIC,
    "language": PUBLIC,
    "mes_donnees": PUBLIC,
    "mydata": PUBLIC,
    "supprimer_mes_donnees": PUBLIC,
    "deletemydata": PUBLIC,
    "mon_code": PUBLIC,
    "mycode": PUBLIC,
    "mon_id": Rule(EVERYONE, entered="Votre identifiant"),
    "myid": Rule(EVERYONE, entered="Votre identifiant"),
    "stop_annonces": PUBLIC,
    "stop": PUBLIC,
    "annonces": PUBLIC,
    "rejoindre": PUBLIC,
    "join": PUBLIC,
    "devoirs": PUBLIC,
    "homework": PUBLIC,
    "certificats": PUBLIC,
    "certificates": PUBLIC,
    "verifier": PUBLIC,
    "verify": PUBLIC,
    "rappels": PUBLIC,
    "reminders": PUBLIC,
    "stop_rappels": PUBLIC,
    "stopreminders": PUBLIC,
    "famille": PUBLIC,
    "family": PUBLIC,
    "parent": PUBLIC,
    "guardian": PUBLIC,
    "stop_parent": PUBLIC,
    "stopguardian": PUBLIC,
    "donnees_legeres": PUBLIC,
    "lightdata": PUBLIC,
    "eleve": PUBLIC,
    "eleves": PUBLIC,
    "pas_moi": PUBLIC,
    "notme": PUBLIC,
    "quitter_cet_appareil": PUBLIC,
    "leavedevice": PUBLIC,
    # one learner across channels: link this address to the learner of a /mon_code code
    "lier": Rule(EVERYONE, entered="/mon_code"),
    "link": Rule(EVERYONE, entered="/mon_code"),
    "delier": PUBLIC,
    # the SMS fallback of a phone's chat app (said unavailable where SMS is off)
    "secours_sms": PUBLIC,
    "unlink": PUBLIC,
    # admins of a country (a national admin sees only their own)
    "admin": ADMIN,
    "stats": STATS,
    # granted teachers (an admin is not a teacher by being an admin)
    "classes": CLASSES,
    "questions": CLASSES,
    # circles: teachers, moderators, admins; moderation: moderators and admins
    "cercles": CIRCLES,
    "moderation": Rule(MODERATORS, entered="modération"),
    "creathon": CREATHON,
    # translators of a language (given by an admin): translate and review the interface
    "traduire": Rule(TRANSLATORS, entered="Wolof :", offers={"✍️ Traduire": TRANSLATORS}),
    "translate": Rule(TRANSLATORS, entered="Wolof :", offers={"✍️ Traduire": TRANSLATORS}),
    # a course's texts: translators, and granted teachers whose interface is in the language
    # (those of this table read French: refused)
    "traduire_cours": Rule(TRANSLATORS, entered="Quel cours traduire en Wolof ?"),
    "translate_course": Rule(TRANSLATORS, entered="Quel cours traduire en Wolof ?"),
    # in a Telegram group: admins and moderators link it to a circle
    LINK: Rule(MODERATORS, group=True, entered="est relié au cercle"),
    UNLINK: Rule(MODERATORS, group=True, entered="n'est plus relié"),
}


def registered_commands() -> set[str]:
    """Every command the bot answers or lists in a platform's menu."""
    names = set(build_dialogs().commands) | {LINK, UNLINK}
    return names | {name for name, _ in command_descriptions(lambda text: text)}


def test_every_command_has_a_row() -> None:
    missing = registered_commands() - set(TABLE)
    assert not missing, f"commands without a row in the access table: {sorted(missing)}"
    assert not set(TABLE) - registered_commands(), "rows for commands that no longer exist"


def test_every_menu_command_is_answered() -> None:
    menu = {name for name, _ in command_descriptions(lambda text: text)}
    assert menu <= set(build_dialogs().commands)


# --- the world -------------------------------------------------------------------------------

_ids = itertools.count(1)


@dataclass
class World:
    """The cast on the real store, a circle, and what they said."""

    talk: Conversations
    people: dict[str, Person]
    circle_id: int

    async def count(self, table: str) -> int:
        async with self.talk.store.engine.connect() as conn:
            found = await conn.execute(text(f"SELECT COUNT(*) FROM {table}"))
            return int(found.scalar_one())

    async def counts(self) -> dict[str, int]:
        return {table: await self.count(table) for table in GUARDED_TABLES}

    async def in_group(self, role: str, command: str, sender: str = "") -> list[Out]:
        """`role`'s person (or `sender`'s) sends `command` in `role`'s own Telegram group."""
        group = UserRef("telegram", f"-100{CAST[role][0]}")
        got: list[Out] = []

        async def capture(outcome: Outcome) -> None:
            got.extend(outcome.messages)

        writer = CAST[sender or role][0]
        key = f"g{next(_ids)}"
        event = GroupPosted(group, key, sender_id=writer, sender_name="X", text=command)
        await self.talk.handle(event, f"tg:{key}", capture)
        return got


async def give(talk: Conversations, person: Person, grant: Grant) -> None:
    """Grant a role as `python -m bot admin grant` does."""
    async with talk.store.turn(person.user) as tx:
        assert tx is not None
        await grant_role(tx.runner, tx.user_id, grant, None, datetime.now(UTC))


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    async with open_conversations(database_url) as talk:
        people: dict[str, Person] = {}
        for role, (tid, country, chosen, granted, where) in CAST.items():
            person = people[role] = Person.on(talk, "telegram", tid)
            if country:
                await person.onboard(country=country, role=chosen)
            if granted is Role.TRANSLATOR:
                await give(talk, person, Grant(granted, None, where))
            elif granted is not None:
                await give(talk, person, Grant(granted, where))
        async with talk.store.turn(people[REGIONAL].user) as tx:
            assert tx is not None
            circle_id = await tx.circles.create_circle(
                "Mathématiques - collège", "maths", "college"
            )
        yield World(talk, people, circle_id)


def offered(replies: list[Out]) -> list[str]:
    """The labels of the choices the replies offer."""
    asked = [m for m in replies if isinstance(m, Ask | QuizQuestion)]
    return [o.label for m in asked for o in m.options]


async def use(world: World, role: str, command: str, rule: Rule) -> list[Out]:
    """`role` uses the command (in their own group for a group command)."""
    if rule.group:
        handle = f" {world.circle_id}" if command == LINK else ""
        return await world.in_group(role, f"/{command}{handle}")
    return await world.people[role].send(f"/{command}")


async def link_for(world: World, role: str) -> None:
    """Link `role`'s group to the circle, as the regional admin does from inside it."""
    linked = await world.in_group(role, f"/{LINK} {world.circle_id}", sender=REGIONAL)
    assert "est relié" in "\n".join(text_of(m) for m in linked)


async def forge(world: World, role: str) -> None:
    """Tap privileged choices the person was never offered (a forged or stale callback)."""
    person = world.people[role]
    if not any(isinstance(m, Ask | QuizQuestion) for m in person.sent):
        return
    for choice in FORGED_CHOICES:
        await person.tap_forged(choice)


def expect_allowed(role: str, command: str, rule: Rule, replies: list[Out]) -> None:
    """No refusal; in; only the choices and figures the role may see."""
    said = "\n".join(text_of(m) for m in replies)
    assert replies, f"{command} by {role}: no answer"
    assert not any(r in said for r in REFUSALS), f"{command} by {role} was refused: {said}"
    if rule.entered:
        assert rule.entered in said + " ".join(offered(replies)), f"{command} by {role}: {said}"
    labels = " ".join(offered(replies))
    for choice, who in rule.offers.items():
        assert (choice in labels) == (role in who), f"{command} by {role}: {choice!r} in {labels}"
    for shown in rule.shows.get(role, ()):
        assert shown in said, f"{command} by {role} should show {shown!r}"
    for hidden in rule.hides.get(role, ()):
        assert hidden not in said, f"{command} by {role} must not show {hidden!r}"


def expect_refused(role: str, command: str, replies: list[Out]) -> None:
    """The refusal, and no privileged choice."""
    said = "\n".join(text_of(m) for m in replies)
    assert any(r in said for r in REFUSALS), f"{command} by {role} was not refused: {said}"
    labels = " ".join(offered(replies))
    assert not any(p in labels for p in PRIVILEGED), f"{command} by {role} offers {labels}"


@pytest.mark.parametrize("command", sorted(TABLE))
async def test_every_command_against_every_role(world: World, command: str) -> None:
    rule = TABLE[command]
    for role in ROLES:
        if rule.group and role == NEWCOMER:
            continue  # a stranger's grants are none: the student's row covers it
        if command == UNLINK:
            await link_for(world, role)  # their group, linked by the regional admin
        before = await world.counts()
        replies = await use(world, role, command, rule)
        if role in rule.allowed:
            expect_allowed(role, command, rule, replies)
            continue
        expect_refused(role, command, replies)
        if not rule.group:
            await forge(world, role)
        after = await world.counts()
        assert after == before, f"{command} by {role} created {after} (was {before})"


async def test_a_national_admin_gives_no_role_across_the_border(world: World) -> None:
    """Senegal's admin types the code of Mali's teacher: no role offered, none given."""
    code_reply = await world.people[TEACHER_ML].send("/mon_code")
    code = text_of(code_reply[0]).split(":", 1)[1].split()[0]
    senegal = world.people[NATIONAL_SN]
    grants = await world.count("role_grants")
    await senegal.send("/admin")
    await senegal.tap("Donner un rôle")
    replies = await senegal.send(code)
    assert "Vous ne pouvez donner aucun rôle" in senegal.texts(replies)
    for role in Role:
        await senegal.tap_forged(role.value)
    assert await world.count("role_grants") == grants
    # ...while Mali's own admin may
    mali = world.people[NATIONAL_ML]
    await mali.send("/admin")
    await mali.tap("Donner un rôle")
    await mali.send(code)
    assert "Administrateur national" not in " ".join(mali.options())  # not their peer
    await mali.tap("Modérateur")
    assert await world.count("role_grants") == grants + 1


# --- HTTP endpoints ---------------------------------------------------------------------------

BEARER = {"Authorization": f"Bearer {PORTAL_TOKEN}"}
WRONG_BEARER = {"Authorization": "Bearer not-the-token"}
TG = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
TG_FORGED = {"X-Telegram-Bot-Api-Secret-Token": "forged"}
WA_BODY = encode(text_body("221771234567", "Bonjour"))
WA_SIGNED = {"X-Hub-Signature-256": sign(APP_SECRET, WA_BODY)}
WA_FORGED = {"X-Hub-Signature-256": sign("not-the-secret", WA_BODY)}
VERIFY = f"hub.mode=subscribe&hub.challenge=42&hub.verify_token={VERIFY_TOKEN}"
TG_UPDATE = (
    b'{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},'
    b'"from":{"id":5,"is_bot":false,"first_name":"A"},"text":"/start"}}'
)


@dataclass(frozen=True)
class Call:
    """One request and the status it must get."""

    method: str
    path: str
    status: int | tuple[int, ...]
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


# route (method, path pattern) -> the calls that prove who gets through
ENDPOINTS: dict[tuple[str, str], tuple[Call, ...]] = {
    ("GET", "/api/v1/openapi.json"): (Call("GET", "/api/v1/openapi.json", 200),),  # public
    ("GET", "/api/v1/courses"): (
        Call("GET", "/api/v1/courses", 401),
        Call("GET", "/api/v1/courses", 401, WRONG_BEARER),
        Call("GET", "/api/v1/courses", 200, BEARER),
    ),
    ("GET", "/api/v1/figures"): (
        Call("GET", "/api/v1/figures", 401),
        Call("GET", "/api/v1/figures?country=ML", 401, WRONG_BEARER),
        Call("GET", "/api/v1/figures?country=ML", 200, BEARER),
    ),
    ("GET", "/api/v1/schools"): (  # the school servers, as the national side sees them
        Call("GET", "/api/v1/schools", 401),
        Call("GET", "/api/v1/schools", 401, WRONG_BEARER),
        Call("GET", "/api/v1/schools", 200, BEARER),
    ),
    ("GET", "/verify/{code}"): (  # public, checks
        Call("GET", "/verify/FORGED-CODE", 404),
        Call("GET", "/verify/%C3%A9%ED%A0%80%FF", 404),  # not ASCII, not even UTF-8
    ),
    ("POST", "/telegram/webhook"): (
        Call("POST", "/telegram/webhook", 401, body=TG_UPDATE),
        Call("POST", "/telegram/webhook", 401, TG_FORGED, TG_UPDATE),
    ),
    ("GET", "/whatsapp/webhook"): (
        Call("GET", "/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=x", 403),
        Call("GET", "/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=%C3%A9%ED%A0%80", 403),
        Call("GET", f"/whatsapp/webhook?{VERIFY}", 200),
    ),
    ("POST", "/whatsapp/webhook"): (
        Call("POST", "/whatsapp/webhook", 401, body=WA_BODY),
        Call("POST", "/whatsapp/webhook", 401, WA_FORGED, WA_BODY),
    ),
    # another branch may add /metrics behind a token: without it, nothing is served
    ("GET", "/metrics"): (Call("GET", "/metrics", (401, 403, 404)),),
    # public by design: the chat page, its files, links, health
    ("GET", "/"): (Call("GET", "/", 200),),
    ("GET", "/static"): (Call("GET", "/static/index.html", 200),),
    ("GET", "/media/{course}/{path}"): (Call("GET", "/media/x/..%2F..%2Fetc%2Fpasswd", 404),),
    # an announcement's file for the web chat: only at the signed address its message gave
    ("GET", "/inbox-files/{broadcast}/{name}"): (
        Call("GET", "/inbox-files/1/x.png", 404),
        Call("GET", "/inbox-files/1/x.png?k=forged", 404),
    ),
    # the web chat's files: a signed, unexpired link only (bot/web/files.py)
    ("GET", "/files/{token}/{name}"): (
        Call("GET", "/files/tok/a.pdf", 404),
        Call("GET", "/files/tok/a.pdf?e=9999999999&k=forged", 404),
        Call("GET", "/files/tok/a.pdf?e=1&k=0", 404),
    ),
    ("GET", "/l/{course}/{lesson}"): (Call("GET", "/l/nothing/here", 404),),
    ("GET", "/c/{code}"): (Call("GET", "/c/ABC", (200, 302)),),
    ("GET", "/ws"): (),  # the web chat: anyone may talk (tests/integration/test_web_socket.py)
    ("GET", "/healthz"): (Call("GET", "/healthz", 200),),
    ("GET", "/readyz"): (Call("GET", "/readyz", 200),),
}
OPTIONAL = {("GET", "/metrics")}


@pytest.fixture
async def bot(database_url: str) -> AsyncIterator[FullBot]:
    async with full_bot(database_url) as running:
        yield running


def routes(bot: FullBot) -> set[tuple[str, str]]:
    """Every (method, path) the running server answers (HEAD is GET's shadow)."""
    assert bot.app.runner is not None
    found = set()
    for route in bot.app.runner.app.router.routes():
        if route.method in ("HEAD", "*"):
            continue
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or info.get("formatter") or info.get("prefix", "")
        found.add((route.method, str(path).replace("{path:.+}", "{path}").rstrip("/") or "/"))
    return found


async def test_every_endpoint_has_a_row_and_refuses_without_credentials(
    bot: FullBot,
) -> None:
    served = routes(bot)
    missing = served - set(ENDPOINTS)
    assert not missing, f"routes without a row in the access table: {sorted(missing)}"
    assert not set(ENDPOINTS) - OPTIONAL - served, "rows for routes that no longer exist"
    async with aiohttp.ClientSession() as http:
        for key, calls in ENDPOINTS.items():
            if key in OPTIONAL and key not in served:
                continue
            for call in calls:
                async with http.request(
                    call.method,
                    bot.url(call.path),
                    headers=dict(call.headers),
                    data=call.body or None,
                    allow_redirects=False,
                ) as response:
                    wanted = call.status if isinstance(call.status, tuple) else (call.status,)
                    assert response.status in wanted, (call, response.status)
    assert await bot.count("users") == 0  # no forged webhook reached the conversations
    assert await bot.count("whatsapp_inbox") == 0
    assert bot.telegram.sent() == [] and bot.graph.sent() == []


async def test_the_genuine_webhooks_do_get_through(bot: FullBot) -> None:
    """The same requests with the right secrets are served (the refusals above are real)."""
    async with aiohttp.ClientSession() as http:
        url = bot.url("/telegram/webhook")
        async with http.post(url, data=TG_UPDATE, headers=TG) as response:
            assert response.status == 200
        url = bot.url("/whatsapp/webhook")
        async with http.post(url, data=WA_BODY, headers=WA_SIGNED) as response:
            assert response.status == 200
    assert bot.app.whatsapp is not None
    await bot.app.whatsapp.drain()
    assert await bot.count("users") == 2


# A header value that is not ASCII: UTF-8 "é", a lone byte that is not UTF-8 (aiohttp keeps
# it as a surrogate), and a non-ASCII character after a right prefix. Each must be a plain 401
# with nothing in the body that looks like a traceback.
NON_ASCII = (b"\xc3\xa9t\xc3\xa9", b"\xe9t\xe9", b"sha256=\xc3\xa9\xff" + b"0" * 60)


async def raw_request(port: int, method: str, path: str, header: bytes, body: bytes) -> bytes:
    """One HTTP/1.1 request written byte by byte (the client libraries refuse such headers)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n".encode()
            + header
            + f"\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        return await reader.read()
    finally:
        writer.close()


@pytest.mark.parametrize("value", NON_ASCII)
async def test_a_non_ascii_secret_is_refused_not_a_crash(database_url: str, value: bytes) -> None:
    async with full_bot(database_url, metrics_token="metrics-token") as bot:
        calls = (
            ("POST", "/telegram/webhook", b"X-Telegram-Bot-Api-Secret-Token: ", TG_UPDATE),
            ("POST", "/whatsapp/webhook", b"X-Hub-Signature-256: sha256=", WA_BODY),
            ("POST", "/whatsapp/webhook", b"X-Hub-Signature-256: ", WA_BODY),
            ("GET", "/metrics", b"Authorization: Bearer ", b""),
            ("GET", "/api/v1/courses", b"Authorization: Bearer ", b""),
            ("GET", "/api/v1/figures", b"Authorization: Bearer ", b""),
            ("GET", "/api/v1/schools", b"Authorization: Bearer ", b""),
        )
        for method, path, name, body in calls:
            answer = await raw_request(bot.app.port, method, path, name + value, body)
            status = answer.split(b"\r\n", 1)[0]
            assert status.startswith(b"HTTP/1.1 401"), (path, value, answer[:300])
            assert b"Traceback" not in answer and b"Error" not in answer.split(b"\r\n\r\n")[-1]
        assert await bot.count("users") == 0
        assert bot.telegram.sent() == [] and bot.graph.sent() == []
