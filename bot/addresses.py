"""Who a client is: its address, or the one a trusted reverse proxy says it forwards.

Behind the production proxy (deploy/Caddyfile) every connection comes from the proxy: a
per-address cap on it would cap everyone at once. `TRUSTED_PROXIES` names the proxies
(addresses or networks, comma-separated; `*` for any): their connections are counted only
in the total, and the web chat takes the client's address from the X-Forwarded-For header
they set (the rightmost address that is not itself a trusted proxy: what a client writes
in the header itself stands to the left and is never believed).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
IPV6_HOLDER = 64  # an IPv6 subscriber gets a /64 (or more): all of it is one client


def holder(address: str) -> str:
    """The key a per-address limit counts: the address, or its /64 for IPv6.

    One IPv6 subscriber holds 2^64 addresses; counting each apart would give an attacker as
    many caps as they care to use.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if not isinstance(ip, ipaddress.IPv6Address):
        return str(ip)
    if ip.ipv4_mapped is not None:  # an IPv4 client on a dual-stack socket
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/{IPV6_HOLDER}", strict=False))


class TrustedProxies:
    """The addresses whose word about the client's address is taken."""

    def __init__(self, setting: str = "") -> None:
        words = [w.strip() for w in setting.split(",") if w.strip()]
        self.everyone = "*" in words
        self.networks: list[Network] = [
            ipaddress.ip_network(w, strict=False) for w in words if w != "*"
        ]

    def __contains__(self, address: object) -> bool:
        if self.everyone:
            return True
        try:
            ip = ipaddress.ip_address(str(address))
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def client(self, peer: str, headers: Mapping[str, str]) -> str:
        """Who the client is (`holder` of its address): the peer, or through a trusted proxy
        the address it forwarded."""
        if peer not in self:
            return holder(peer)
        forwarded = [a.strip() for a in headers.get("X-Forwarded-For", "").split(",")]
        for address in reversed([a for a in forwarded if a]):
            if address not in self:
                return holder(address)
        return holder(peer)
