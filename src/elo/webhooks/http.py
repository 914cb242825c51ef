"""An HTTP POST for outbound webhooks that refuses internal destinations (SSRF protection).

`check_destination(url)` resolves the host and refuses loopback, private, link-local,
reserved, multicast and unspecified addresses (IPv4 and IPv6, including IPv4 addresses
embedded in IPv6 ones) unless an admin allow-listed the host. `post()` checks the same way
and then connects to the very address it checked, so a DNS answer that changes between the
check and the connection cannot redirect the request; for https the certificate and SNI
still use the hostname. Redirects are never followed, the response body read is capped and
the timeout bounds connecting, every read and the whole body.

Allow-list entries are `host` or `host:port` (`[::1]:8080` for IPv6), from the
`ELO_WEBHOOK_ALLOWED_HOSTS` setting or environment variable (comma-separated) and from the
allow-list admins edit on the webhooks settings page.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MAX_BODY_BYTES = 64 * 1024
EXCERPT_BYTES = 1024
USER_AGENT = "Elo-Webhooks/1.0"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class WebhookHTTPError(Exception):
    """Base of the errors `post()` raises; `message` is safe to show to an admin."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DestinationRefused(WebhookHTTPError):
    """The URL is not acceptable: wrong scheme, no host, or an internal address."""


class TransportError(WebhookHTTPError):
    """Connecting, sending or receiving failed (refused connection, TLS error, reset...)."""


class RequestTimeout(TransportError):
    """The destination did not answer within the timeout."""


@dataclass(frozen=True)
class Response:
    status: int
    duration_ms: int
    excerpt: str
    headers: Mapping[str, str] = field(default_factory=dict)
    truncated: bool = False


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def allowed_hosts() -> set[str]:
    """Lower-cased allow-list entries from settings/environment and from the database."""
    from django.conf import settings

    configured = getattr(settings, "ELO_WEBHOOK_ALLOWED_HOSTS", None)
    if configured is None:
        configured = os.environ.get("ELO_WEBHOOK_ALLOWED_HOSTS", "")
    if isinstance(configured, str):
        configured = configured.split(",")
    entries = {str(entry).strip().lower() for entry in configured}
    entries |= _database_allowed_hosts()
    entries.discard("")
    return entries


def _database_allowed_hosts() -> set[str]:
    from django.apps import apps

    try:
        model = apps.get_model("webhooks", "AllowedHost")
        return {host.lower() for host in model.objects.values_list("host", flat=True)}
    except Exception:  # no such model or table yet (a fresh install), or no database
        return set()


def _is_allowed(host: str, port: int) -> bool:
    entries = allowed_hosts()
    if not entries:
        return False
    names = {host}
    if ":" in host:  # IPv6 literal: accept "::1" and "[::1]"
        names.add(f"[{host}]")
    return any(name in entries or f"{name}:{port}" in entries for name in names)


def refusal_reason(address: IPAddress) -> str | None:
    """Why an address is internal ("loopback", "private", ...), or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is None and address in ipaddress.IPv6Network("64:ff9b::/96"):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            reason = refusal_reason(embedded)
            if reason:
                return reason
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    )
    for reason, matched in checks:
        if matched:
            return reason
    if not address.is_global:  # e.g. 100.64.0.0/10, shared address space of carriers
        return "non-public"
    return None


def _split(url: str) -> tuple[str, str, int, str]:
    if not isinstance(url, str) or not url or len(url) > 2000:
        raise DestinationRefused("The URL is empty or too long.")
    if any(ch in url for ch in "\r\n\t ") or any(ord(ch) < 32 for ch in url):
        raise DestinationRefused("The URL contains spaces or control characters.")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise DestinationRefused("Only http and https URLs are accepted.")
    if parts.username is not None or parts.password is not None:
        raise DestinationRefused("Credentials in the URL are not accepted; use the signature.")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise DestinationRefused("The URL has no host.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as error:
        raise DestinationRefused("The URL has an invalid port.") from error
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, host, port, path


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def validate_url(url: str) -> None:
    """The checks that need no DNS: scheme, host, and an internal IP literal.

    Services run this when a subscription is saved; `check_destination` (at delivery time)
    also resolves host names.
    """
    _scheme, host, port, _path = _split(url)
    address = _literal(host)
    if address is not None and not _is_allowed(host, port):
        reason = refusal_reason(address)
        if reason:
            raise DestinationRefused(f"The address {host} is {reason}; it is not allowed.")


def _resolve(url: str) -> _Target:
    scheme, host, port, path = _split(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as error:
        raise DestinationRefused(f"The host {host} could not be resolved.") from error
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise DestinationRefused(f"The host {host} could not be resolved.")
    if not _is_allowed(host, port):
        for text in addresses:
            reason = refusal_reason(ipaddress.ip_address(text))
            if reason:
                raise DestinationRefused(
                    f"The host {host} resolves to {text}, a {reason} address; "
                    "an admin must allow-list it."
                )
    return _Target(scheme, host, port, path, tuple(addresses))


def check_destination(url: str) -> None:
    """Raises `DestinationRefused` unless `url` is http(s) to a public or allow-listed host."""
    _resolve(url)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to a fixed, already checked address; the Host header keeps the hostname."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.pinned_address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = http.client.HTTPS_PORT

    def __init__(
        self, host: str, port: int, address: str, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, address, timeout)
        self.tls_context = context

    def connect(self) -> None:
        super().connect()
        # Certificate and SNI are checked against the hostname, not the pinned address.
        self.sock = self.tls_context.wrap_socket(self.sock, server_hostname=self.host)


def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


def _read_capped(
    response: http.client.HTTPResponse, sock: socket.socket, deadline: float
) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_BODY_BYTES:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the response body took too long")
        sock.settimeout(remaining)
        chunk = response.read1(min(16384, MAX_BODY_BYTES + 1 - size))
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)[:MAX_BODY_BYTES], True


def post(url: str, body: bytes, headers: Mapping[str, str], *, timeout: float = 10.0) -> Response:
    """POSTs `body` to `url` and returns the status, duration and the body's first 1 KB.

    Raises `DestinationRefused` before connecting to a refused destination,
    `RequestTimeout` when the timeout passes and `TransportError` on any other network
    failure. A 3xx is returned as is: redirects are not followed.
    """
    target = _resolve(url)
    started = time.monotonic()
    deadline = started + timeout
    request_headers = {"User-Agent": USER_AGENT, **dict(headers)}
    last_error: WebhookHTTPError | None = None
    for address in target.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        connection: _PinnedHTTPConnection
        if target.scheme == "https":
            connection = _PinnedHTTPSConnection(
                target.host, target.port, address, remaining, _tls_context()
            )
        else:
            connection = _PinnedHTTPConnection(target.host, target.port, address, remaining)
        try:
            try:
                connection.connect()
            except (TimeoutError, ssl.SSLError):
                raise
            except OSError as error:
                last_error = TransportError(f"Could not connect to {target.host}: {error}")
                continue  # try the host's next checked address
            sock = connection.sock
            assert sock is not None
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            connection.request("POST", target.path, body=body, headers=request_headers)
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            response = connection.getresponse()
            content, truncated = _read_capped(response, sock, deadline)
            return Response(
                status=response.status,
                duration_ms=int((time.monotonic() - started) * 1000),
                excerpt=content[:EXCERPT_BYTES].decode("utf-8", errors="replace"),
                headers={name.lower(): value for name, value in response.getheaders()},
                truncated=truncated,
            )
        except TimeoutError as error:
            raise RequestTimeout(f"No answer within {timeout:g} s.") from error
        except ssl.SSLError as error:
            raise TransportError(f"TLS error: {error}") from error
        except ValueError as error:  # a header or path http.client refuses to send
            raise TransportError(f"Invalid request: {error}") from error
        except (OSError, http.client.HTTPException) as error:
            raise TransportError(f"{type(error).__name__}: {error}") from error
        finally:
            connection.close()
    if last_error is not None:
        raise last_error
    raise RequestTimeout(f"No answer within {timeout:g} s.")
