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
        """The client's address: the peer's, or through a trusted proxy the forwarded one."""
        if peer not in self:
            return peer
        forwarded = [a.strip() for a in headers.get("X-Forwarded-For", "").split(",")]
        for address in reversed([a for a in forwarded if a]):
            if address not in self:
                return address
        return peer
