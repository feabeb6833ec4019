"""Kannel's HTTP contract and the SMS rules, without Kannel: the sendsms query, the get-url
and dlr-url parsing, parts counted, texts cleaned to GSM-7, STOP and typed commands."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bot.sms.gsm import clean, coding, segments
from bot.sms.kannel import (
    Account,
    Inbound,
    Report,
    parse_inbound,
    parse_report,
    secret_ok,
    sendsms_query,
)
from bot.sms.words import is_stop
from bot.words import as_command, shown_commands
from content.sms import is_gsm7

ACCOUNT = Account(
    "http://127.0.0.1:13013", "bot", "pw", "IMAGINECOLE", "https://bot/sms/dlr?secret=s"
)


def test_the_sendsms_query_carries_the_account_the_coding_and_a_delivery_report_url() -> None:
    query = sendsms_query(ACCOUNT, "22507000001", "Bonjour élève", "abc123")
    assert query == {
        "username": "bot",
        "password": "pw",
        "to": "22507000001",
        "text": "Bonjour élève",
        "charset": "UTF-8",
        "coding": "0",
        "from": "IMAGINECOLE",
        "dlr-mask": "31",
        "dlr-url": "https://bot/sms/dlr?secret=s&id=abc123&type=%d",
    }
    assert sendsms_query(ACCOUNT, "1", "مرحبا", "x")["coding"] == "2"  # UCS-2


def test_no_dlr_is_asked_for_without_a_callback_address() -> None:
    account = Account("http://k", "u", "p", "")
    assert sendsms_query(account, "1", "Salut", "id") == {
        "username": "u",
        "password": "p",
        "to": "1",
        "text": "Salut",
        "charset": "UTF-8",
        "coding": "0",
    }


def test_the_get_url_query_is_read_and_a_malformed_one_refused() -> None:
    query = {
        "secret": "s",
        "from": "+225 07 00 00 01",
        "to": "7070",
        "text": "PROGRES",
        "id": "u-1",
    }
    assert parse_inbound(query) == Inbound("22507000001", "7070", "PROGRES", "u-1")
    assert parse_inbound({**query, "from": ""}) is None
    assert parse_inbound({**query, "id": ""}) is None
    long = parse_inbound({**query, "text": "a" * 10_000})
    assert long is not None and len(long.text) == 4000


def test_the_secret_is_required_and_compared_whole() -> None:
    assert secret_ok({"secret": "s3cret"}, "s3cret")
    assert not secret_ok({"secret": "s3cre"}, "s3cret")
    assert not secret_ok({}, "s3cret")
    assert not secret_ok({"secret": ""}, "")  # no secret configured: nothing is accepted


def test_delivery_reports_are_read_by_kannels_types() -> None:
    assert parse_report({"id": "abc", "type": "1"}) == Report("abc", "delivered", 1)
    assert parse_report({"id": "abc", "type": "8"}) == Report("abc", "sent", 8)
    assert parse_report({"id": "abc", "type": "16"}) == Report("abc", "failed", 16)
    assert parse_report({"id": "abc", "type": "2"}) == Report("abc", "failed", 2)
    assert parse_report({"id": "abc", "type": "x"}) is None
    assert parse_report({"id": "abc", "type": "3"}) is None
    assert parse_report({"type": "1"}) is None


def test_parts_are_counted_160_153_in_gsm7_and_70_67_in_ucs2() -> None:
    assert segments("") == 0
    assert [segments("a" * n) for n in (1, 160, 161, 306, 307, 459)] == [1, 1, 2, 2, 3, 3]
    assert segments("€" * 80) == 1  # an extension character counts twice
    assert segments("€" * 81) == 2
    arabic = "م"
    assert [segments(arabic * n) for n in (70, 71, 134, 135)] == [1, 2, 2, 3]


def test_texts_are_cleaned_to_gsm7_emoji_and_typography_replaced() -> None:
    assert clean("📚 Les cours") == "Les cours"
    assert clean("L’élève « sait » – très bien… ✅") == 'L\'élève "sait" - très bien... OK'
    assert clean("Leçon : être, naître, cœur") == "Lecon : etre, naitre, coeur"
    assert clean("3 × 4 ≥ 10 °C") == "3 x 4 >= 10 oC"
    assert clean("✅ J'accepte") == "J'accepte"  # before a word: decoration
    assert clean("1. ✅\n2. ❌ (b)\n3. ✔️") == "1. OK\n2. X (b)\n3. OK"  # alone: a mark
    text = clean("1. 👍 Oui\n2. 👎 Non")
    assert text == "1. Oui\n2. Non" and is_gsm7(text) and coding(text) == 0


def test_a_script_gsm7_lacks_stays_ucs2_without_its_emoji() -> None:
    text = clean("مرحبا 👋 بك")
    assert text == "مرحبا بك"
    assert coding(text) == 2
    assert clean("ماذا تريد أن تفعل؟ 📚 « الدورات »") == 'ماذا تريد أن تفعل؟ "الدورات"'
    assert clean("كَتَبَ") == "كَتَبَ"  # vowel marks kept


def test_stop_and_its_equivalents_are_recognised_and_nothing_else() -> None:
    for text in (
        "STOP",
        "stop",
        " Stop! ",
        "ARRET",
        "ARRÊT",
        "arrêt.",
        "Tsaya",
        "a dabila",
        "توقف",
    ):
        assert is_stop(text), text
    for text in ("STOP_ANNONCES", "stoppe la leçon", "arrêt de bus demain", "1", ""):
        assert not is_stop(text), text


def test_commands_are_typed_without_their_slash() -> None:
    assert as_command("PROGRES") == "/progres"
    assert as_command("progrès") == "/progres"
    assert as_command("Aide") == "/aide"
    assert as_command("START") == "/start"
    assert as_command("STOP_ANNONCES") == "/stop_annonces"
    assert as_command("REJOINDRE AB12CD") == "/rejoindre AB12CD"
    assert as_command("rejoindre la classe") == "rejoindre la classe"  # a sentence: unchanged
    assert as_command("2") == "2"
    assert as_command("/progres") == "/progres"


def test_commands_are_shown_as_typed() -> None:
    assert shown_commands("Pour ne plus recevoir d'annonces : /stop_annonces") == (
        "Pour ne plus recevoir d'annonces : STOP_ANNONCES"
    )
    assert shown_commands("Voir /progres ou /inconnu, 1/2") == "Voir PROGRES ou /inconnu, 1/2"


def test_the_dlr_url_is_a_url_kannel_completes() -> None:
    report = sendsms_query(ACCOUNT, "1", "x", "id-9")["dlr-url"]
    parts = urlsplit(report.replace("%d", "1"))
    assert parse_qs(parts.query) == {"secret": ["s"], "id": ["id-9"], "type": ["1"]}
