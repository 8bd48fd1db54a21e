"""Safe, polite, bounded HTTP fetching of report pages and attachments (issue 14, items 2 and 5).

:class:`Fetcher` wraps one ``httpx.Client`` and returns the bytes of a URL as :class:`Fetched`, or
raises :class:`FetchFailure` with a stable ``reason`` and a Chinese message. What it guarantees:

- **Safety** (see :mod:`library.collect.safety`): only http(s); no loopback/private/link-local/…
  address unless the policy allows it; redirects are followed by hand so that every hop is checked
  and counted; with the default transport the address actually connected to is the one that was
  checked (no second DNS lookup for a rebinding attack to answer differently).
- **Bounded**: a wall-clock deadline per request (connect + headers + whole body), enforced on every
  socket read and write, so a server that drips one byte a second cannot hold a worker; the body is
  streamed and abandoned past ``max_bytes`` (a ``Content-Length`` above the limit is refused before
  reading); at most ``max_redirects`` hops.
- **Polite**: a clear User-Agent, a minimum gap between two requests to one host (thread-safe, so a
  pool of workers is still polite), retries with exponential back-off only where a retry can help
  (timeouts, connection errors, 5xx and 429).
- **Inert**: the bytes are only ever parsed (HTML by BeautifulSoup/lxml, documents by the readers);
  no script of a fetched page is executed, no browser is involved, cookies are not kept across hosts.

:func:`kind_of` tells what a fetched body is (by magic bytes first, then Content-Type and extension).
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import httpcore
import httpx

from library.collect.safety import (
    FetchFailure,
    Resolver,
    host_allowed,
    literal_ip,
    split_url,
    system_resolver,
    vet_addresses,
)

__all__ = ["Fetched", "FetchFailure", "FetchPolicy", "Fetcher", "kind_of", "require_document"]

# HTTP headers are ASCII: the agent says in English who fetches and why (政务公开年报看板 collector).
DEFAULT_USER_AGENT = (
    "NianbaoDashboard/1.0 (+gongkai-nianbao-kanban; collects government information disclosure "
    "annual reports for supervision)"
)
_REDIRECTS = (301, 302, 303, 307, 308)
_RETRY_STATUS = 429  # "too many requests": the polite answer is to wait and ask again


@dataclass(frozen=True)
class FetchPolicy:
    """How the fetcher behaves; the defaults suit government sites, tests shorten the times."""

    timeout_s: float = 15.0  # whole request (connect + headers + body), a wall-clock deadline
    connect_timeout_s: float = 5.0
    retries: int = 2  # on timeouts, connection errors, 5xx and 429 only
    backoff_s: float = 0.5  # first pause; doubled for each further retry
    per_host_interval_s: float = 0.5  # minimum gap between two requests to one host
    max_bytes: int = 50 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT
    allow_private: bool = False  # administrator setting: loopback/private/link-local allowed
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)  # reachable even if private


@dataclass(frozen=True)
class Fetched:
    """One fetched document: the bytes and where and when they came from."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int
    content_type: str  # lowercased media type without parameters, '' if absent
    charset: str | None  # from the Content-Type parameters
    data: bytes
    fetched_at: datetime  # timezone-aware UTC
    http_date: str | None  # the Date header
    last_modified: str | None
    etag: str | None

    @cached_property
    def sha256(self) -> str:
        """Hex SHA-256 of the bytes (the library's dedupe key)."""
        return hashlib.sha256(self.data).hexdigest()


class _Blocked(Exception):
    """Raised inside the transport when a connection would reach a refused address."""

    def __init__(self, failure: FetchFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class _Unresolvable(Exception):
    """Raised inside the transport when the host name does not resolve."""


class _Retry(Exception):
    """A failure worth another attempt (after back-off, or after the server's Retry-After)."""

    def __init__(self, failure: FetchFailure, wait_s: float = 0.0) -> None:
        super().__init__(failure.message)
        self.failure = failure
        self.wait_s = wait_s


@dataclass
class _Redirect:
    location: str
    status: int


# The deadline of the request running on this thread, read by the network streams below.
_deadline = threading.local()


def _clamp(timeout: float | None) -> float:
    """``timeout`` cut to what is left of this thread's request deadline; a timeout when none is left."""
    deadline: float | None = getattr(_deadline, "at", None)
    if deadline is None:
        return timeout if timeout is not None else 60.0
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("request deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends by the request's wall-clock deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamp(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamp(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None):
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _clamp(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves, checks and connects in one place, so the checked address is the one connected to."""

    def __init__(self, policy: FetchPolicy, resolver: Resolver) -> None:
        self._policy = policy
        self._resolver = resolver
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        url = getattr(_deadline, "url", None) or f"{host}:{port}"
        ip = literal_ip(host)
        if ip is not None:
            addresses = [str(ip)]
        else:
            try:
                addresses = self._resolver(host, port)
            except (OSError, UnicodeError) as exc:
                raise _Unresolvable(str(exc)) from exc
            if not addresses:
                raise _Unresolvable("no address")
        try:
            vetted = vet_addresses(
                url,
                host,
                addresses,
                allow_private=self._policy.allow_private,
                allowed_hosts=self._policy.allowed_hosts,
            )
        except FetchFailure as failure:
            raise _Blocked(failure) from None
        last: Exception | None = None
        for address in vetted:  # each checked address in turn, like socket.create_connection
            try:
                stream = self._inner.connect_tcp(
                    address, port, _clamp(timeout), local_address, socket_options
                )
                return _DeadlineStream(stream)
            except httpcore.ConnectError as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None):
        raise httpcore.ConnectError("unix sockets are not used by the collector")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport on a connection pool whose network backend is :class:`_GuardedBackend`."""

    def __init__(self, policy: FetchPolicy, resolver: Resolver) -> None:
        super().__init__(trust_env=False)
        if not hasattr(self, "_pool"):  # httpx keeps its httpcore pool there (0.23 … 0.29)
            raise RuntimeError("unsupported httpx version: HTTPTransport has no _pool")
        ssl_context = httpx.create_ssl_context(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(policy, resolver),
        )


class Fetcher:
    """Fetches URLs under a :class:`FetchPolicy`; a context manager around one ``httpx.Client``.

    Thread-safe: one fetcher may serve a pool of workers (the per-host rate limit is shared).
    ``transport`` replaces the network (tests pass ``httpx.MockTransport``); the URL and address
    checks still run before it. ``resolver`` replaces DNS (host, port → addresses).
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self._resolver = resolver or system_resolver
        self._custom_transport = transport is not None
        p = self.policy
        self._client = httpx.Client(
            transport=transport or _GuardedTransport(p, self._resolver),
            follow_redirects=False,
            trust_env=False,  # an environment proxy would connect to addresses we never checked
            timeout=httpx.Timeout(p.timeout_s, connect=min(p.connect_timeout_s, p.timeout_s)),
            headers={
                # A non-ASCII agent set by an administrator goes out as UTF-8 bytes (obs-text).
                b"User-Agent": p.user_agent.encode("utf-8"),
                b"Accept": b"text/html,application/xhtml+xml,application/pdf,application/msword,"
                b"application/vnd.openxmlformats-officedocument.wordprocessingml.document,*/*;q=0.8",
                b"Accept-Language": b"zh-CN,zh;q=0.9",
            },
        )
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}

    # ------------------------------------------------------------------ public

    def fetch(self, url: str) -> Fetched:
        """The document at ``url`` (after redirects); raises :class:`FetchFailure`."""
        url = current = (url or "").strip()
        for _hop in range(self.policy.max_redirects + 1):
            outcome = self._fetch_hop(current, url)
            if isinstance(outcome, _Redirect):
                try:
                    current = _join(current, outcome.location)
                except ValueError:
                    message = f"网站的重定向地址无效（{outcome.location[:200]}）：{current}"
                    raise FetchFailure("bad_url", message, url) from None
                continue
            return outcome
        raise FetchFailure(
            "too_many_redirects",
            f"重定向次数过多（超过 {self.policy.max_redirects} 次），已停止：{url}",
            url,
        )

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ one hop

    def _fetch_hop(self, url: str, requested: str) -> Fetched | _Redirect:
        """One URL of a redirect chain, with its retries."""
        _scheme, host, port = split_url(url)
        self._precheck(url, host, port)
        attempts = max(0, self.policy.retries) + 1
        for attempt in range(attempts):
            try:
                return self._attempt(url, requested, host)
            except _Retry as retry:
                if attempt == attempts - 1:
                    raise retry.failure from None
                time.sleep(max(self.policy.backoff_s * (2**attempt), retry.wait_s))
        raise AssertionError("unreachable")  # pragma: no cover

    def _precheck(self, url: str, host: str, port: int) -> None:
        """Refuse a blocked address before any traffic.

        With the default transport a host *name* is checked where it is connected to (no second
        lookup); an IP literal is refused here already. A custom transport never sees our backend,
        so the name is resolved and checked here.
        """
        p = self.policy
        ip = literal_ip(host)
        if ip is not None:
            vet_addresses(url, host, [str(ip)], allow_private=p.allow_private, allowed_hosts=p.allowed_hosts)
            return
        if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
            if not (p.allow_private or host_allowed(host, p.allowed_hosts)):
                vet_addresses(url, host, ["127.0.0.1"], allow_private=False, allowed_hosts=p.allowed_hosts)
        if self._custom_transport and not (p.allow_private or host_allowed(host, p.allowed_hosts)):
            try:
                addresses = self._resolver(host, port)
            except (OSError, UnicodeError):
                raise FetchFailure("connection", f"无法连接：域名无法解析（{host}）：{url}", url) from None
            vet_addresses(url, host, addresses, allow_private=False, allowed_hosts=p.allowed_hosts)

    def _wait_turn(self, host: str) -> None:
        """Sleep until this host may be asked again (the slot is reserved under the lock)."""
        gap = self.policy.per_host_interval_s
        if gap <= 0:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + gap
        if slot > now:
            time.sleep(slot - now)

    def _attempt(self, url: str, requested: str, host: str) -> Fetched | _Redirect:
        p = self.policy
        self._wait_turn(host)
        _deadline.at = time.monotonic() + p.timeout_s
        _deadline.url = url
        try:
            with self._client.stream("GET", url) as resp:
                return self._read(resp, url, requested)
        except _Blocked as blocked:
            raise blocked.failure from None
        except _Unresolvable:
            failure = FetchFailure("connection", f"无法连接：域名无法解析（{host}）：{url}", url)
            raise _Retry(failure) from None
        except httpx.TimeoutException:
            raise _Retry(self._timeout(url)) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchFailure("bad_url", f"网址格式无效：{url}（{exc}）", url) from None
        except httpx.TransportError as exc:
            if _deadline_passed():
                raise _Retry(self._timeout(url)) from None
            if "CERTIFICATE_VERIFY_FAILED" in str(exc):
                # Not retried: a certificate does not heal in a second. Many sites serve an incomplete
                # chain; the message says so instead of a bare OpenSSL error.
                message = f"无法建立安全连接：网站的 HTTPS 证书无法验证（{_brief(exc)}）：{url}"
                raise FetchFailure("connection", message, url) from None
            if "[SSL" in str(exc):  # an old TLS version or cipher the site still uses
                message = f"无法建立安全连接：与网站的 HTTPS 握手失败（{_brief(exc)}）：{url}"
                raise FetchFailure("connection", message, url) from None
            failure = FetchFailure("connection", f"无法连接或连接中断：{url}（{_brief(exc)}）", url)
            raise _Retry(failure) from None
        except httpx.HTTPError as exc:  # DecodingError: a body that says gzip and is not
            raise FetchFailure("connection", f"下载的内容无法解码：{url}（{_brief(exc)}）", url) from None
        except (ValueError, UnicodeError) as exc:  # a URL httpx cannot encode (odd characters)
            raise FetchFailure("bad_url", f"网址格式无效：{url}（{_brief(exc)}）", url) from None
        finally:
            _deadline.at = None
            _deadline.url = None

    def _read(self, resp: httpx.Response, url: str, requested: str) -> Fetched | _Redirect:
        p = self.policy
        status = resp.status_code
        if status in _REDIRECTS and resp.headers.get("location"):
            return _Redirect(resp.headers["location"], status)
        if status == 404:
            raise FetchFailure("not_found", f"网页不存在（404）：{url}", url, status)
        if status == 410:
            raise FetchFailure("gone", f"网页已被删除（410）：{url}", url, status)
        if status >= 500 or status == _RETRY_STATUS:
            failure = FetchFailure("http_error", f"网站返回错误（HTTP {status}）：{url}", url, status)
            raise _Retry(failure, _retry_after(resp.headers.get("retry-after", "")))
        if status >= 300 or status < 200:
            raise FetchFailure("http_error", f"网站返回错误（HTTP {status}）：{url}", url, status)
        declared = resp.headers.get("content-length", "")
        if declared.strip().isdigit() and int(declared) > p.max_bytes:
            raise self._too_large(url, status)
        chunks: list[bytes] = []
        total = 0
        for chunk in resp.iter_bytes():  # decoded: a gzip bomb is counted as it inflates
            total += len(chunk)
            if total > p.max_bytes:
                raise self._too_large(url, status)
            chunks.append(chunk)
            if _deadline_passed():
                raise _Retry(self._timeout(url))
        media, charset = _content_type(resp.headers.get("content-type", ""))
        return Fetched(
            url=requested,
            final_url=url,
            status=status,
            content_type=media,
            charset=charset,
            data=b"".join(chunks),
            fetched_at=datetime.now(UTC),
            http_date=resp.headers.get("date"),
            last_modified=resp.headers.get("last-modified"),
            etag=resp.headers.get("etag"),
        )

    def _timeout(self, url: str) -> FetchFailure:
        return FetchFailure("timeout", f"请求超时（{self.policy.timeout_s:g} 秒）：{url}", url)

    def _too_large(self, url: str, status: int) -> FetchFailure:
        limit = self.policy.max_bytes
        size = f"{limit / 1048576:g} MB" if limit >= 1048576 else f"{limit:,} 字节"
        return FetchFailure("too_large", f"文件过大（超过 {size}），已停止下载：{url}", url, status)


def _deadline_passed() -> bool:
    at: float | None = getattr(_deadline, "at", None)
    return at is not None and time.monotonic() >= at


# The longest Retry-After the fetcher honours; a longer one is a refusal for today, not a pause.
MAX_RETRY_AFTER_S = 30.0


def _retry_after(value: str) -> float:
    """Seconds a Retry-After header asks for (only the delay-seconds form; 0 if absent or absurd)."""
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_S)
    return 0.0


def _brief(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:200]


def _join(base: str, location: str) -> str:
    """The absolute URL a Location header points to (relative locations are common)."""
    return urljoin(base, location.strip())


def _content_type(header: str) -> tuple[str, str | None]:
    """('text/html', 'gbk') from 'text/html; charset=GBK'."""
    parts = [p.strip() for p in header.split(";")]
    media = parts[0].lower() if parts else ""
    charset = None
    for param in parts[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'").lower()
    return media, charset


# --------------------------------------------------------------------------- what the body is

KINDS = ("html", "pdf", "doc", "docx", "wps", "xls", "xlsx", "txt", "other")
_EXT_KINDS = {
    "pdf": "pdf",
    "doc": "doc",
    "docx": "docx",
    "wps": "wps",
    "xls": "xls",
    "xlsx": "xlsx",
    "htm": "html",
    "html": "html",
    "shtml": "html",
}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def url_extension(url: str) -> str:
    """The lowercased extension of the URL's path (or of a ``?file=…`` style parameter)."""
    parts = urlsplit(url)
    name = unquote(parts.path).rsplit("/", 1)[-1]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in _EXT_KINDS and parts.query:
        for value in parts.query.split("&"):
            tail = unquote(value.partition("=")[2]).rsplit("/", 1)[-1]
            if "." in tail and tail.rsplit(".", 1)[-1].lower() in _EXT_KINDS:
                return tail.rsplit(".", 1)[-1].lower()
    return ext


def kind_of(fetched: Fetched) -> str:
    """What the body is: html, pdf, doc, docx, wps, xls, xlsx, txt or other (see :data:`KINDS`).

    The bytes decide (sites serve PDFs as ``text/html`` and error pages as ``application/pdf``);
    the extension only tells ``.wps`` from ``.doc`` (same container). ``other`` means nothing the
    readers can parse: binary garbage, images, archives, an empty body.
    """
    from parsing.errors import ReadError
    from parsing.readers.sniff import sniff

    data = fetched.data
    ext = url_extension(fetched.final_url) or url_extension(fetched.url)
    if data.startswith(_OLE2) and "WordDocument".encode("utf-16-le") not in data:
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data[:65536]:
            return "xls"  # sniff() refuses legacy Excel; the caller decides what to do with it
    try:
        kind = sniff(data, f"download.{ext}" if ext else "")
    except ReadError:
        return "other"
    if kind == "txt" and fetched.content_type in ("text/html", "application/xhtml+xml"):
        return "html"  # a page with text only, served as a page
    return kind if kind in KINDS else "other"


def require_document(fetched: Fetched) -> str:
    """:func:`kind_of`, or :class:`FetchFailure` ``not_a_document`` when no reader can parse it."""
    kind = kind_of(fetched)
    if kind == "other":
        shown = fetched.content_type or "未知类型"
        raise FetchFailure(
            "not_a_document",
            f"下载的内容不是网页或可读取的文档（{shown}，{len(fetched.data):,} 字节）：{fetched.final_url}",
            fetched.final_url,
            fetched.status,
        )
    return kind
