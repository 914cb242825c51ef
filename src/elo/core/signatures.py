"""X-Elo-Signature, the signature Elo's public inbound endpoints (email, call events) ask
for: `sha256=` and the hex HMAC-SHA256 of the raw body with a shared secret."""

from __future__ import annotations

import hashlib
import hmac


def sign(secret: str, body: bytes) -> str:
    """`sha256=<hex>`, the value of the X-Elo-Signature header."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, header: str) -> bool:
    """Refuses everything when no secret is configured; compares in constant time."""
    if not secret or not header:
        return False
    return hmac.compare_digest(sign(secret, body).encode(), header.strip().encode())
