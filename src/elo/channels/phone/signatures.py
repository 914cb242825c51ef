"""Checks that a call event really comes from the telephony system that claims to send it."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable


def generic_signature(secret: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the raw request body, keyed with the shared secret."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def generic_signature_valid(secret: str, body: bytes, header: str) -> bool:
    """Refuses everything when no secret is configured; compares in constant time."""
    if not secret or not header:
        return False
    return hmac.compare_digest(generic_signature(secret, body).encode(), header.strip().encode())


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """Twilio's X-Twilio-Signature: the full URL Twilio called, followed by every POST
    parameter's name and value sorted by name (no separators), HMAC-SHA1 with the account's
    auth token, base64-encoded."""
    payload = url + "".join(f"{name}{value}" for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signature_valid(
    auth_token: str, url: str, params: Iterable[tuple[str, str]], header: str
) -> bool:
    if not auth_token or not header:
        return False
    expected = twilio_signature(auth_token, url, params)
    return hmac.compare_digest(expected.encode(), header.strip().encode())
