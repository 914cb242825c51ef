"""A fixed-window request limit per client address for the public call-event endpoint, kept in
Django's cache (per process with the default local-memory cache; shared with a shared cache)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 60


def over_limit(request: HttpRequest, scope: str = "phone-events") -> bool:
    """Counts this request; True once the client has sent more than the limit this minute."""
    limit = settings.ELO_PHONE_RATE_LIMIT
    if limit <= 0:
        return False
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    window = int(time.time() // WINDOW_SECONDS)
    key = f"elo:rate:{scope}:{address}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    return count > limit
