"""The collector's network layer (issue 14): safety, hostile servers, retries, rate limit, encodings.

Everything runs against tests/collect_server.py on 127.0.0.1 or an ``httpx.MockTransport``; no test
touches the internet. Hostile cases use short policy times and assert both the failure reason and
that it came within a bounded time.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from datetime import UTC, datetime

import httpx
import pytest
from collect_server import CollectServer, Route, drip, huge

from library.collect.discover import page_title, published_date
from library.collect.fetch import (
    DEFAULT_USER_AGENT,
    Fetched,
    Fetcher,
    FetchFailure,
    FetchPolicy,
    kind_of,
    require_document,
)
from library.collect.safety import is_public, literal_ip, split_url

LOCAL = frozenset({"127.0.0.1"})


def policy(**kw) -> FetchPolicy:
    """A test policy: the local server allowed, no rate limit, short times."""
    base = dict(timeout_s=3.0, connect_timeout_s=2.0, retries=0, backoff_s=0.01, per_host_interval_s=0.0)
    base["allowed_hosts"] = LOCAL
    base.update(kw)
    return FetchPolicy(**base)  # type: ignore[arg-type]


def failure(fetcher: Fetcher, url: str) -> tuple[FetchFailure, float]:
    start = time.monotonic()
    with pytest.raises(FetchFailure) as info:
        fetcher.fetch(url)
    return info.value, time.monotonic() - start


# --------------------------------------------------------------------------- ordinary fetches


def test_fetch_keeps_url_time_headers_and_hash(server, site):
    url = site.url(site.hz_2024_page)
    with Fetcher(policy()) as f:
        got = f.fetch(url)
    assert got.url == url and got.final_url == url and got.status == 200
    assert got.content_type == "text/html" and got.charset == "utf-8"
    assert got.fetched_at.tzinfo is not None and got.fetched_at.utcoffset() == UTC.utcoffset(None)
    assert got.http_date and got.http_date.endswith("GMT")
    assert got.sha256 == hashlib.sha256(got.data).hexdigest()
    assert "淮安市洪泽区人民政府2024年政府信息公开工作年度报告".encode() in got.data
    assert kind_of(got) == "html" and require_document(got) == "html"


def test_real_pdf_attachment_is_fetched_whole(server, site, samples_dir):
    with Fetcher(policy()) as f:
        got = f.fetch(site.url(site.hz_2024_pdf))
    assert got.data == (samples_dir / "hongze-district-government-2024.pdf").read_bytes()
    assert got.content_type == "application/pdf" and kind_of(got) == "pdf"
    assert got.last_modified == "Mon, 20 Jan 2025 01:30:00 GMT"


def test_pdf_served_as_octet_stream_is_still_a_pdf(server, site):
    with Fetcher(policy()) as f:
        got = f.fetch(site.url(site.hz_2023_pdf))
    assert got.content_type == "application/octet-stream" and kind_of(got) == "pdf"


def test_redirects_are_followed_and_reported(server, site):
    server.redirect("/old/nb2024.html", site.hz_2024_page, status=301)
    server.redirect("/short/1", "/old/nb2024.html")  # two hops, relative locations
    with Fetcher(policy()) as f:
        got = f.fetch(server.url("/short/1"))
    assert got.url == server.url("/short/1")
    assert got.final_url == site.url(site.hz_2024_page)
    assert got.status == 200


def test_user_agent_and_language_are_sent(server):
    server.set("/ua.html", "<html><body>ok</body></html>")
    with Fetcher(policy()) as f:
        f.fetch(server.url("/ua.html"))
    headers = server.requests("/ua.html")[-1].headers
    assert headers["user-agent"] == DEFAULT_USER_AGENT
    assert "NianbaoDashboard" in headers["user-agent"]
    assert headers["accept-language"].startswith("zh-CN")


def test_page_changed_between_two_fetches_gives_a_new_hash(server):
    page = "<html><body><table><tr><td>申请</td><td>{}</td></tr></table></body></html>"
    server.set("/changing.html", page.format(5))
    with Fetcher(policy()) as f:
        first = f.fetch(server.url("/changing.html"))
        server.set("/changing.html", page.format(6))
        second = f.fetch(server.url("/changing.html"))
    assert first.sha256 != second.sha256
    assert b">6<" in second.data


# --------------------------------------------------------------------------- encodings


def test_gbk_page_declared_by_header_only_is_decoded(server, site):
    page = site.seed("002")
    assert page.encoding == "gbk-header"
    with Fetcher(policy()) as f:
        got = f.fetch(site.url(page.path))
    assert got.charset == "gbk"
    assert b"<meta http-equiv" not in got.data.split(b"</head>")[0].lower()  # nothing in the page says GBK
    with pytest.raises(UnicodeDecodeError):
        got.data.decode("utf-8")
    assert page_title(got.data, got.charset) == page.title
    assert published_date(got.data, got.charset).isoformat() == page.published  # type: ignore[union-attr]


def test_gbk_page_declared_by_meta_parses_to_the_real_values(server, site, samples_dir):
    """The fetched bytes of a GBK page go through the real parser and give the seed's values."""
    from parsing.api import parse_bytes

    page = site.seed("000")
    with Fetcher(policy()) as f:
        got = f.fetch(site.url(page.path))
    assert got.charset is None  # the header says text/html only
    assert page_title(got.data) == "施秉县教育和科技局2020年政府信息公开工作年度报告"
    parsed = parse_bytes(got.data, "report.html")
    expected = json.loads((samples_dir / "expected" / f"{page.stem}.json").read_text(encoding="utf-8"))
    assert parsed.agency == expected["agency"] and parsed.year == expected["year"]
    want = {k: v["value"] for k, v in expected["cells"].items()}
    have = {k: c.value for k, c in parsed.cells.items()}
    assert have == want


# --------------------------------------------------------------------------- hostile servers


def test_404_and_410(server, site):
    with Fetcher(policy(retries=2)) as f:
        missing, _ = failure(f, server.url("/no/such/page.html"))
        gone, _ = failure(f, site.url("/gone.html"))
    assert (missing.reason, missing.status) == ("not_found", 404)
    assert (gone.reason, gone.status) == ("gone", 410)
    assert "404" in str(missing) and "410" in str(gone)
    assert server.hits("/no/such/page.html") == 1  # a 404 is not retried


def test_redirect_loop_stops_after_the_limit(server):
    server.redirect("/loop2/a", "/loop2/b")
    server.redirect("/loop2/b", "/loop2/a")
    with Fetcher(policy(max_redirects=5)) as f:
        exc, took = failure(f, server.url("/loop2/a"))
    assert exc.reason == "too_many_redirects" and "5" in exc.message
    assert server.hits("/loop2/a") + server.hits("/loop2/b") == 6  # the request and 5 redirects
    assert took < 2


def test_slow_drip_body_times_out_by_the_wall_clock(server):
    """A server that sends a byte every 0.2 s forever: each read succeeds, the whole body never ends."""
    server.set("/drip-body.html", drip(0.2))
    with Fetcher(policy(timeout_s=1.0)) as f:
        exc, took = failure(f, server.url("/drip-body.html"))
    assert exc.reason == "timeout" and "1 秒" in exc.message
    assert 0.9 <= took < 2.0


def test_slow_drip_is_retried_within_bounds(server):
    server.set("/drip-retry.html", drip(0.1))
    with Fetcher(policy(timeout_s=0.5, retries=1, backoff_s=0.05)) as f:
        exc, took = failure(f, server.url("/drip-retry.html"))
    assert exc.reason == "timeout"
    assert server.hits("/drip-retry.html") == 2
    assert took < 2.0


class _RawServer:
    """A TCP server that answers each connection with ``script(conn)`` (headers dripped, silence…)."""

    def __init__(self, script):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.script = script
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        self.sock.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            conn.recv(65536)
            self.script(conn, self.stop)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.sock.close()


def test_headers_dripped_forever_time_out_by_the_wall_clock():
    """The deadline covers the headers too: h11 would wait for 64 KB of header bytes at 5 a second."""

    def script(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        while not stop.is_set():
            conn.sendall(b"X")
            time.sleep(0.2)

    raw = _RawServer(script)
    try:
        with Fetcher(policy(timeout_s=1.0)) as f:
            exc, took = failure(f, f"http://127.0.0.1:{raw.port}/")
    finally:
        raw.close()
    assert exc.reason == "timeout"
    assert took < 2.0


def test_silent_server_times_out():
    raw = _RawServer(lambda conn, stop: stop.wait(5))
    try:
        with Fetcher(policy(timeout_s=0.8)) as f:
            exc, took = failure(f, f"http://127.0.0.1:{raw.port}/")
    finally:
        raw.close()
    assert exc.reason == "timeout" and took < 2.0


def test_oversized_body_announced_is_refused_before_reading(server):
    server.set("/huge-a.html", huge(), content_length=60 * 1024 * 1024)
    with Fetcher(policy(max_bytes=1024 * 1024)) as f:
        exc, took = failure(f, server.url("/huge-a.html"))
    assert exc.reason == "too_large" and "1 MB" in exc.message
    assert took < 1.0


def test_oversized_body_unannounced_is_cut_while_streaming(server):
    server.set("/huge-b.html", huge())
    with Fetcher(policy(timeout_s=10)) as f:  # the default 50 MB limit against 60 MB
        exc, took = failure(f, server.url("/huge-b.html"))
    assert exc.reason == "too_large" and "50 MB" in exc.message
    assert took < 8.0


def test_binary_body_served_as_html_is_returned_but_not_a_document(server, site):
    with Fetcher(policy()) as f:
        got = f.fetch(site.url("/binary.html"))
    assert got.content_type == "text/html" and len(got.data) == 200_000
    assert kind_of(got) == "other"
    with pytest.raises(FetchFailure) as info:
        require_document(got)
    assert info.value.reason == "not_a_document" and "不是网页" in info.value.message


def test_connection_refused_is_a_connection_failure():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    with Fetcher(policy(retries=1, backoff_s=0.01)) as f:
        exc, took = failure(f, f"http://127.0.0.1:{port}/")
    assert exc.reason == "connection" and "无法连接" in exc.message
    assert took < 2


# --------------------------------------------------------------------------- retries and politeness


def test_5xx_is_retried_with_back_off_then_succeeds(server):
    ok = Route(b"<html><body>\xe5\xb9\xb4\xe6\x8a\xa5</body></html>")
    server.set_sequence("/flaky.html", [Route(b"busy", 503), Route(b"busy", 503), ok])
    start = time.monotonic()
    with Fetcher(policy(retries=2, backoff_s=0.1)) as f:
        got = f.fetch(server.url("/flaky.html"))
    took = time.monotonic() - start
    assert got.status == 200 and server.hits("/flaky.html") == 3
    assert took >= 0.1 + 0.2 - 0.02  # back-off 0.1 s, then 0.2 s
    hits = server.requests("/flaky.html")
    assert hits[1].at - hits[0].at >= 0.09 and hits[2].at - hits[1].at >= 0.19  # 0.1 s, then doubled


def test_5xx_that_persists_fails_with_the_status(server):
    server.set("/down.html", b"err", status=502)
    with Fetcher(policy(retries=2, backoff_s=0.01)) as f:
        exc, _ = failure(f, server.url("/down.html"))
    assert (exc.reason, exc.status) == ("http_error", 502) and "502" in exc.message
    assert server.hits("/down.html") == 3


def test_other_4xx_is_an_http_error_without_retry(server):
    server.set("/forbidden.html", b"no", status=403)
    with Fetcher(policy(retries=2)) as f:
        exc, _ = failure(f, server.url("/forbidden.html"))
    assert (exc.reason, exc.status) == ("http_error", 403) and "403" in exc.message
    assert server.hits("/forbidden.html") == 1


def test_requests_to_one_host_are_spaced(server):
    server.set("/polite.html", "<html><body>ok</body></html>")
    with Fetcher(policy(per_host_interval_s=0.3)) as f:
        for _ in range(2):
            f.fetch(server.url("/polite.html"))
    a, b = server.requests("/polite.html")[-2:]
    # Seen by the server: the first request also opened the connection (a few ms of jitter, more on a
    # busy machine); without the limit the gap is about a millisecond.
    assert b.at - a.at >= 0.25


def test_rate_limit_holds_across_threads(server):
    server.set("/polite2.html", "<html><body>ok</body></html>")
    with Fetcher(policy(per_host_interval_s=0.15)) as f:
        threads = [threading.Thread(target=f.fetch, args=(server.url("/polite2.html"),)) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    times = sorted(h.at for h in server.requests("/polite2.html"))
    assert len(times) == 5
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.11
    assert times[-1] - times[0] >= 4 * 0.15 - 0.05


# --------------------------------------------------------------------------- safety


def test_loopback_is_blocked_unless_allowed(server):
    server.set("/secret.html", "<html><body>admin</body></html>")
    with Fetcher(policy(allowed_hosts=frozenset())) as f:
        exc, _ = failure(f, server.url("/secret.html"))
    assert exc.reason == "blocked" and "127.0.0.1" in exc.message and "管理员" in exc.message
    assert server.hits("/secret.html") == 0
    with Fetcher(policy()) as f:  # allowed_hosts={"127.0.0.1"}
        assert f.fetch(server.url("/secret.html")).status == 200
    with Fetcher(policy(allowed_hosts=frozenset(), allow_private=True)) as f:
        assert f.fetch(server.url("/secret.html")).status == 200


def _recording_transport():
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, html="<html><body>ok</body></html>")

    return httpx.MockTransport(handler), calls


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.8/nb.html",
        "http://192.168.1.1/",
        "http://172.16.5.4/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0:8501/",
        "http://224.0.0.1/",
        "http://255.255.255.255/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[::ffff:127.0.0.1]:8501/",
        "http://[64:ff9b::a00:1]/",
        "http://[2002:7f00:1::]/",
        "http://127.0.0.1:8501/",
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://localhost:8501/",
    ],
)
def test_private_and_special_addresses_are_blocked_without_traffic(url):
    transport, calls = _recording_transport()
    with Fetcher(FetchPolicy(retries=0), transport=transport, resolver=lambda h, p: ["127.0.0.1"]) as f:
        exc, _ = failure(f, url)
    assert exc.reason == "blocked", exc.message
    assert calls == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.gov.cn/nb.pdf",
        "gopher://example.gov.cn/",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "",
        "http://",
        "//example.gov.cn/nb.html",
        "http://user:pass@example.gov.cn/",
        "http://example.gov.cn:99999/",
    ],
)
def test_bad_urls_are_refused_without_traffic(url):
    transport, calls = _recording_transport()
    with Fetcher(FetchPolicy(retries=0), transport=transport, resolver=lambda h, p: ["203.0.113.9"]) as f:
        exc, _ = failure(f, url)
    assert exc.reason == "bad_url", exc.message
    assert exc.message.startswith("网址")
    assert calls == []


def test_host_names_resolving_to_private_addresses_are_blocked():
    transport, calls = _recording_transport()
    names = {
        "intranet.example.gov.cn": ["10.1.2.3"],
        "mixed.example.gov.cn": ["93.184.216.34", "192.168.0.7"],
    }
    with Fetcher(FetchPolicy(retries=0), transport=transport, resolver=lambda h, p: names[h]) as f:
        for host in names:
            exc, _ = failure(f, f"http://{host}/nb.html")
            assert exc.reason == "blocked" and host in exc.message
    assert calls == []


def test_public_host_goes_through_with_a_mock_transport():
    transport, calls = _recording_transport()
    with Fetcher(FetchPolicy(retries=0), transport=transport, resolver=lambda h, p: ["93.184.216.34"]) as f:
        got = f.fetch("https://www.example.gov.cn/xxgk/ndbg/index.html")
    assert got.status == 200 and len(calls) == 1


def test_redirect_to_a_blocked_address_is_blocked(server):
    server.redirect("/to-metadata", "http://169.254.169.254/latest/meta-data/")
    server.redirect("/to-intranet", "http://10.0.0.5:8080/admin")
    server.redirect("/to-file", "file:///etc/passwd")
    with Fetcher(policy()) as f:
        cases = (("/to-metadata", "blocked"), ("/to-intranet", "blocked"), ("/to-file", "bad_url"))
        for path, reason in cases:
            exc, took = failure(f, server.url(path))
            assert exc.reason == reason, (path, exc.message)
            assert took < 1


def test_dns_answer_is_checked_where_it_is_connected(server):
    """Default transport: the name is resolved once, at connection time, and that answer is checked.

    A rebinding name answering 127.0.0.1 is refused before any byte reaches the server; when the
    administrator allows 127.0.0.1 the connection goes to that checked address, with the name kept in
    the Host header (so virtual hosting and TLS names still work)."""
    server.set("/rebind.html", "<html><body>inside</body></html>")
    lookups: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    url = f"http://nianbao-rebind.example:{server.port}/rebind.html"
    with Fetcher(policy(allowed_hosts=frozenset()), resolver=rebinding) as f:
        exc, _ = failure(f, url)
    assert exc.reason == "blocked" and "nianbao-rebind.example" in exc.message
    assert server.hits("/rebind.html") == 0
    lookups.clear()
    with Fetcher(policy(), resolver=rebinding) as f:
        got = f.fetch(url)
    assert got.status == 200 and lookups == ["nianbao-rebind.example"]  # one lookup, the checked one
    assert server.requests("/rebind.html")[-1].headers["host"] == f"nianbao-rebind.example:{server.port}"


def test_unresolvable_host_is_a_connection_failure():
    def nxdomain(host: str, port: int) -> list[str]:
        raise socket.gaierror(-2, "Name or service not known")

    with Fetcher(policy(), resolver=nxdomain) as f:
        exc, _ = failure(f, "http://no-such-host.example.gov.cn/")
    assert exc.reason == "connection" and "域名无法解析" in exc.message


def test_address_rules():
    assert is_public(literal_ip("93.184.216.34"))  # type: ignore[arg-type]
    assert is_public(literal_ip("2606:2800:220:1:248:1893:25c8:1946"))  # type: ignore[arg-type]
    for text in ("127.0.0.1", "10.0.0.1", "169.254.1.1", "::1", "fe80::1", "::ffff:192.168.0.1", "240.0.0.1"):
        assert not is_public(literal_ip(text)), text  # type: ignore[arg-type]
    assert literal_ip("www.gov.cn") is None
    assert split_url("HTTP://WWW.Gov.CN/a") == ("http", "www.gov.cn", 80)
    assert split_url("https://[::1]:8443/") == ("https", "::1", 8443)
    assert split_url("http://政府.中国/")[1] == "xn--mxtq1m.xn--fiqs8s"


def test_fetched_is_immutable_and_hash_is_stable():
    got = Fetched("u", "u", 200, "text/html", None, b"abc", datetime.now(UTC), None, None, None)
    assert got.sha256 == hashlib.sha256(b"abc").hexdigest()
    with pytest.raises(AttributeError):
        got.data = b"x"  # type: ignore[misc]


# --------------------------------------------------------------------------- HTTPS


def _self_signed(tmp_path, name: str):
    """A certificate for ``name`` (and its key), made here: no network, no fixture file."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


@pytest.fixture()
def tls_server(tmp_path):
    import ssl

    name = "nianbao-tls.example"
    cert_file, key_file = _self_signed(tmp_path, name)
    srv = CollectServer().start()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    httpd = srv._httpd
    assert httpd is not None
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    srv.set("/tls.html", "<html><body>加密</body></html>")
    try:
        yield srv, name, cert_file
    finally:
        srv.stop()


def test_https_certificate_that_cannot_be_verified_is_a_clear_failure(tls_server):
    srv, _name, _cert = tls_server
    with Fetcher(policy(retries=2, backoff_s=0.01)) as f:
        exc, took = failure(f, f"https://127.0.0.1:{srv.port}/tls.html")
    assert exc.reason == "connection" and "证书" in exc.message
    assert srv.hits("/tls.html") == 0 and took < 2


def test_https_to_a_pinned_address_keeps_the_name_for_sni_and_verification(tls_server, monkeypatch):
    """The connection goes to the checked address while TLS verifies the certificate for the name."""
    import ssl

    srv, name, cert_file = tls_server
    trusted = ssl.create_default_context(cafile=str(cert_file))
    monkeypatch.setattr(httpx, "create_ssl_context", lambda **kw: trusted)
    with Fetcher(policy(), resolver=lambda host, port: ["127.0.0.1"]) as f:
        got = f.fetch(f"https://{name}:{srv.port}/tls.html")
        assert got.status == 200 and "加密" in got.data.decode()
        # The same server by address: the certificate names the host, not 127.0.0.1.
        exc, _ = failure(f, f"https://127.0.0.1:{srv.port}/tls.html")
    assert exc.reason == "connection" and "证书" in exc.message


# --------------------------------------------------------------------------- any input


def test_any_url_text_gives_a_fetch_failure_or_a_document():
    """Whatever a user pastes: a FetchFailure with a Chinese message, never another exception."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    transport, calls = _recording_transport()
    fetcher = Fetcher(
        FetchPolicy(retries=0, per_host_interval_s=0),
        transport=transport,
        resolver=lambda h, p: ["93.184.216.34"],
    )
    prefixes = st.sampled_from(
        ["http://", "https://", "HTTP://", "ftp://", "", "//", "http://[", "http://a:b@"]
    )

    @settings(max_examples=300, deadline=None)
    @given(prefix=prefixes, rest=st.text(max_size=40))
    def check(prefix: str, rest: str) -> None:
        try:
            fetcher.fetch(prefix + rest)
        except FetchFailure as exc:
            assert exc.reason in {"bad_url", "blocked", "connection"} and exc.message

    try:
        check()
    finally:
        fetcher.close()


# --------------------------------------------------------------------------- benchmark pages


def test_benchmark_pages_are_distinct_valid_reports():
    """add_report_pages serves distinct pages the real parser reads as complete, consistent reports."""
    from collect_server import add_report_pages

    from library.collect.discover import report_links
    from parsing.api import parse_bytes

    with CollectServer() as srv, Fetcher(policy()) as f:
        urls = add_report_pages(srv, 8)
        column = f.fetch(srv.url("/bench/index.html"))
        assert [link.url for link in report_links(column.data, column.final_url)] == urls
        pages = [f.fetch(u) for u in urls]
    assert len({p.sha256 for p in pages}) == 8
    seen = set()
    for got in pages:
        parsed = parse_bytes(got.data, "page.html")
        assert parsed.agency and parsed.agency.startswith("(合成)") and parsed.year
        assert published_date(got.data) is not None and published_date(got.data).year == parsed.year + 1
        assert parsed.checks and not [c for c in parsed.checks if c.status == "fail"]
        seen.add((parsed.agency, parsed.year))
    assert len(seen) == 8


# --------------------------------------------------------------------------- what a body is


def _fetched(data: bytes, url: str = "http://x.gov.cn/a", content_type: str = "") -> Fetched:
    return Fetched(url, url, 200, content_type, None, data, datetime.now(UTC), None, None, None)


def test_kind_of_by_magic_bytes_then_extension(samples_dir):
    import io
    import zipfile

    from realistic_docs import Layout, make_report, xlsx_bytes

    from parsing import schema

    docx = (samples_dir / "rendered" / "000_bd3a826d0705f6e5.docx").read_bytes()
    pdf = (samples_dir / "hongze-district-government-2023.pdf").read_bytes()
    rep = make_report("某县教育局", 2023, schema.V2021, schema.V2021, seed=1)
    xlsx = xlsx_bytes(rep, Layout())
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    word = ole + "WordDocument".encode("utf-16-le") + b"\x00" * 100
    excel = ole + "Workbook".encode("utf-16-le") + b"\x00" * 100
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "x")
    cases = [
        (_fetched(pdf, "http://x.gov.cn/download?id=1", "text/html"), "pdf"),  # the bytes decide
        (_fetched(docx, "http://x.gov.cn/a.pdf", "application/pdf"), "docx"),
        (_fetched(xlsx, "http://x.gov.cn/a.xlsx"), "xlsx"),
        (_fetched(word, "http://x.gov.cn/nb2023.wps"), "wps"),  # .wps and .doc share the container
        (_fetched(word, "http://x.gov.cn/nb2023.doc"), "doc"),
        (_fetched(word, "http://x.gov.cn/dl.jsp?file=nb.wps"), "wps"),
        (_fetched(excel, "http://x.gov.cn/nb.xls"), "xls"),
        (_fetched("<html><body><p>年报</p></body></html>".encode(), content_type="text/html"), "html"),
        (_fetched("一、总体情况\n本年度……".encode(), content_type="text/html"), "html"),
        (_fetched("一、总体情况\n本年度……".encode(), content_type="text/plain"), "txt"),
        (_fetched(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, content_type="text/html"), "other"),
        (_fetched(archive.getvalue()), "other"),
        (_fetched(b""), "other"),
        (_fetched(b"Rar!\x1a\x07\x00rest"), "other"),
    ]
    for fetched, kind in cases:
        assert kind_of(fetched) == kind, (fetched.url, kind)
    with pytest.raises(FetchFailure) as info:
        require_document(_fetched(b""))
    assert info.value.reason == "not_a_document"
