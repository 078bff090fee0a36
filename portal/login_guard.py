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
import math
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import notifications, recipients
from .ratelimit import client_address

PREFIX = "login-guard"
# A pair's failures are forgotten a day after the last one.
PAIR_MEMORY_SECONDS = 24 * 3600
# One attempt at a time per (account, address): parallel requests cannot all pass the
# delay check before any of them is recorded. Released at the end of the attempt; the
# timeout only frees a pair whose worker died mid-attempt.
ATTEMPT_LOCK_SECONDS = 30
ALERT_EVERY_SECONDS = 24 * 3600


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


def _window_start(key, window, now):
    """The start of the window running at ``key``, opening one when none is. ``cache.add``
    is atomic: of parallel first failures one opens the window, the others count in it."""
    start_key = f"{key}:start"
    if cache.add(start_key, now, window):
        return now
    started = cache.get(start_key)
    if started is not None and now < started + window:
        return started
    # The window has ended but is still stored (a moved clock outruns the cache's expiry),
    # or expired just now: one claim per ended window decides when the next one starts.
    claim = f"{key}:after:{started!r}"
    cache.add(claim, now, window)
    started = cache.get(claim, now)
    cache.set(start_key, started, window)
    return started


def _counter(key, started):
    # One counter per window: a new window never inherits, nor resets, an old one's count.
    return f"{key}:count:{started!r}"


def _count(key, window, now):
    """Count one in the window running at ``key``: (the count, the window's start). Atomic
    (``cache.add`` then ``cache.incr``): parallel failures all count."""
    started = _window_start(key, window, now)
    counter = _counter(key, started)
    cache.add(counter, 0, window)
    try:
        return cache.incr(counter), started
    except ValueError:  # expired between the two calls
        cache.set(counter, 1, window)
        return 1, started


def _uncount(key, started):
    with suppress(ValueError):  # the window has expired: nothing to give back
        cache.decr(_counter(key, started))


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


class Guard:
    """What ``guarded`` hands the caller: ``failed()`` records a wrong password or code."""

    def __init__(self, attempt, now):
        self.attempt = attempt
        self.now = now
        self.has_failed = False

    def failed(self):
        # The address's count was taken before the check (guarded); the pair and the owner
        # count now. The pair's record is safe to rewrite: its lock is held.
        self.has_failed = True
        record = _pair(self.attempt, self.now)
        record["failures"] += 1
        record["last"] = self.now
        record["until"] = self.now + delay_after(record["failures"])
        cache.set(_pair_key(self.attempt), record, PAIR_MEMORY_SECONDS)
        _count_for_owner(self.attempt, self.now)


@contextmanager
def guarded(attempt):
    """Around the check of a password or code; yields a ``Guard``. In this order, so that
    parallel attempts cannot all pass the checks before any of them is counted:

    1. the pair's lock: one attempt at a time per (account, address); another one meanwhile
       is refused with a short delay (no worker waits);
    2. the address's attempt is counted before anything is checked; past the limit the
       address gets ``TooManyFromAddress``;
    3. the pair's delay, read under the lock: ``Delayed``.

    A refused attempt and one that did not fail give the address's count back: the limit
    counts wrong passwords and codes only."""
    lock = f"{_pair_key(attempt)}:lock"
    if not cache.add(lock, 1, ATTEMPT_LOCK_SECONDS):
        raise Delayed(1)
    try:
        now = time.time()
        window = settings.LOGIN_ADDRESS_WINDOW_SECONDS
        count, started = _count(_address_key(attempt), window, now)
        if count > settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            _uncount(_address_key(attempt), started)
            raise TooManyFromAddress(started + window - now)
        guard = Guard(attempt, now)
        try:
            until = _pair(attempt, now)["until"]
            if now < until:
                _count_for_owner(attempt, now)
                raise Delayed(until - now)
            yield guard
        finally:
            if not guard.has_failed:
                _uncount(_address_key(attempt), started)
    finally:
        cache.delete(lock)


def succeeded(attempt):
    """A sign-in: this pair starts afresh (the address's and the owner's counts stay)."""
    cache.delete(_pair_key(attempt))


def _count_for_owner(attempt, now):
    # Refused attempts count too: someone keeps trying the account, which the owner should
    # hear of even when the delays mean few passwords are actually checked.
    if attempt.user_id is None:
        return
    count, _ = _count(_account_key(attempt), settings.LOGIN_ALERT_WINDOW_SECONDS, now)
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
