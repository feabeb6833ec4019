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
