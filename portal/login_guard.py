"""Sign-in protection that never locks the real owner out (issue #17).

A per-account lockout lets anyone who knows an officer's e-mail keep them out. Instead,
failed sign-ins (a wrong password or a wrong second-factor code) are counted:

- per client address: past ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures in
  ``LOGIN_ADDRESS_WINDOW_SECONDS`` that address gets 429 until the window ends, whatever
  account it tries; other addresses are not touched;
- per (account, address): after ``LOGIN_FREE_FAILURES`` failures the next attempt from that
  address must wait 2, 4, 8 … seconds (at most ``LOGIN_MAX_DELAY_SECONDS``) and is refused
  before the password is checked; a sign-in clears the pair. Nobody sleeps: the refusal
  says when to come back;
- per account, over all addresses: past ``LOGIN_ALERT_FAILURES`` attempts that did not sign
  in within ``LOGIN_ALERT_WINDOW_SECONDS`` the owner gets one e-mail a day.

So the right password and code from another address always sign in. The counters live in
the cache (Redis in production, shared by the gunicorn workers) under hashed keys: no
e-mail or address sits in a key in clear. Times are compared with the stored timestamps,
not left to the cache's expiry, so a moved clock (tests) behaves like a real one.
"""

import hashlib
import ipaddress
import math
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import notifications, recipients

PREFIX = "login-guard"
# A pair's failures are forgotten a day after the last one.
PAIR_MEMORY_SECONDS = 24 * 3600
# One attempt at a time per (account, address): parallel requests cannot all pass the
# delay check before any of them is recorded. Released at the end of the attempt; the
# timeout only frees a pair whose worker died mid-attempt.
ATTEMPT_LOCK_SECONDS = 30
ALERT_EVERY_SECONDS = 24 * 3600
# IPv6 clients get a whole /64, so that is what one address is.
IPV6_PREFIX = 64


class TooManyFromAddress(Exception):
    """The address ran out of failed sign-ins; ``seconds`` until it may try again."""

    def __init__(self, seconds):
        self.seconds = seconds


class Delayed(Exception):
    """This account must not be tried from this address for ``seconds`` yet."""

    def __init__(self, seconds):
        self.seconds = seconds


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt: whose account (``user_id`` when the login names one) from where."""

    account: str
    address: str
    user_id: int | None = None


def _hash(*parts):
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def client_address(request):
    """REMOTE_ADDR (made trustworthy by ClientIPMiddleware); IPv6 cut to its /64."""
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


def attempt_for_login(request, login):
    """The attempt of a password sign-in with ``login`` (an e-mail). An e-mail of no account
    is counted under the e-mail itself, so delays look the same for every e-mail."""
    from allauth.account.utils import filter_users_by_email

    login = (login or "").strip().lower()
    users = filter_users_by_email(login, prefer_verified=True) if login else []
    if len(users) == 1:
        return attempt_for_user(request, users[0])
    return Attempt(account=f"login:{login}", address=client_address(request))


def attempt_for_user(request, user):
    return Attempt(account=f"user:{user.pk}", address=client_address(request), user_id=user.pk)


def _address_key(attempt):
    return f"{PREFIX}:address:{_hash(attempt.address)}"


def _pair_key(attempt):
    return f"{PREFIX}:pair:{_hash(attempt.account, attempt.address)}"


def _account_key(attempt):
    return f"{PREFIX}:account:{_hash(attempt.account)}"


def _window(key, window, now):
    """(count, started) of the fixed window at ``key``; (0, None) once it has ended."""
    started = cache.get(f"{key}:start")
    if started is None or now >= started + window:
        return 0, None
    return cache.get(f"{key}:count", 0), started


def _count(key, window, now):
    """Count one in the window at ``key`` (a new window when none is running); the count."""
    count, started = _window(key, window, now)
    if started is None:
        cache.set_many({f"{key}:start": now, f"{key}:count": 1}, window)
        return 1
    try:
        return cache.incr(f"{key}:count")  # atomic in Redis: parallel failures all count
    except ValueError:  # expired meanwhile
        cache.set_many({f"{key}:start": now, f"{key}:count": 1}, window)
        return 1


def delay_after(failures):
    """Seconds to wait after ``failures`` failures of one pair: none for the free ones, then
    2, 4, 8 … up to the cap."""
    extra = failures - settings.LOGIN_FREE_FAILURES
    if extra < 0:
        return 0
    return min(2 ** (extra + 1), settings.LOGIN_MAX_DELAY_SECONDS)


def _pair(attempt, now):
    record = cache.get(_pair_key(attempt))
    if not record or now >= record["last"] + PAIR_MEMORY_SECONDS:
        return {"failures": 0, "last": now, "until": 0}
    return record


def check(attempt):
    """Raise ``TooManyFromAddress`` or ``Delayed`` when the attempt may not be checked now."""
    now = time.time()
    count, started = _window(_address_key(attempt), settings.LOGIN_ADDRESS_WINDOW_SECONDS, now)
    if count >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        raise TooManyFromAddress(started + settings.LOGIN_ADDRESS_WINDOW_SECONDS - now)
    until = _pair(attempt, now)["until"]
    if now < until:
        _count_for_owner(attempt, now)
        raise Delayed(until - now)


@contextmanager
def guarded(attempt):
    """Around the check of a password or code: refuse (``check``) or hold the pair's lock
    while the caller checks. A second attempt of the same pair meanwhile waits no worker:
    it is refused with a short delay."""
    check(attempt)
    lock = f"{_pair_key(attempt)}:lock"
    if not cache.add(lock, 1, ATTEMPT_LOCK_SECONDS):
        raise Delayed(1)
    try:
        yield
    finally:
        cache.delete(lock)


def failed(attempt):
    """Record a wrong password or code: for the address, the pair and the owner."""
    now = time.time()
    _count(_address_key(attempt), settings.LOGIN_ADDRESS_WINDOW_SECONDS, now)
    record = _pair(attempt, now)
    record["failures"] += 1
    record["last"] = now
    record["until"] = now + delay_after(record["failures"])
    cache.set(_pair_key(attempt), record, PAIR_MEMORY_SECONDS)
    _count_for_owner(attempt, now)


def succeeded(attempt):
    """A sign-in: this pair starts afresh (the address's and the owner's counts stay)."""
    cache.delete(_pair_key(attempt))


def _count_for_owner(attempt, now):
    # Refused attempts count too: someone keeps trying the account, which the owner should
    # hear of even when the delays mean few passwords are actually checked.
    if attempt.user_id is None:
        return
    count = _count(_account_key(attempt), settings.LOGIN_ALERT_WINDOW_SECONDS, now)
    if count >= settings.LOGIN_ALERT_FAILURES and _claim_alert(attempt, now):
        user_id = attempt.user_id
        transaction.on_commit(lambda: warn_owner.delay(user_id))


def _claim_alert(attempt, now):
    """True for the first alert of the day for the account. The cache, not portal.jobs:
    ``cache.add`` is atomic in Redis (one e-mail even when workers race), expires by itself
    (no table of claims to purge), and losing the cache costs at most one more warning."""
    key = f"{_account_key(attempt)}:alerted"
    if cache.add(key, now, ALERT_EVERY_SECONDS):
        return True
    sent = cache.get(key)
    if sent is not None and now < sent + ALERT_EVERY_SECONDS:
        return False
    cache.set(key, now, ALERT_EVERY_SECONDS)
    return True


def wait_text(seconds):
    """ "Try again in …", in seconds under two minutes, else in whole minutes."""
    seconds = max(1, math.ceil(seconds))
    if seconds < 120:
        return ngettext(
            "Try again in %(count)d second.", "Try again in %(count)d seconds.", seconds
        ) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Try again in %(count)d minute.", "Try again in %(count)d minutes.", minutes
    ) % {"count": minutes}


def delayed_message(seconds):
    return (
        _("There were several failed sign-ins to this account from your network.")
        + " "
        + (wait_text(seconds))
    )


def too_many_response(request, seconds):
    """The 429 page for an address out of failed sign-ins."""
    from django.http import HttpResponse

    body = render_to_string(
        "account/too_many_sign_ins.html", {"wait": wait_text(seconds)}, request=request
    )
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(max(1, math.ceil(seconds)))
    return response


def sign_in_warning_mail(user_id):
    """The owner's warning, in the language they use the site in."""
    users = get_user_model().objects.filter(pk=user_id)
    return notifications.compose(
        "account/email/sign_in_warning",
        recipients.users(users),
        {
            "failures": settings.LOGIN_ALERT_FAILURES,
            "change_password": notifications.page("account_change_password"),
            "reset_password": notifications.page("account_reset_password"),
        },
    )


# Registered with the worker through CELERY_IMPORTS (portal/settings.py).
warn_owner = notifications.mail_sender("portal.login_guard.warn_owner", sign_in_warning_mail)
