"""Sign-in protection without locking the real owner out (issue #17, portal.login_guard):
delays per (account, address), a limit per address, one warning e-mail to the owner."""

import datetime
import threading
import time

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import Client, TestCase
from django.urls import reverse

from portal.models import Profile
from tests.conftest import TOTP_SECRET, totp_now
from tests.factories import UserFactory

PASSWORD = "MatKhau@2026!"
ADDRESS_A = "203.0.113.7"  # the attacker
ADDRESS_B = "198.51.100.20"  # the officer's office

pytestmark = pytest.mark.django_db


def client_at(address):
    return Client(REMOTE_ADDR=address)


def sign_in(client, email, password):
    # As if each request committed: the owner's warning is queued after commit.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("account_login"), {"login": email, "password": password})


def send_code(client, code):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("mfa_authenticate"), {"code": code})


def signed_in(client):
    return "_auth_user_id" in client.session


def form_errors(response):
    return [e.code for e in response.context["form"].non_field_errors().as_data()]


def wrong_code():
    return "000000" if totp_now() != "000000" else "111111"


@pytest.fixture
def frozen():
    """The clock stands still unless the test moves it (``frozen.shift(seconds)``)."""
    from tests.conftest import TEST_CLOCK

    with time_machine.travel(TEST_CLOCK, tick=False) as traveller:
        yield traveller


def test_lockout_scenario_owner_signs_in_from_elsewhere(frozen, ministry_officer, settings):
    Profile.objects.update_or_create(user=ministry_officer, defaults={"language": "en"})
    attacker = client_at(ADDRESS_A)
    checked = 0
    for _ in range(50):
        # 20 a minute: under allauth's 30 sign-in requests a minute per address.
        response = sign_in(attacker, ministry_officer.email, "sai-mat-khau")
        assert response.status_code == 200
        assert form_errors(response) in (["email_password_mismatch"], ["login_delayed"])
        checked += form_errors(response) == ["email_password_mismatch"]
        frozen.shift(3)
    assert not signed_in(attacker)
    # 3 free, then one check after each delay (2, 4, 8 … s); the rest were refused unchecked.
    assert checked == 9

    officer = client_at(ADDRESS_B)
    response = sign_in(officer, ministry_officer.email, PASSWORD)
    assert response["Location"] == reverse("mfa_authenticate")
    response = send_code(officer, totp_now())
    assert response["Location"] == reverse("portal:dashboard")
    assert officer.get(reverse("portal:dashboard")).status_code == 200
    assert signed_in(officer)

    # Address A stays refused, even with the right password, until its delay has passed.
    response = sign_in(attacker, ministry_officer.email, PASSWORD)
    assert form_errors(response) == ["login_delayed"]
    assert response.context["form"]["login"].value() == ministry_officer.email
    # The last check (the 9th failure, at 141 s) set 128 s: until 269 s; it is now 150 s.
    assert "Vui lòng thử lại sau 119 giây." in response.content.decode()
    assert not signed_in(attacker)
    frozen.shift(118)
    assert form_errors(sign_in(attacker, ministry_officer.email, PASSWORD)) == ["login_delayed"]
    frozen.shift(1)
    response = sign_in(attacker, ministry_officer.email, PASSWORD)
    assert response["Location"] == reverse("mfa_authenticate")

    # One warning to the owner, in English (their language), text and HTML.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ministry_officer.email]
    assert message.subject == "[DNVNTD] Someone tried to sign in to your account"
    assert "change your password" in message.body
    assert "still works" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert "change your password" in message.alternatives[0][0]


def test_warning_is_in_vietnamese_for_a_vietnamese_owner(frozen, consumer):
    attacker = client_at(ADDRESS_A)
    for _ in range(10):
        sign_in(attacker, consumer.email, "sai-mat-khau")
    assert len(mail.outbox) == 1
    assert "Có người đã cố đăng nhập" in mail.outbox[0].subject
    assert "đổi mật khẩu" in mail.outbox[0].body


def test_owner_is_warned_at_most_once_a_day(frozen, consumer, settings):
    attacker = client_at(ADDRESS_A)
    for _ in range(settings.LOGIN_ALERT_FAILURES - 1):
        sign_in(attacker, consumer.email, "sai-mat-khau")
    assert mail.outbox == []
    sign_in(attacker, consumer.email, "sai-mat-khau")
    assert len(mail.outbox) == 1
    frozen.shift(2 * 3600)  # a new alert window, the same day
    for _ in range(settings.LOGIN_ALERT_FAILURES):
        sign_in(client_at("192.0.2.1"), consumer.email, "sai-mat-khau")
    assert len(mail.outbox) == 1
    frozen.shift(datetime.timedelta(days=1))
    for _ in range(settings.LOGIN_ALERT_FAILURES):
        sign_in(client_at("192.0.2.2"), consumer.email, "sai-mat-khau")
    assert len(mail.outbox) == 2


def test_delays_double_and_a_sign_in_clears_them(frozen, consumer):
    client = client_at(ADDRESS_A)
    for wait in [0, 0, 2, 4, 8, 16, 32, 64]:
        response = sign_in(client, consumer.email, "sai-mat-khau")
        assert form_errors(response) == ["email_password_mismatch"]
        if wait:
            frozen.shift(wait - 1)
            response = sign_in(client, consumer.email, PASSWORD)
            assert form_errors(response) == ["login_delayed"]
            frozen.shift(1)
    # The right password after the wait signs in and clears the pair: mistakes are free again.
    sign_in(client, consumer.email, PASSWORD)
    assert signed_in(client)
    client.logout()
    for _ in range(3):
        assert form_errors(sign_in(client, consumer.email, "sai")) == ["email_password_mismatch"]
    assert form_errors(sign_in(client, consumer.email, "sai")) == ["login_delayed"]


def test_delays_are_capped(frozen, consumer, settings):
    from portal.login_guard import delay_after

    assert [delay_after(n) for n in range(1, 7)] == [0, 0, 2, 4, 8, 16]
    assert delay_after(40) == settings.LOGIN_MAX_DELAY_SECONDS == 15 * 60


def test_an_unknown_email_gets_the_same_delays(frozen, reference_data):
    client = client_at(ADDRESS_A)
    for _ in range(3):
        assert form_errors(sign_in(client, "khong.co@example.vn", "sai")) == [
            "email_password_mismatch"
        ]
    assert form_errors(sign_in(client, "khong.co@example.vn", "sai")) == ["login_delayed"]
    assert mail.outbox == []


def test_the_address_limit_covers_every_account_from_that_address_only(
    frozen, reference_data, settings
):
    users = [UserFactory(email=f"nguoi{i}@example.vn") for i in range(8)]
    attacker = client_at(ADDRESS_A)
    failures = 0
    for user in users:
        for _ in range(settings.LOGIN_FREE_FAILURES):
            if failures < settings.LOGIN_ADDRESS_FAILURE_LIMIT:
                response = sign_in(attacker, user.email, "sai-mat-khau")
                assert form_errors(response) == ["email_password_mismatch"]
                failures += 1
    assert failures == settings.LOGIN_ADDRESS_FAILURE_LIMIT == 20
    # Address A is out, even for an account it never tried and with the right password.
    fresh = UserFactory(email="chua.thu@example.vn")
    response = sign_in(attacker, fresh.email, PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert "15 phút" in response.content.decode()
    assert not signed_in(attacker)
    # Another address is not touched.
    other = client_at(ADDRESS_B)
    sign_in(other, users[0].email, PASSWORD)
    assert signed_in(other)
    # The window ends: address A may try again.
    frozen.shift(15 * 60)
    sign_in(attacker, fresh.email, PASSWORD)
    assert signed_in(attacker)


def test_wrong_codes_from_one_address_do_not_block_the_right_code_from_another(
    frozen, province_officer
):
    # The attacker knows the password, not the second factor.
    attacker = client_at(ADDRESS_A)
    assert sign_in(attacker, province_officer.email, PASSWORD)["Location"] == reverse(
        "mfa_authenticate"
    )
    codes = []
    for _ in range(12):
        response = send_code(attacker, wrong_code())
        assert response.status_code == 200
        codes.append([e.code for e in response.context["form"].errors["code"].as_data()])
    assert codes[:3] == [["incorrect_code"]] * 3
    assert codes[3:] == [["login_delayed"]] * 9
    # Delayed: even the right code from address A is refused (and not used up).
    response = send_code(attacker, totp_now())
    assert [e.code for e in response.context["form"].errors["code"].as_data()] == ["login_delayed"]
    assert not signed_in(attacker)

    officer = client_at(ADDRESS_B)
    sign_in(officer, province_officer.email, PASSWORD)
    response = send_code(officer, totp_now(TOTP_SECRET))
    assert response["Location"] == reverse("portal:dashboard")
    assert signed_in(officer)
    assert len(mail.outbox) == 1  # 3 wrong codes and 9 refusals: the owner hears of it


def test_wrong_codes_count_for_the_address_limit(frozen, province_officer, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    attacker = client_at(ADDRESS_A)
    sign_in(attacker, province_officer.email, PASSWORD)
    for _ in range(3):
        send_code(attacker, wrong_code())
    response = send_code(attacker, totp_now())
    assert response.status_code == 429
    assert not signed_in(attacker)


def test_no_email_address_sits_in_a_cache_key(frozen, consumer):
    from portal import login_guard

    attempt = login_guard.attempt_for_login(_request(ADDRESS_A), consumer.email)
    with login_guard.guarded(attempt) as guard:
        guard.failed()
    keys = [
        login_guard._address_key(attempt),
        login_guard._pair_key(attempt),
        login_guard._account_key(attempt),
    ]
    for key in keys:
        assert consumer.email not in key and ADDRESS_A not in key
    assert cache.get(login_guard._pair_key(attempt))["failures"] == 1


def test_an_ipv6_client_is_its_whole_64(frozen):
    from portal.ratelimit import client_address

    assert client_address(_request("2001:db8:1:2:aaaa::1")) == client_address(
        _request("2001:db8:1:2:bbbb::9")
    )
    assert client_address(_request("2001:db8:1:3::1")) != client_address(
        _request("2001:db8:1:2::1")
    )


def test_every_per_address_limit_counts_an_ipv6_client_by_its_64(frozen):
    """The public forms' limits (filing, tracking, registrations) use the same address."""
    from portal.ratelimit import client_over_limit

    assert not client_over_limit("probe", _request("2001:db8:1:2::1"), 1, 60)
    assert client_over_limit("probe", _request("2001:db8:1:2::ffff"), 1, 60)
    assert not client_over_limit("probe", _request("2001:db8:9:9::1"), 1, 60)


def test_an_ipv4_client_on_a_dual_stack_socket_is_its_ipv4_address(frozen):
    from portal.ratelimit import client_address

    assert client_address(_request(f"::ffff:{ADDRESS_A}")) == ADDRESS_A
    assert client_address(_request(f"::ffff:{ADDRESS_B}")) == ADDRESS_B


def test_one_mapped_ipv4_client_out_of_failures_does_not_refuse_the_others(
    frozen, consumer, settings
):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    attacker = client_at(f"::ffff:{ADDRESS_A}")
    for _ in range(3):
        sign_in(attacker, f"nguoi.khac{_}@example.vn", "sai-mat-khau")
    assert sign_in(attacker, consumer.email, PASSWORD).status_code == 429
    officer = client_at(f"::ffff:{ADDRESS_B}")
    sign_in(officer, consumer.email, PASSWORD)
    assert signed_in(officer)


def test_parallel_failures_all_count(frozen, monkeypatch):
    # LocMemCache (tests) and Redis both make add and incr atomic; the window's opening
    # must not lose the counts of failures that arrive together. Every read of the cache
    # hands the processor to another thread, as a slow network to Redis would.
    from portal import login_guard

    class Slow:
        def __getattr__(self, name):
            return getattr(cache, name)

        def get(self, *args):
            value = cache.get(*args)
            time.sleep(0)  # let another thread run between a read and the write after it
            return value

    monkeypatch.setattr(login_guard, "cache", Slow())
    threads = 16
    start = threading.Barrier(threads)
    counts = []

    def fail():
        start.wait(timeout=10)
        counts.append(login_guard._count("test-window", 60, time.time())[0])

    _run(fail, threads)
    assert sorted(counts) == list(range(1, threads + 1))


def test_parallel_attempts_from_one_address_cannot_all_pass_the_limit(frozen, settings):
    # Every attempt (a different account each, so no pair lock is shared) holds its check
    # open until all of them have been let in or refused: counted only after the check,
    # all of them would pass the limit.
    from portal import login_guard

    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 5
    threads = 12
    start = threading.Barrier(threads)
    decided = threading.Semaphore(0)
    all_decided = threading.Event()
    outcomes = []

    def attempt(number):
        attempt = login_guard.Attempt(account=f"login:nguoi{number}", address=ADDRESS_A)
        start.wait(timeout=10)
        try:
            with login_guard.guarded(attempt) as guard:
                outcomes.append("checked")
                decided.release()
                all_decided.wait(timeout=10)
                guard.failed()
        except login_guard.TooManyFromAddress:
            outcomes.append("refused")
            decided.release()

    def referee():
        for _ in range(threads):
            decided.acquire(timeout=10)
        all_decided.set()

    referee_thread = threading.Thread(target=referee)
    referee_thread.start()
    _run(attempt, threads, numbered=True)
    referee_thread.join()
    assert sorted(outcomes) == ["checked"] * 5 + ["refused"] * 7


def test_the_delay_is_read_under_the_pairs_lock(frozen, monkeypatch):
    # Read before the lock, a second attempt could pass the delay check, then take the lock
    # once the first one (which set the delay) let it go, and have its password checked.
    from portal import login_guard

    attempt = login_guard.Attempt(account="login:nguoi@example.vn", address=ADDRESS_A)
    lock = f"{login_guard._pair_key(attempt)}:lock"
    read_pair = login_guard._pair
    locked_when_read = []

    def spy(attempt, now):
        locked_when_read.append(cache.get(lock) is not None)
        return read_pair(attempt, now)

    monkeypatch.setattr(login_guard, "_pair", spy)
    with login_guard.guarded(attempt):
        pass
    assert locked_when_read == [True]
    assert cache.get(lock) is None


def test_a_refused_or_right_attempt_does_not_count_for_the_address(frozen, settings):
    from portal import login_guard

    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
    attempt = login_guard.Attempt(account="login:nguoi@example.vn", address=ADDRESS_A)
    for _ in range(3):  # the free failures
        with login_guard.guarded(attempt) as guard:
            guard.failed()
    for _ in range(5):  # the pair is delayed now: refused, not counted
        with pytest.raises(login_guard.Delayed), login_guard.guarded(attempt):
            pass
    other = login_guard.Attempt(account="login:khac@example.vn", address=ADDRESS_A)
    for _ in range(5):  # right passwords: not counted
        with login_guard.guarded(other):
            pass
    with login_guard.guarded(other) as guard:  # the 4th failure is still allowed
        guard.failed()
    with pytest.raises(login_guard.TooManyFromAddress), login_guard.guarded(other):
        pass


def test_wrong_codes_at_reauthentication_are_delayed_per_account_and_address(
    frozen, client, province_officer
):
    from tests.conftest import login

    def reauthenticate(client, code):
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(reverse("mfa_reauthenticate"), {"code": code})
        if response.status_code != 200:
            return response, []
        return response, [e.code for e in response.context["form"].errors["code"].as_data()]

    attacker = login(client_at(ADDRESS_A), province_officer)
    errors = [reauthenticate(attacker, wrong_code())[1] for _ in range(6)]
    assert errors[:3] == [["incorrect_code"]] * 3
    assert errors[3:] == [["login_delayed"]] * 3
    # Delayed: even the right code from address A is refused.
    assert reauthenticate(attacker, totp_now())[1] == ["login_delayed"]

    # The owner, at another address, reauthenticates with the right code.
    officer = login(client_at(ADDRESS_B), province_officer)
    response, errors = reauthenticate(officer, totp_now())
    assert errors == []
    assert response.status_code == 302


def _run(target, count, numbered=False):
    workers = [
        threading.Thread(target=target, args=(number,) if numbered else ())
        for number in range(count)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert not any(worker.is_alive() for worker in workers)


def _request(address):
    from django.test import RequestFactory

    return RequestFactory().post("/", REMOTE_ADDR=address)
