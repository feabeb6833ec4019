"""The client's address behind a trusted proxy, and never a client's own word for it."""

from __future__ import annotations

from bot.addresses import TrustedProxies, holder


def test_only_a_trusted_peer_forwards_an_address() -> None:
    proxies = TrustedProxies("10.0.0.0/8, 127.0.0.1")
    forwarded = {"X-Forwarded-For": "1.2.3.4, 41.82.0.9"}
    assert proxies.client("10.1.2.3", forwarded) == "41.82.0.9"  # the rightmost untrusted
    assert proxies.client("8.8.8.8", forwarded) == "8.8.8.8"  # not a proxy: its own
    assert proxies.client("127.0.0.1", {}) == "127.0.0.1"  # nothing forwarded
    chain = {"X-Forwarded-For": "41.82.0.9, 10.9.9.9"}  # two proxies in a row
    assert proxies.client("127.0.0.1", chain) == "41.82.0.9"


def test_nothing_trusted_by_default_and_star_trusts_all() -> None:
    assert "127.0.0.1" not in TrustedProxies()
    assert "203.0.113.5" in TrustedProxies("*")
    assert "not an address" not in TrustedProxies("10.0.0.0/8")


def test_an_ipv6_subscriber_is_one_client() -> None:
    assert holder("2001:db8:1:2:aaaa::1") == holder("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert holder("2001:db8:1:3::1") != holder("2001:db8:1:2::1")
    assert holder("::ffff:41.82.0.9") == "41.82.0.9" == holder("41.82.0.9")
    proxies = TrustedProxies("10.0.0.0/8")
    assert proxies.client("10.0.0.2", {"X-Forwarded-For": "2001:db8::7"}) == "2001:db8::/64"


# --- the page's own address (links that work from a phone in the classroom) ---------------


def test_the_pages_address_is_its_host_or_a_trusted_proxys_word() -> None:
    from bot.addresses import origin

    proxies = TrustedProxies("10.0.0.0/8")
    assert origin(proxies, "192.168.1.7", {}, "http", "192.168.1.20:8080") == (
        "http://192.168.1.20:8080"
    )
    behind = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ecole.example.sn"}
    assert origin(proxies, "10.0.0.2", behind, "http", "bot:8080") == "https://ecole.example.sn"
    # A client's own forwarded headers are not believed: its Host counts.
    assert origin(proxies, "41.82.0.9", behind, "http", "bot:8080") == "http://bot:8080"
    assert origin(proxies, "10.0.0.2", {"X-Forwarded-Host": "a, b.sn"}, "http", "x") == (
        "http://b.sn"
    )
    assert origin(proxies, "1.2.3.4", {}, "http", "[fd00::5]:8080") == "http://[fd00::5]:8080"
    for bad in ("evil.sn/path", "a b", "x@y", "", "é.sn", "a" * 300):
        assert origin(proxies, "1.2.3.4", {}, "http", bad) == "", bad
    assert origin(proxies, "1.2.3.4", {}, "javascript", "a.sn") == ""


async def test_a_turns_links_use_public_url_else_the_page_else_the_default() -> None:
    import asyncio

    from bot.addresses import page_base, set_page_origin

    assert page_base("http://localhost:8080", configured=False) == "http://localhost:8080"

    async def web_turn() -> str:
        set_page_origin("http://192.168.1.20:8080")
        return page_base("http://localhost:8080", configured=False)

    assert await asyncio.create_task(web_turn()) == "http://192.168.1.20:8080"
    # Another task (a Telegram turn, a background loop) never sees that page's address.
    assert page_base("http://localhost:8080", configured=False) == "http://localhost:8080"
    set_page_origin("http://192.168.1.20:8080")
    assert page_base("https://imaginecole.sn", configured=True) == "https://imaginecole.sn"
    set_page_origin("")


def test_the_start_log_names_addresses_phones_can_open() -> None:
    from bot.addresses import lan_addresses
    from bot.app import _reach
    from bot.config import Settings

    assert lan_addresses("127.0.0.1") == []  # this machine only
    assert lan_addresses("192.168.1.20") == ["192.168.1.20"]
    assert all(not a.startswith("127.") for a in lan_addresses("0.0.0.0"))
    alone = _reach(Settings(web_host="127.0.0.1"), 8080)
    assert alone == " links: the address each page was opened with; (this machine only)"
    lan = _reach(Settings(web_host="192.168.1.20"), 8080)
    assert lan.endswith("phones on this network: http://192.168.1.20:8080")
    public = _reach(Settings(web_host="192.168.1.20", public_url="https://i.sn"), 80)
    assert public.startswith(" links: https://i.sn (PUBLIC_URL);")
