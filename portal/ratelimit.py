"""A small cache-based rate limit for public forms (complaint filing, tracking, alert
sign-ups). The cache is Redis in production, so limits hold across gunicorn workers."""

from django.core.cache import cache


def over_limit(name, key, limit, window):
    """Count one hit for ``key`` under ``name``; True once more than ``limit`` hits fell in
    ``window`` seconds."""
    cache_key = f"ratelimit:{name}:{key}"
    cache.add(cache_key, 0, window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, window)
        count = 1
    return count > limit


def client_over_limit(name, request, limit, window):
    """The same per client address (REMOTE_ADDR, made trustworthy by ClientIPMiddleware)."""
    return over_limit(name, request.META.get("REMOTE_ADDR") or "unknown", limit, window)
