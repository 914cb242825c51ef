"""The webhook HTTP sender: SSRF refusals, pinned connections, timeouts and size limits."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest

from elo.webhooks import http
from tests.webhooks.conftest import Reply


@pytest.fixture
def no_allow_list(settings: Any) -> None:
    settings.ELO_WEBHOOK_ALLOWED_HOSTS = []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://127.8.9.10:8080/hook",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.20/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://[::1]/",
        "http://[::]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[ff02::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[2002:7f00:1::]/",
        "http://[64:ff9b::a00:1]/",
        "http://localhost/",
        "http://LOCALHOST./",
    ],
)
def test_internal_destinations_are_refused(db: Any, no_allow_list: None, url: str) -> None:
    with pytest.raises(http.DestinationRefused):
        http.check_destination(url)
    with pytest.raises(http.DestinationRefused):
        http.post(url, b"{}", {})


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
        "http:///nohost",
        "http://user:secret@93.184.216.34/",
        "http://93.184.216.34:99999/",
        "http://93.184.216.34/a b",
        "",
    ],
)
def test_malformed_urls_are_refused(db: Any, url: str) -> None:
    with pytest.raises(http.DestinationRefused):
        http.check_destination(url)


def test_public_literal_is_accepted(db: Any, no_allow_list: None) -> None:
    http.check_destination("https://93.184.216.34/hook")
    http.check_destination("http://[2606:4700::1111]:8443/hook")


def test_hostname_resolving_to_loopback_is_refused(
    db: Any, no_allow_list: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = socket.getaddrinfo

    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "hooks.example.com":
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with pytest.raises(http.DestinationRefused, match=r"127\.0\.0\.1, a loopback address"):
        http.check_destination("https://hooks.example.com/hook")


def test_one_internal_address_among_public_ones_is_refused(
    db: Any, no_allow_list: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with pytest.raises(http.DestinationRefused, match=r"10\.0\.0\.5"):
        http.check_destination("https://mixed.example.com/")


def test_post_reaches_an_allow_listed_receiver(receiver: Any) -> None:
    receiver.replies.append(Reply(status=202, body=b"accepted \xff"))
    response = http.post(receiver.url("/in?x=1"), b'{"a": 1}', {"Content-Type": "application/json"})
    assert response.status == 202
    assert response.excerpt == "accepted \ufffd"
    assert response.truncated is False
    assert response.duration_ms >= 0
    assert response.headers["content-length"] == "10"
    [request] = receiver.requests
    assert request.path == "/in?x=1"
    assert request.body == b'{"a": 1}'
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == http.USER_AGENT


def test_allow_list_entry_without_port_allows_every_port(receiver: Any, settings: Any) -> None:
    settings.ELO_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    assert http.post(receiver.url(), b"", {}).status == 200


def test_allow_list_entry_for_another_port_does_not_allow(receiver: Any, settings: Any) -> None:
    settings.ELO_WEBHOOK_ALLOWED_HOSTS = [f"127.0.0.1:{receiver.port + 1}"]
    with pytest.raises(http.DestinationRefused):
        http.post(receiver.url(), b"", {})
    assert receiver.requests == []


def test_allow_list_from_the_environment(
    receiver: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    del settings.ELO_WEBHOOK_ALLOWED_HOSTS
    monkeypatch.setenv("ELO_WEBHOOK_ALLOWED_HOSTS", f"example.org, 127.0.0.1:{receiver.port}")
    assert http.post(receiver.url(), b"", {}).status == 200


def test_connects_to_the_checked_address_and_keeps_the_hostname(
    receiver: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One resolution per request: a DNS answer cannot change between check and connect."""
    calls: list[str] = []
    real = socket.getaddrinfo

    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(host)
        return real("127.0.0.1", port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    settings.ELO_WEBHOOK_ALLOWED_HOSTS = [f"hooks.example.com:{receiver.port}"]
    response = http.post(f"http://hooks.example.com:{receiver.port}/x", b"", {})
    assert response.status == 200
    # The connection only "resolves" the checked literal address again.
    assert calls == ["hooks.example.com", "127.0.0.1"]
    assert receiver.requests[0].headers["host"] == f"hooks.example.com:{receiver.port}"


def test_redirects_are_not_followed(receiver: Any) -> None:
    receiver.replies.append(Reply(status=302, headers={"Location": "http://10.0.0.1/"}))
    response = http.post(receiver.url(), b"", {})
    assert response.status == 302
    assert len(receiver.requests) == 1


def test_slow_receiver_times_out(receiver: Any) -> None:
    receiver.replies.append(Reply(delay=2.0))
    started = time.monotonic()
    with pytest.raises(http.RequestTimeout):
        http.post(receiver.url(), b"", {}, timeout=0.3)
    assert time.monotonic() - started < 1.5


def test_oversized_response_is_cut_at_the_cap(receiver: Any) -> None:
    receiver.replies.append(Reply(body=b"x" * (5 * 1024 * 1024)))
    response = http.post(receiver.url(), b"", {})
    assert response.status == 200
    assert response.truncated is True
    assert response.excerpt == "x" * http.EXCERPT_BYTES


def test_closed_port_is_a_transport_error(receiver: Any, settings: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.ELO_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    with pytest.raises(http.TransportError) as caught:
        http.post(f"http://127.0.0.1:{port}/", b"", {})
    assert not isinstance(caught.value, http.RequestTimeout)


@pytest.fixture
def tls_receiver(tmp_path: Any, receiver: Any) -> Any:
    """The receiver behind TLS with a self-signed certificate for hooks.test."""
    import shutil
    import ssl
    import subprocess
    import threading
    from http.server import ThreadingHTTPServer

    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=hooks.test",
            "-addext", "subjectAltName=DNS:hooks.test",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server_names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: server_names.append(name)
    assert receiver.server is not None
    handler = receiver.server.RequestHandlerClass
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield {"port": server.server_address[1], "cafile": str(cert), "names": server_names}
    finally:
        server.shutdown()
        server.server_close()


def test_https_checks_the_certificate_against_the_hostname(
    tls_receiver: Any, receiver: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ssl

    real = socket.getaddrinfo

    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        return real("127.0.0.1", port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    monkeypatch.setattr(
        http, "_tls_context", lambda: ssl.create_default_context(cafile=tls_receiver["cafile"])
    )
    port = tls_receiver["port"]
    settings.ELO_WEBHOOK_ALLOWED_HOSTS = [f"hooks.test:{port}", f"other.test:{port}"]
    response = http.post(f"https://hooks.test:{port}/secure", b"{}", {})
    assert response.status == 200
    assert tls_receiver["names"] == ["hooks.test"]
    assert receiver.requests[-1].headers["host"] == f"hooks.test:{port}"
    with pytest.raises(http.TransportError, match="TLS error"):
        http.post(f"https://other.test:{port}/secure", b"{}", {})


def test_header_http_client_refuses_is_a_transport_error(receiver: Any) -> None:
    with pytest.raises(http.TransportError, match="Invalid request"):
        http.post(receiver.url(), b"", {"X-Bad": "line\r\nInjected: yes"})
    assert receiver.requests == []
