"""The optional consent to publishing an anonymised summary: its own text and version, kept
on the complaint only when given (wizard, staff entry), like the processing consent."""

import pytest
from django.utils import translation

from complaints.forms import PUBLISH_CONSENT_VERSION, publish_consent_text
from complaints.models import Complaint
from tests.complaints.helpers import STEP_URL, fill_until_files, step_data
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _send(client, **consents):
    fill_until_files(client)
    client.post(STEP_URL.format("tep"), {"go": "next"})
    return client.post(STEP_URL.format("xac-nhan"), {**consents, "go": "send"})


def test_the_text_says_what_is_published_when_and_how_to_withdraw():
    with translation.override("en"):
        english = str(publish_consent_text())
    for words in ("anonymised summary", "reviewed by an officer", "public list", "closed"):
        assert words in english
    assert "without my name, contacts or any other personal details" in english
    assert "withdraw this consent until the summary is published" in english
    with translation.override("vi"):
        vietnamese = str(publish_consent_text())
    assert vietnamese != english
    assert "ẩn danh" in vietnamese and "rút lại" in vietnamese


def test_the_review_step_shows_the_publishing_text_as_the_box_label(client, reference_data):
    fill_until_files(client)
    client.post(STEP_URL.format("tep"), {"go": "next"})
    page = client.get(STEP_URL.format("xac-nhan")).content.decode()
    with translation.override("vi"):
        assert str(publish_consent_text()) in page


def test_a_ticked_box_keeps_the_version_and_the_words_shown(client, reference_data):
    response = _send(client, consent_processing="on", consent_publish="on")
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.consent_publish is True
    assert complaint.consent_publish_version == PUBLISH_CONSENT_VERSION
    with translation.override("vi"):
        assert complaint.consent_publish_text == str(publish_consent_text())


def test_the_english_form_keeps_the_english_words(client, reference_data):
    data = step_data()
    for slug in ("nguoi-gui", "doanh-nghiep", "noi-dung", "yeu-cau"):
        client.post("/en" + STEP_URL.format(slug), {**data[slug], "go": "next"})
    client.post("/en" + STEP_URL.format("tep"), {"go": "next"})
    client.post(
        "/en" + STEP_URL.format("xac-nhan"),
        {"consent_processing": "on", "consent_publish": "on", "go": "send"},
    )
    complaint = Complaint.objects.get()
    assert complaint.consent_publish_text.startswith("I agree that, after my complaint is closed")


def test_without_the_box_nothing_of_the_publishing_consent_is_kept(client, reference_data):
    _send(client, consent_processing="on")
    complaint = Complaint.objects.get()
    assert complaint.consent_publish is False
    assert complaint.consent_publish_version == ""
    assert complaint.consent_publish_text == ""


def test_staff_entry_reads_out_and_keeps_the_same_text(client, province_officer, reference_data):
    login(client, province_officer)
    page = client.get("/khieu-nai/quan-ly/nhap/").content.decode()
    with translation.override("vi"):
        assert str(publish_consent_text()) in page


def test_the_consumers_export_shows_the_publishing_consent_and_the_product(client, reference_data):
    fill_until_files(client, overrides={"noi-dung": {"gtin": "8936000123451"}})
    client.post(STEP_URL.format("tep"), {"go": "next"})
    client.post(
        STEP_URL.format("xac-nhan"),
        {"consent_processing": "on", "consent_publish": "on", "go": "send"},
    )
    complaint = Complaint.objects.get()
    data = client.get(f"/khieu-nai/tra-cuu/{complaint.code}/du-lieu.json").json()
    assert data["consent_publish"] is True
    assert data["consent_publish_version"] == PUBLISH_CONSENT_VERSION
    assert data["consent_publish_text"] == complaint.consent_publish_text
    assert data["gtin"] == "8936000123451"
