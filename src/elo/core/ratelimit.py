"""A fixed-window request limit per client address for public endpoints, kept in Django's
cache: per process with the default local-memory cache, shared across processes with a shared
cache (Redis)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest


def over_limit(request: HttpRequest, *, scope: str, limit: int, window: int = 60) -> bool:
    """Counts this request against `scope`; True once the client has sent more than `limit`
    requests in the current `window` seconds. A limit of 0 or less means no limit."""
    if limit <= 0:
        return False
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    key = f"elo:rate:{scope}:{address}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=window * 2)
        count = 1
    return count > limit
