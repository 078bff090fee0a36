import pytest
from django.core import mail

from complaints.models import Complaint, ComplaintEvent
from tests.complaints.factories import EXE_BYTES, big_file, pdf, png
from tests.complaints.helpers import STEP_URL, file_via_wizard, fill_until_files, step_data
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_anonymous_filing_end_to_end(client, business, issues, run_on_commit):
    with run_on_commit():
        response = file_via_wizard(client, business, files=[png(), pdf()])
    assert response.status_code == 302
    assert response["Location"].endswith("/khieu-nai/gui/da-gui/")
    complaint = Complaint.objects.get()
    assert complaint.business == business
    assert complaint.province == business.province
    assert complaint.complainant_phone == "0987 654 321"
    assert complaint.attachments.count() == 2
    assert complaint.channel == "web" and complaint.user is None
    done = client.get(response["Location"]).content.decode()
    assert complaint.code in done
    assert "/khieu-nai/theo-doi/" in done
    # The secret is shown once and not kept in the session afterwards.
    again = client.get(response["Location"]).content.decode()
    assert complaint.code in again and "/khieu-nai/theo-doi/" not in again
    assert client.session["complaint_filed"]["token"] is None
    assert any("lan.tran@example.vn" in m.to for m in mail.outbox)


def test_signed_in_consumer_sees_it_in_my_complaints(client, consumer, reference_data):
    login(client, consumer)
    assert "nguoitieudung@example.vn" in client.get(STEP_URL.format("nguoi-gui")).content.decode()
    file_via_wizard(client)
    complaint = Complaint.objects.get()
    assert complaint.user == consumer
    page = client.get("/khieu-nai/cua-toi/").content.decode()
    assert complaint.code in page
    assert client.get(f"/khieu-nai/tra-cuu/{complaint.code}/").status_code == 200


def test_steps_cannot_be_skipped(client, reference_data):
    response = client.get(STEP_URL.format("xac-nhan"))
    assert response.status_code == 302 and response["Location"].endswith("/gui/nguoi-gui/")
    assert client.get("/khieu-nai/gui/khong-co/").status_code == 404


def test_missing_fields_keep_what_was_typed(client, reference_data):
    response = client.post(
        STEP_URL.format("nguoi-gui"), {"complainant_name": "", "complainant_email": "an@example.vn"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "an@example.vn" in page
    assert "is-invalid" in page
    # Coming back to the step shows the same input again.
    assert "an@example.vn" in client.get(STEP_URL.format("nguoi-gui")).content.decode()


def test_contact_is_required(client, reference_data):
    response = client.post(STEP_URL.format("nguoi-gui"), {"complainant_name": "An"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_invalid_phone_number_is_refused(client, reference_data):
    # Checked by portal.validators (phonenumbers, region VN): shown again with its error.
    response = client.post(
        STEP_URL.format("nguoi-gui"),
        {"complainant_name": "John", "complainant_phone": "0912 34"},
    )
    assert response.status_code == 200
    assert "complainant_phone" in response.context["form"].errors
    assert "0912 34" in response.content.decode()


def test_phone_is_kept_in_the_portal_form():
    from complaints.forms import WhoForm

    form = WhoForm({"complainant_name": "An", "complainant_phone": "+84912345678"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["complainant_phone"] == "0912 345 678"


def test_eleven_digit_tax_code_is_refused(client, reference_data):
    data = step_data()
    client.post(STEP_URL.format("nguoi-gui"), data["nguoi-gui"])
    response = client.post(
        STEP_URL.format("doanh-nghiep"),
        {**data["doanh-nghiep"], "business_tax_code": "01234567891"},
    )
    assert response.status_code == 200
    assert "business_tax_code" in response.context["form"].errors
    assert "01234567891" in response.content.decode()


def test_issue_must_belong_to_the_sector(client, issues):
    fill_until_files(client)
    wrong = issues.exclude(sector__code="thuong-mai-dien-tu").first()
    data = step_data()["noi-dung"]
    response = client.post(STEP_URL.format("noi-dung"), {**data, "issue": wrong.pk})
    assert response.status_code == 200
    assert "issue" in response.context["form"].errors


def test_file_too_large_is_refused(client, reference_data):
    fill_until_files(client)
    response = client.post(STEP_URL.format("tep"), {"files": [big_file()], "go": "next"})
    assert response.status_code == 200
    assert "10" in str(response.context["form"].errors["files"])


def test_exe_renamed_pdf_is_refused(client, reference_data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fill_until_files(client)
    fake = SimpleUploadedFile("hoa-don.pdf", EXE_BYTES, content_type="application/pdf")
    response = client.post(STEP_URL.format("tep"), {"files": [fake], "go": "next"})
    assert response.status_code == 200
    assert response.context["form"].errors["files"]


def test_at_most_ten_files(client, reference_data):
    fill_until_files(client)
    response = client.post(
        STEP_URL.format("tep"), {"files": [png(f"a{i}.png") for i in range(11)], "go": "next"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["files"]


def test_files_can_be_removed_before_sending(client, reference_data):
    fill_until_files(client)
    client.post(STEP_URL.format("tep"), {"files": [png(), pdf()], "go": "upload"})
    draft = client.session["complaint_draft"]
    assert len(draft["files"]) == 2
    client.post(STEP_URL.format("tep"), {"remove": draft["files"][0]["id"]})
    assert len(client.session["complaint_draft"]["files"]) == 1


def test_script_in_narrative_is_shown_escaped(client, reference_data, province_officer):
    fill_until_files(client, overrides={"noi-dung": {"description": "<script>alert(1)</script>"}})
    client.post(STEP_URL.format("tep"), {"go": "next"})
    review = client.get(STEP_URL.format("xac-nhan")).content.decode()
    assert "<script>alert(1)</script>" not in review
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in review
    client.post(STEP_URL.format("xac-nhan"), {"consent_processing": "on"})
    complaint = Complaint.objects.get()
    login(client, province_officer)
    page = client.get(f"/khieu-nai/quan-ly/{complaint.code}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_consent_is_required_on_the_last_step(client, reference_data):
    fill_until_files(client)
    client.post(STEP_URL.format("tep"), {"go": "next"})
    response = client.post(STEP_URL.format("xac-nhan"), {"go": "send"})
    assert response.status_code == 200
    assert response.context["form"].errors["consent_processing"]
    assert not Complaint.objects.exists()


def test_double_submit_files_one_complaint(client, reference_data):
    first = file_via_wizard(client)
    second = client.post(STEP_URL.format("xac-nhan"), {"consent_processing": "on", "go": "send"})
    assert first.status_code == second.status_code == 302
    assert second["Location"].endswith("/khieu-nai/gui/da-gui/")
    assert Complaint.objects.count() == 1
    assert ComplaintEvent.objects.filter(kind="filed").count() == 1


def test_concurrent_double_submit_with_same_draft_files_once(client, reference_data):
    """Two requests carrying the same form session (sent before either finished) share the
    submission key: the second finds the first complaint."""
    from complaints import services
    from tests.complaints.factories import complaint_data

    first, token = services.file_complaint(data=complaint_data(), submission_key="abc")
    again, token_again = services.file_complaint(data=complaint_data(), submission_key="abc")
    assert again == first and token and token_again is None
    assert Complaint.objects.count() == 1


def test_filing_is_rate_limited(client, reference_data, settings):
    settings.COMPLAINTS_FILING_RATE = (1, 60)
    file_via_wizard(client)
    fill_until_files(client)
    client.post(STEP_URL.format("tep"), {"go": "next"})
    response = client.post(STEP_URL.format("xac-nhan"), {"consent_processing": "on"})
    assert response.status_code == 429
    assert Complaint.objects.count() == 1
    # What was typed is still there.
    assert client.session["complaint_draft"]["data"]["nguoi-gui"]


def test_english_interface(client, reference_data):
    page = client.get("/en/khieu-nai/gui/nguoi-gui/").content.decode()
    assert "File a complaint" in page
    page_vi = client.get(STEP_URL.format("nguoi-gui")).content.decode()
    assert "Gửi khiếu nại" in page_vi or "Họ và tên" in page_vi


def test_consent_text_is_stored_with_the_complaint(client, reference_data):
    file_via_wizard(client)
    complaint = Complaint.objects.get()
    assert complaint.consent_processing and complaint.consent_version
    # The sentence as shown, in Vietnamese.
    assert "đồng ý" in complaint.consent_text


def test_province_comes_from_the_chosen_business(client, business):
    data = step_data(business)
    client.post(STEP_URL.format("nguoi-gui"), data["nguoi-gui"])
    response = client.post(
        STEP_URL.format("doanh-nghiep"), {**data["doanh-nghiep"], "province": ""}
    )
    assert response.status_code == 302
    # Without a business, the province must be chosen.
    response = client.post(
        STEP_URL.format("doanh-nghiep"), {"business_name": "Shop lạ", "province": ""}
    )
    assert response.status_code == 200
    assert "province" in response.context["form"].errors


def test_abandoned_draft_files_are_purged(client, reference_data, settings):
    import os
    import time
    from pathlib import Path

    from complaints import services

    fill_until_files(client)
    client.post(STEP_URL.format("tep"), {"files": [png()], "go": "upload"})
    key = client.session["complaint_draft"]["key"]
    from portal.files import private_storage

    folder = Path(private_storage.path(f"complaints/drafts/{key}"))
    assert folder.is_dir()

    def touch(stamp):
        for item in (folder, *folder.iterdir()):
            os.utime(item, (stamp, stamp))

    now = time.time()  # the suite's frozen clock; the file system stamps the real time
    touch(now)
    assert services.purge_abandoned_drafts() == 0  # too recent
    touch(now - 3 * 86400)
    assert services.purge_abandoned_drafts() == 1
    assert not folder.exists()


def test_sent_draft_files_are_kept(client, reference_data, settings):
    import os

    from complaints import services

    file_via_wizard(client, files=[png()])
    attachment = Complaint.objects.get().attachments.get()
    folder = os.path.dirname(attachment.file.path)
    old = os.stat(folder).st_mtime - 3 * 86400
    for item in (folder, attachment.file.path):
        os.utime(item, (old, old))
    assert services.purge_abandoned_drafts() == 0
    assert os.path.exists(attachment.file.path)


def test_home_page_shows_the_complaints_block(client, reference_data):
    page = client.get("/").content.decode()
    assert "/khieu-nai/thong-ke/" in page


def test_withdrawal_needs_confirmation(client, reference_data):
    from tests.complaints.factories import make_complaint

    complaint = make_complaint()
    client.get(f"/khieu-nai/theo-doi/{complaint.token}/")
    url = f"/khieu-nai/tra-cuu/{complaint.code}/rut/"
    client.post(url, {"message": "nhầm"})
    complaint.refresh_from_db()
    assert complaint.status == "submitted"
    client.post(url, {"confirm": "on", "message": "Đã tự thỏa thuận"})
    complaint.refresh_from_db()
    assert complaint.status == "withdrawn"


def test_the_form_marks_the_fields_the_registry_declares_personal(client, reference_data):
    from complaints.forms import WhoForm

    form = WhoForm()
    assert form.fields["vulnerable_group"].widget.attrs["data-personal"] == "sensitive"
    assert form.fields["complainant_email"].widget.attrs["data-personal"] == "personal"
    assert "complainant_name" in form.personal_fields
    page = client.get("/khieu-nai/gui/nguoi-gui/").content.decode()
    assert 'data-personal="sensitive"' in page
