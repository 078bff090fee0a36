"""Issue #17 in the complaints part: the represented person's name is asked about, the
access log holds no token nor search term, filing drafts are kept a bounded time."""

import datetime
import importlib

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from complaints import services
from complaints.models import AccessLog, Complaint
from tests.complaints.factories import make_complaint, png
from tests.complaints.helpers import STEP_URL, fill_until_files, step_data
from tests.conftest import login

pytestmark = pytest.mark.django_db

NEW = "/khieu-nai/quan-ly/nhap/"
ASK_VI = "Đánh dấu ô, hoặc xoá tên"


# --- The represented person ------------------------------------------------------------------


def test_a_represented_name_without_the_box_is_asked_about_not_dropped(client, reference_data):
    data = {**step_data()["nguoi-gui"], "represented_name": "Nguyễn Văn Bình", "go": "next"}
    response = client.post(STEP_URL.format("nguoi-gui"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["represented_name"]
    page = response.content.decode()
    assert ASK_VI in page  # Vietnamese first
    # Everything typed is shown again.
    for value in ("Nguyễn Văn Bình", "Trần Thị Lan", "0987 654 321", "lan.tran@example.vn"):
        assert value in page
    # The step cannot be passed: the next step sends back to this one.
    later = client.get(STEP_URL.format("doanh-nghiep"))
    assert later.status_code == 302 and later["Location"].endswith("/gui/nguoi-gui/")
    assert "Nguyễn Văn Bình" in client.get(STEP_URL.format("nguoi-gui")).content.decode()


def test_ticking_the_box_keeps_the_represented_name(client, reference_data):
    overrides = {"nguoi-gui": {"is_representative": "on", "represented_name": "Nguyễn Văn Bình"}}
    fill_until_files(client, overrides=overrides)
    client.post(STEP_URL.format("tep"), {"go": "next"})
    client.post(STEP_URL.format("xac-nhan"), {"consent_processing": "on", "go": "send"})
    complaint = Complaint.objects.get()
    assert complaint.is_representative and complaint.represented_name == "Nguyễn Văn Bình"


def test_clearing_the_name_passes_the_step(client, reference_data):
    data = {**step_data()["nguoi-gui"], "represented_name": "   ", "go": "next"}
    response = client.post(STEP_URL.format("nguoi-gui"), data)
    assert response.status_code == 302


def test_the_staff_entry_form_asks_too(client, province_officer, hanoi):
    from portal.models import Sector
    from tests.complaints.test_staff import entry

    login(client, province_officer)
    sector = Sector.objects.get(code="vien-thong").pk
    response = client.post(NEW, entry(hanoi, sector=sector, represented_name="Nguyễn Văn Bình"))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["represented_name"]
    page = response.content.decode()
    assert ASK_VI in page and "Nguyễn Văn Bình" in page and "Lê Văn Tám" in page
    assert not Complaint.objects.exists()
    response = client.post(
        NEW, entry(hanoi, sector=sector, represented_name="Nguyễn Văn Bình", is_representative="on")
    )
    assert response.status_code == 302
    assert Complaint.objects.get().represented_name == "Nguyễn Văn Bình"


# --- The access log -------------------------------------------------------------------------


def test_no_token_nor_search_term_in_the_access_log(client, business, province_officer):
    complaint = make_complaint(business=business, files=[png()])
    services.forward(complaint, actor=province_officer)
    token = complaint.token
    # The consumer tracks by the secret link.
    assert client.get(f"/khieu-nai/theo-doi/{token}/").status_code == 302
    assert client.get(f"/khieu-nai/tra-cuu/{complaint.code}/").status_code == 200
    client.logout()
    # The officer searches by the consumer's phone, opens the complaint and its file, and
    # does the same in the admin.
    term = complaint.complainant_phone
    login(client, province_officer)
    listing = client.get("/khieu-nai/quan-ly/", {"q": term})
    assert complaint.code in listing.content.decode()
    detail = f"/khieu-nai/quan-ly/{complaint.code}/"
    assert client.get(detail, {"q": term, "token": token}).status_code == 200
    attachment = complaint.attachments.get()
    assert client.get(f"{detail}tep/{attachment.pk}/", {"q": term}).status_code == 200
    admin = client.get("/quan-tri/complaints/complaint/", {"q": term})
    assert admin.status_code == 200
    change = f"/quan-tri/complaints/complaint/{complaint.pk}/change/"
    assert client.get(change, {"q": term}).status_code == 200

    logs = AccessLog.objects.filter(complaint=complaint)
    assert sorted(logs.values_list("action", flat=True)) == ["download", "view", "view"]
    for row in logs.values():
        assert row["complaint_id"] == complaint.pk
        text = " ".join(str(value) for value in row.values())
        for secret in (token, term, term[-6:], "/", "?", "q="):
            assert secret not in text, (secret, row)
    assert set(logs.values_list("detail", flat=True)) == {
        f"#{attachment.pk}",
        ",".join(services.shown_personal_fields(complaint)),
        "admin: " + ",".join(services.shown_personal_fields(complaint)),
    }


def test_the_migration_blanks_details_holding_a_token_or_a_search_term(business, province_officer):
    migration = importlib.import_module(
        "complaints.migrations.0009_blank_unsafe_access_log_details"
    )
    complaint = make_complaint(business=business)
    details = {
        "/khieu-nai/theo-doi/Zq3x-secret-token/": "",
        "/khieu-nai/quan-ly/?q=0987654321": "",
        "search: Trần Thị Lan": "",
        "admin: complainant_name,complainant_phone": "admin: complainant_name,complainant_phone",
        "#12": "#12",
        "complainant_name": "complainant_name",
    }
    rows = {
        before: AccessLog.objects.create(
            complaint=complaint, user=province_officer, action="view", detail=before
        )
        for before in details
    }
    from django.apps import apps

    migration.blank_unsafe_details(apps, None)
    for before, after in details.items():
        rows[before].refresh_from_db()
        assert rows[before].detail == after, before
    assert AccessLog.objects.filter(complaint=complaint).count() == len(details)


# --- Filing drafts -------------------------------------------------------------------------


def _stored_session(client):
    return Session.objects.get(session_key=client.session.session_key)


def test_a_draft_is_kept_at_most_the_stated_days(client, reference_data, settings):
    client.post(STEP_URL.format("nguoi-gui"), {**step_data()["nguoi-gui"], "go": "next"})
    stored = _stored_session(client)
    assert "Trần Thị Lan" in str(stored.get_decoded())
    # The session row holding the draft expires DRAFT_DAYS after its last change, so the
    # daily clearing of expired sessions removes the typed name and phone.
    lifetime = stored.expire_date - timezone.now()
    assert datetime.timedelta(days=services.DRAFT_DAYS - 1) < lifetime
    assert lifetime <= datetime.timedelta(days=services.DRAFT_DAYS)
    assert services.DRAFT_DAYS * 86400 < settings.SESSION_COOKIE_AGE


def test_an_abandoned_draft_is_not_shown_again(client, reference_data):
    client.post(STEP_URL.format("nguoi-gui"), {**step_data()["nguoi-gui"], "go": "next"})
    session = client.session
    draft = session["complaint_draft"]
    draft["saved"] = (
        timezone.now() - datetime.timedelta(days=services.DRAFT_DAYS, minutes=1)
    ).isoformat()
    session["complaint_draft"] = draft
    session.save()
    page = client.get(STEP_URL.format("nguoi-gui")).content.decode()
    assert "Trần Thị Lan" not in page
    assert "complaint_draft" not in client.session
    response = client.get(STEP_URL.format("doanh-nghiep"))
    assert response.status_code == 302 and response["Location"].endswith("/gui/nguoi-gui/")


def test_a_recent_draft_is_kept(client, reference_data):
    client.post(STEP_URL.format("nguoi-gui"), {**step_data()["nguoi-gui"], "go": "next"})
    session = client.session
    draft = session["complaint_draft"]
    draft["saved"] = (
        timezone.now() - datetime.timedelta(days=services.DRAFT_DAYS) + datetime.timedelta(hours=1)
    ).isoformat()
    session["complaint_draft"] = draft
    session.save()
    assert "Trần Thị Lan" in client.get(STEP_URL.format("nguoi-gui")).content.decode()


def test_sending_gives_the_session_its_usual_length_again(client, consumer, reference_data):
    from tests.complaints.helpers import file_via_wizard

    login(client, consumer)
    file_via_wizard(client)
    assert Complaint.objects.exists()
    assert "_session_expiry" not in client.session


def test_the_daily_job_removes_an_old_draft_from_a_session_kept_alive(client, reference_data):
    client.post(STEP_URL.format("nguoi-gui"), {**step_data()["nguoi-gui"], "go": "next"})
    session = client.session
    draft = session["complaint_draft"]
    draft["saved"] = (timezone.now() - datetime.timedelta(days=services.DRAFT_DAYS + 1)).isoformat()
    session["complaint_draft"] = draft
    session["complaints_access"] = [1]  # other pages changed the session since
    session.save()
    other = Client()
    other.post(STEP_URL.format("nguoi-gui"), {**step_data()["nguoi-gui"], "go": "next"})
    stored = _stored_session(client)
    expiry = stored.expire_date
    assert expiry > timezone.now()

    assert services.run_purge_drafts() == 1
    stored.refresh_from_db()
    data = stored.get_decoded()
    assert "complaint_draft" not in data and "Trần Thị Lan" not in str(data)
    assert data["complaints_access"] == [1]
    assert stored.expire_date == expiry
    # The recent draft of the other visitor stays.
    assert "Trần Thị Lan" in str(_stored_session(other).get_decoded())
