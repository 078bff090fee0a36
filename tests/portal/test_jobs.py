"""Job runs that survive a crash (portal.jobs): a claim commits with its work, a lease is
released on a crash or taken over when it expires, and per-item claims make a retry do
exactly what is left."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal import jobs
from portal.models import JobRun, Sector
from tests.concurrency import race

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def _create_sector(code):
    return Sector.objects.create(code=code, name=f"Ngành {code}")


def test_once_commits_the_claim_with_the_work():
    with jobs.once("test.job", 1) as run:
        assert run
        _create_sector("s1")
        run.result["made"] = 1
    row = JobRun.objects.get(name="test.job", key="1")
    assert row.finished_at is not None and row.result == {"made": 1}
    with jobs.once("test.job", 1) as again:
        assert not again
        _create_sector("s2")  # a caller that ignored the falsy run would do this twice
    assert JobRun.objects.filter(name="test.job", key="1", finished_at__isnull=False).exists()


def test_a_crash_inside_once_leaves_no_claim_so_the_next_run_does_the_work():
    with pytest.raises(Boom), jobs.once("test.job", "k") as run:
        assert run
        _create_sector("half")
        raise Boom
    assert not JobRun.objects.filter(name="test.job").exists()
    assert not Sector.objects.filter(code="half").exists()  # rolled back with the claim
    with jobs.once("test.job", "k") as run:
        assert run
        _create_sector("half")
    assert Sector.objects.filter(code="half").count() == 1


def _fan_out(items, fail_at=None):
    """A job over many items: a lease for the run, a claim per item."""
    done = []
    with jobs.lease("test.fan_out", "2026") as run:
        if not run:
            return None
        for item in items:
            with jobs.once("test.fan_out.item", f"2026:{item}") as item_run:
                if not item_run:
                    continue
                if item == fail_at:
                    raise Boom
                _create_sector(f"item-{item}")
                done.append(item)
        run.result["done"] = len(done)
    return done


def test_a_crashed_lease_is_released_and_the_retry_does_only_what_is_left():
    with pytest.raises(Boom):
        _fan_out([1, 2, 3], fail_at=2)
    row = JobRun.objects.get(name="test.fan_out")
    assert row.finished_at is None and "Boom" in row.error and row.state == "released"
    assert _fan_out([1, 2, 3]) == [2, 3]
    assert sorted(
        Sector.objects.filter(code__startswith="item-").values_list("code", flat=True)
    ) == [
        "item-1",
        "item-2",
        "item-3",
    ]
    row.refresh_from_db()
    assert row.finished_at is not None and row.attempts == 2 and row.result == {"done": 2}
    assert _fan_out([1, 2, 3]) is None  # finished: nothing to do


def test_a_live_lease_keeps_others_out_and_an_expired_one_is_taken_over():
    now = timezone.now()
    JobRun.objects.create(
        name="test.fan_out", key="2026", started_at=now, expires_at=now + timedelta(hours=1)
    )
    assert _fan_out([1]) is None  # another worker holds it
    # The worker died: nothing released the lease, it expires.
    JobRun.objects.filter(name="test.fan_out").update(expires_at=now - timedelta(seconds=1))
    assert _fan_out([1]) == [1]


def test_release_frees_only_unfinished_runs():
    now = timezone.now()
    stuck = JobRun.objects.create(name="a", key="1", expires_at=now + timedelta(hours=1))
    done = JobRun.objects.create(name="a", key="2", finished_at=now)
    assert jobs.release(JobRun.objects.all()) == 1
    stuck.refresh_from_db()
    assert stuck.state == "released"
    done.refresh_from_db()
    assert done.state == "finished"


def test_the_admin_lists_runs_and_releases_a_stuck_one(client, ministry_officer):
    from tests.conftest import login

    now = timezone.now()
    stuck = JobRun.objects.create(
        name="reports.remind_units", key="2026:11-08", expires_at=now + timedelta(hours=1)
    )
    login(client, ministry_officer)
    page = client.get("/quan-tri/portal/jobrun/")
    assert page.status_code == 200
    assert "reports.remind_units" in page.content.decode()
    response = client.post(
        "/quan-tri/portal/jobrun/",
        {"action": "release_runs", "_selected_action": [stuck.pk]},
        follow=True,
    )
    assert response.status_code == 200
    stuck.refresh_from_db()
    assert stuck.state == "released"


def test_a_ministry_unit_cannot_see_the_job_runs(client, ministry_unit_officer):
    from tests.conftest import login

    login(client, ministry_unit_officer)
    assert client.get("/quan-tri/portal/jobrun/").status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_once_together_do_the_work_once():
    def work():
        with jobs.once("test.race", "x") as run:
            if not run:
                return False
            _create_sector("raced")
            return True

    outcomes = race(work, work)
    assert sorted(result for result, exc in outcomes) == [False, True]
    assert Sector.objects.filter(code="raced").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_taking_one_lease_together_run_it_once():
    def work():
        return _fan_out([1, 2])

    outcomes = race(work, work)
    results = [result for result, exc in outcomes]
    assert all(exc is None for _r, exc in outcomes)
    assert sorted(results, key=lambda r: r is None) == [[1, 2], None]
