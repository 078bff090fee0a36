"""A small cache-based rate limit for public forms (complaint filing, tracking, alert
sign-ups). The cache is Redis in production, so limits hold across gunicorn workers."""

import ipaddress

from django.core.cache import cache

# IPv6 clients get a whole /64, so that is what one address is.
IPV6_PREFIX = 64


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


def client_address(request):
    """The client as the limits count it: REMOTE_ADDR (made trustworthy by
    ClientIPMiddleware), an IPv6 address cut to its /64."""
    value = request.META.get("REMOTE_ADDR") or "unknown"
    try:
        parsed = ipaddress.ip_address(value)
    except ValueError:
        return value
    if parsed.version == 6 and parsed.ipv4_mapped:
        # An IPv4 client on a dual-stack socket (::ffff:a.b.c.d) is its IPv4 address: cut
        # to a /64, all of them would be the one address "::" and share one limit.
        return str(parsed.ipv4_mapped)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False).network_address)
    return str(parsed)


def client_over_limit(name, request, limit, window):
    """The same per client address (:func:`client_address`)."""
    return over_limit(name, client_address(request), limit, window)
