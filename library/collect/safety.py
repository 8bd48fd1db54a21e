"""Which URLs and addresses the collector may reach (issue 14, item 5 "never unsafe").

The collector fetches URLs that users paste and links that pages on the internet point to, from a
server that usually sits inside a government network. Without these checks a pasted or linked URL
could make the server read its own admin pages (``http://127.0.0.1:8501``), the intranet
(``http://10.0.0.5/``) or the cloud metadata service (``http://169.254.169.254/``): server-side request
forgery. So:

- only ``http`` and ``https`` URLs (``file:``, ``ftp:``, ``gopher:``, ``javascript:`` … are refused as
  ``bad_url`` before anything is sent);
- every address a host name resolves to must be a public unicast address; loopback, private (RFC 1918,
  unique-local IPv6), link-local, shared/CGNAT, multicast, reserved and unspecified addresses are
  refused as ``blocked`` — also when hidden inside an IPv6 form (``::ffff:127.0.0.1``, 6to4, NAT64,
  Teredo) — unless the administrator allows private addresses or names the host in ``allowed_hosts``;
- the check is repeated for every redirect hop (see :mod:`library.collect.fetch`).

DNS rebinding (a name that resolves to a public address when checked and to 127.0.0.1 when connected)
is covered for the default transport: :mod:`library.collect.fetch` resolves the name *once per
connection*, checks every address, and connects to a checked address itself (the URL, Host header,
TLS SNI and certificate check keep the name), so there is no second lookup to rebind. Not covered:
a proxy configured in the environment (the fetcher ignores proxy variables for that reason), and a
public address that itself forwards to the intranet (an open proxy on the internet) — no client-side
check can see that.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port → the IP addresses (as strings) the host name resolves to.
Resolver = Callable[[str, int], list[str]]

ALLOWED_SCHEMES = ("http", "https")

# IPv6 ranges that carry an IPv4 address a router or relay would reach: the embedded address decides.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")


class FetchFailure(Exception):
    """A URL that could not be fetched, with a stable ``reason`` code and a Chinese ``message``.

    Reasons: ``bad_url``, ``blocked``, ``timeout``, ``not_found`` (404), ``gone`` (410),
    ``http_error``, ``too_large``, ``too_many_redirects``, ``connection``, ``not_a_document``.
    ``str(exc)`` is the message.
    """

    def __init__(self, reason: str, message: str, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.url = url
        self.status = status

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"FetchFailure({self.reason!r}, {self.message!r}, url={self.url!r}, status={self.status!r})"


def split_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an absolute http(s) URL; :class:`FetchFailure` ``bad_url`` otherwise.

    The host comes back lowercased, without IPv6 brackets and in its ASCII (IDNA) form.
    """
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        port = parts.port
        host = parts.hostname or ""
    except ValueError:  # a port that is not a number, an unbalanced "[" …
        raise FetchFailure("bad_url", f"网址格式无效：{text}", text) from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = f"“{scheme}”" if scheme else "缺失"
        message = f"网址无效：只支持 http 和 https 网址（此网址的协议{shown}）：{text}"
        raise FetchFailure("bad_url", message, text)
    if not host:
        raise FetchFailure("bad_url", f"网址无效：缺少网站域名：{text}", text)
    if parts.username is not None or parts.password is not None:
        # user:password@host hides the real host from a reader of the URL; reports never need it.
        raise FetchFailure("bad_url", f"网址无效：网址中不能包含用户名或密码：{text}", text)
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise FetchFailure("bad_url", f"网址无效：域名不合法：{text}", text) from None
    return scheme, host.lower(), port or (443 if scheme == "https" else 80)


def literal_ip(host: str) -> IPAddress | None:
    """The address when ``host`` is an IP literal (``127.0.0.1``, ``::1``), else None.

    Also reads the legacy forms the C library accepts (``2130706433``, ``0x7f.1``, ``127.1``), which
    a resolver would turn into 127.0.0.1 without any DNS lookup.
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefx." for c in host.lower()) and any(c.isdigit() for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address stands for (mapped, 6to4, Teredo client/server, NAT64)."""
    out: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        out.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        out.append(ip.sixtofour)
    if ip.teredo is not None:
        out.extend(ip.teredo)
    if ip in _NAT64 or ip in _NAT64_LOCAL:
        out.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return out


def is_public(ip: IPAddress) -> bool:
    """True for a public unicast address the collector may connect to."""
    if isinstance(ip, ipaddress.IPv6Address):
        if any(not is_public(v4) for v4 in _embedded_ipv4(ip)):
            return False
        if ip.scope_id:  # fe80::1%eth0
            return False
    # is_global alone lets multicast (224.0.0.0/4) through on Python 3.11: every flag is checked.
    return not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)  # deprecated fec0::/10
        or not ip.is_global
    )


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6), in the system's preference order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[str, None] = {}
    for _family, _type, _proto, _canon, sockaddr in infos:
        seen.setdefault(str(sockaddr[0]), None)
    return list(seen)


def host_allowed(host: str, allowed_hosts: Iterable[str]) -> bool:
    """True when the administrator named ``host`` (a name or an address) as reachable."""
    wanted = {h.strip().lower().strip("[]") for h in allowed_hosts}
    return host.lower().strip("[]") in wanted


def vet_addresses(
    url: str, host: str, addresses: list[str], *, allow_private: bool, allowed_hosts: Iterable[str]
) -> list[str]:
    """The addresses to connect to; :class:`FetchFailure` ``blocked`` when any is not public.

    A name that resolves to a public and a private address is refused as a whole: which one a
    connection would use is up to the resolver's order, which an attacker may control.
    """
    allowed_hosts = frozenset(allowed_hosts)
    if allow_private or host_allowed(host, allowed_hosts):
        return addresses
    for text in addresses:
        try:
            ip = ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            raise FetchFailure("blocked", f"已拒绝访问：无法识别的地址 {text}：{url}", url) from None
        if not is_public(ip) and not host_allowed(str(ip), allowed_hosts):
            where = "本机" if ip.is_loopback else "内网或保留"
            named = "" if host.strip("[]") == str(ip) else f"（{host} 解析所得）"
            raise FetchFailure(
                "blocked",
                f"已拒绝访问{where}地址 {ip}{named}：{url}。如确需访问，请管理员在设置中允许该地址",
                url,
            )
    return addresses
