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
import re
import socket
from collections.abc import Mapping
from contextvars import ContextVar

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


# --- the page's own address: links that work from a phone in the classroom ----------------

_HOST = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9.-]{0,252}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$")
_PAGE_ORIGIN: ContextVar[str] = ContextVar("imaginecole_page_origin", default="")


def origin(
    trusted: TrustedProxies, peer: str, headers: Mapping[str, str], scheme: str, host: str
) -> str:
    """The address a page was opened with (`http://192.168.1.20:8080`), "" when unreadable.

    A trusted proxy's X-Forwarded-Proto and X-Forwarded-Host are taken (their last value: the
    one our proxy wrote); anyone else's are not: the request's own scheme and Host count.
    """
    if peer in trusted:
        scheme = _last(headers.get("X-Forwarded-Proto", "")) or scheme
        host = _last(headers.get("X-Forwarded-Host", "")) or host
    scheme = scheme.lower()
    if scheme not in ("http", "https") or len(host) > 260 or not _HOST.match(host):
        return ""
    return f"{scheme}://{host}"


def _last(value: str) -> str:
    """The last of a header's comma-separated values."""
    return value.rsplit(",", 1)[-1].strip()


def set_page_origin(address: str) -> None:
    """The page this task answers was opened at `address` (the web chat, per socket)."""
    _PAGE_ORIGIN.set(address)


def page_base(default: str, configured: bool) -> str:
    """The base of the links to send: PUBLIC_URL when `configured`, otherwise the address
    of the page this turn answers (its Host), otherwise `default` (a Telegram or WhatsApp
    turn, a background task)."""
    if configured:
        return default
    return _PAGE_ORIGIN.get() or default


def lan_addresses(host: str) -> list[str]:
    """The addresses of this machine that phones on the same network can open (private
    IPv4 addresses, loopback left out): those of `host` when it names one, all otherwise.
    Reads the machine's own interfaces; sends nothing."""
    if host not in ("", "0.0.0.0", "::"):
        return [host] if _reachable(host) else []
    found: set[str] = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(str(info[4][0]))
    except OSError:
        pass
    try:  # the address of the default route's interface (a UDP "connect" sends no packet)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            found.add(str(probe.getsockname()[0]))
    except OSError:
        pass
    return sorted((a for a in found if _reachable(a)), key=ipaddress.ip_address)


def _reachable(address: str) -> bool:
    """Whether a phone of the local network could open this address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_unspecified or ip.is_link_local or ip.is_multicast)
