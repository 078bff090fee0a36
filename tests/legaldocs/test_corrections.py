"""Corrections of the library's data (issue #12, deliver 5) and its per-province report
figures (deliver 1): checked on the data the seed loads, and on a database seeded before
the corrections, which the seed (run by ``load_reference_data``) must put right."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from legaldocs import selectors
from legaldocs.models import Document, IssuingBody, ValidityEvent
from legaldocs.validity import Status, annotate_status, status_on
from reports import figures as report_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(reference_data):
    """The real library, seeded once the provinces exist (bodies are tied to them)."""
    call_command("seed_legaldocs", verbosity=0)
    return {d.number: d for d in Document.objects.exclude(number="")}


def validity_in_sql(document, day):
    return annotate_status(Document.objects.filter(pk=document.pk), day).get().validity


def test_2306_cites_its_text_without_the_stale_note(client, seeded):
    plan = seeded["2306/QĐ-BCT"]
    assert "Không tìm thấy" not in plan.note
    assert "seeds/qd-2306-qd-bct-2021.txt" in plan.note
    assert plan.sources == ["Bản văn do dự án DNVNTD cung cấp: seeds/qd-2306-qd-bct-2021.txt"]
    assert not plan.is_uncertain
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Không tìm thấy" not in page
    assert "không thể xác minh" not in page.lower()


def test_2306_ends_with_the_2021_2025_programme_it_implements(seeded):
    plan, programme = seeded["2306/QĐ-BCT"], seeded["1157/QĐ-TTg"]
    last_day, first_day_after = datetime.date(2025, 12, 31), datetime.date(2026, 1, 1)
    for document in (plan, programme, seeded["3620/QĐ-BCT"]):
        assert status_on(document, last_day) == Status.IN_FORCE
        assert status_on(document, first_day_after) == Status.EXPIRED
        assert validity_in_sql(document, first_day_after) == Status.EXPIRED
    event = ValidityEvent.objects.get(document=plan, kind="expired")
    assert event.date == first_day_after and event.source_document == programme
    assert "2021–2025" in event.note


def test_07_2023_carries_its_title_as_issued(seeded):
    title = seeded["07/2023/QĐ-UBND"].title
    assert title.startswith("Ban hành Quy chế phối hợp")
    assert "Ví dụ" not in title and "07/2023" not in title


def test_1035_is_flagged_uncertain(client, seeded):
    decision = seeded["1035/QĐ-TTg"]
    assert decision.is_uncertain
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "alert-warning" in page


def test_the_seed_corrects_a_database_loaded_before(seeded):
    plan, local = seeded["2306/QĐ-BCT"], seeded["07/2023/QĐ-UBND"]
    url = local.get_absolute_url()
    Document.objects.filter(pk=plan.pk).update(
        note="Không tìm thấy nguồn nào xác nhận.", is_uncertain=True
    )
    Document.objects.filter(pk=local.pk).update(
        title="Ví dụ quy chế phối hợp cấp tỉnh: " + local.title
    )
    Document.objects.filter(number="1035/QĐ-TTg").update(is_uncertain=False)
    ValidityEvent.objects.filter(document=plan).delete()
    IssuingBody.objects.update(province=None)

    call_command("seed_legaldocs", verbosity=0)

    plan.refresh_from_db()
    local.refresh_from_db()
    assert "Không tìm thấy" not in plan.note and not plan.is_uncertain
    assert status_on(plan, datetime.date(2026, 1, 1)) == Status.EXPIRED
    assert not local.title.startswith("Ví dụ")
    assert local.get_absolute_url() == url  # the permalink does not move
    assert Document.objects.get(number="1035/QĐ-TTg").is_uncertain
    assert IssuingBody.objects.get(slug="ubnd-tinh-nghe-an").province.name == "Nghệ An"


def _legaldocs_added(collected):
    return collected["sections"]["legaldocs"]["figures"]["added"]


def test_each_province_counts_only_its_own_documents(seeded, provinces):
    today = datetime.date.today()
    national = report_figures.collect(start=today, end=today)
    assert _legaldocs_added(national) == len(seeded) + 1  # with the one without a number
    by_code = {
        code: _legaldocs_added(report_figures.collect(start=today, end=today, province_id=p.pk))
        for code, p in provinces.items()
    }
    assert by_code["01"] == 0 and by_code["04"] == 0  # Hà Nội, Cao Bằng: none of their own
    assert by_code["40"] == 1  # Nghệ An: 07/2023/QĐ-UBND
    assert by_code["51"] == 1  # Quảng Ngãi: 17/2025/QĐ-UBND
    # The same figures through the one-call path the reports use for every unit.
    by_province = selectors.report_figures_by_province(start=today, end=today)
    assert {code: by_province[p.pk]["added"] for code, p in provinces.items()} == by_code
    issued_2023 = selectors.report_figures(
        start=datetime.date(2023, 1, 1), end=datetime.date(2023, 12, 31), province=provinces["40"]
    )
    assert issued_2023["issued"] == 1


def test_the_library_page_is_still_reachable(client, seeded):
    assert client.get(reverse("legaldocs:index")).status_code == 200


def test_librarians_see_which_province_a_body_belongs_to(client, seeded, ministry_officer):
    from tests.conftest import login

    login(client, ministry_officer)
    page = client.get(reverse("admin:legaldocs_issuingbody_changelist"))
    assert page.status_code == 200
    assert "UBND tỉnh Nghệ An" in page.content.decode()
    form = client.get(
        reverse(
            "admin:legaldocs_issuingbody_change",
            args=[IssuingBody.objects.get(slug="ubnd-tinh-nghe-an").pk],
        )
    )
    assert 'name="province"' in form.content.decode()
