"""The complaints API for the public and the consumer (complaints.api): statistics, consent,
filing, tracking, "my complaints" and the consumer's steps, with the access matrix: only the
proof of filing (account, secret token) or the code with the contact shows a complaint, and
every other caller gets the same 404 with nothing stored."""

import pytest
from django.utils import timezone

from complaints import services
from complaints.models import CONSENT_VERSION, Attachment, Complaint, ComplaintEvent, Status
from portal.models import Agency, Province, Sector
from tests.complaints.factories import EXE_BYTES, PNG_BYTES, make_complaint
from tests.conftest import make_officer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PRIVATE = "private, no-store"


def _png(name="hoa-don.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def filing(**overrides):
    data = {
        "complainant_name": "Trần Thị Lan",
        "complainant_phone": "0987 654 321",
        "complainant_email": "lan.tran@example.vn",
        "business_name": "Shop Mỹ Phẩm Online Hằng Nga",
        "business_website": "https://facebook.com/shop-hang-nga",
        "province": Province.objects.get(code="01").pk,
        "sector": Sector.objects.get(code="thuong-mai-dien-tu").pk,
        "description": "Đặt mua kem dưỡng, nhận hàng giả.",
        "transaction_date": "2027-01-10",
        "amount": "450000",
        "request": "Hoàn tiền 450.000 đồng.",
        "consent_processing": "true",
        "consent_version": CONSENT_VERSION,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def complaint(reference_data, consumer):
    return make_complaint(user=consumer, complainant_email="hoa@example.vn")


def _forwarded_and_resolved(complaint, officer, business):
    services.forward(complaint, actor=officer, business=business)
    services.acknowledge(complaint, actor=officer)
    services.report_result(complaint, actor=officer, resolved=True, message="Đã hoàn tiền.")
    complaint.refresh_from_db()
    return complaint


# --- Statistics and consent -------------------------------------------------------------


def test_statistics_are_the_pages_figures_with_conditional_get(api, reference_data):
    for _ in range(4):
        make_complaint()
    response = api.get("/complaints/statistics", lang="en")
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == body["years"][0] == timezone.localdate().year
    assert body["total"] == 4
    assert body["total_shown"] is True
    submitted = next(row for row in body["by_status"] if row["status"] == Status.SUBMITTED)
    assert submitted == {"status": "submitted", "label": "Submitted", "count": 4}
    assert response["ETag"] and response["Last-Modified"]
    again = api.get("/complaints/statistics", lang="en", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    last_year = api.get("/complaints/statistics", {"year": 2026}).json()
    assert last_year["year"] == 2026 and last_year["total"] == 0


def test_statistics_hide_small_counts(api, reference_data):
    make_complaint()
    body = api.get("/complaints/statistics").json()
    assert body["total_shown"] is False
    assert body["total"] == "<3"


def test_statistics_refuse_a_year_outside_the_published_ones(api, reference_data):
    response = api.get("/complaints/statistics", {"year": 1999}, lang="en")
    assert response.status_code == 422
    assert "year" in response.json()["fields"]
    assert api.get("/complaints/statistics", {"year": "x"}).status_code == 422


def test_consent_gives_the_current_text_and_version(api, reference_data):
    response = api.get("/complaints/consent", lang="en")
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE
    body = response.json()
    assert body["version"] == CONSENT_VERSION
    assert body["text"].startswith("I agree that the provincial Department")
    vietnamese = api.get("/complaints/consent", lang="vi").json()["text"]
    assert vietnamese != body["text"]


# --- Filing -----------------------------------------------------------------------------


def test_anonymous_filing_with_a_file_answers_code_and_token(api, reference_data):
    response = api.post("/complaints", filing(), files={"files": [_png()]}, lang="en")
    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == PRIVATE
    body = response.json()
    complaint = Complaint.objects.get(code=body["code"])
    assert body["status"] == Status.SUBMITTED
    assert complaint.user is None
    assert complaint.consent_version == CONSENT_VERSION
    assert complaint.consent_text.startswith("I agree that the provincial Department")
    assert complaint.language == "en"
    assert complaint.attachments.get().content_type == "image/png"
    assert complaint.amount == 450000
    assert body["tracking_url"].endswith(f"/khieu-nai/theo-doi/{body['token']}/")
    assert services.find_by_token(body["token"]) == complaint
    # The token is the proof: the complaint is readable with it.
    tracked = api.get(f"/complaints/by-token/{body['token']}").json()
    assert tracked["code"] == complaint.code
    assert tracked["allowed"] == ["add_info", "withdraw"]


def test_a_signed_in_consumer_finds_the_filing_in_mine(api, token_of, consumer):
    response = api.post("/complaints", filing(), files={}, token=token_of(consumer))
    assert response.status_code == 201
    code = response.json()["code"]
    assert Complaint.objects.get(code=code).user == consumer
    mine = api.get("/complaints/mine", token=token_of(consumer)).json()
    assert [row["code"] for row in mine["items"]] == [code]


def test_a_registered_business_chosen_by_id_decides_the_province(api, business):
    response = api.post(
        "/complaints", filing(business_id=business.pk, province=None, business_name="x"), files={}
    )
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(code=response.json()["code"])
    assert complaint.business == business
    assert complaint.province == business.province


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"complainant_name": None}, "complainant_name"),
        ({"complainant_phone": None, "complainant_email": None}, None),
        ({"complainant_email": "khong-phai-email"}, "complainant_email"),
        ({"province": None}, "province"),
        ({"sector": 999999}, "sector"),
        ({"transaction_date": "2099-01-01"}, "transaction_date"),
        ({"description": None}, "description"),
        ({"request": None}, "request"),
        ({"is_representative": "false", "represented_name": "Bà Hoa"}, "represented_name"),
        ({"consent_processing": None}, "consent_processing"),
        ({"consent_version": None}, "consent_version"),
        ({"consent_version": "2020-01"}, "consent_version"),
        ({"amount": "nhiều"}, "amount"),
    ],
)
def test_filing_refuses_what_the_wizard_refuses_and_stores_nothing(
    api, reference_data, overrides, field
):
    response = api.post("/complaints", filing(**overrides), files={}, lang="en")
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    if field is None:
        # A form-wide error is the message itself.
        assert (
            body["message"] == "Give an e-mail address or a phone number so that we can reach you."
        )
    else:
        assert field in body["fields"], body
    assert response["Cache-Control"] == PRIVATE
    assert not Complaint.objects.exists()


def test_filing_checks_files_by_their_content(api, reference_data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    disguised = SimpleUploadedFile("anh.png", EXE_BYTES, content_type="image/png")
    response = api.post("/complaints", filing(), files={"files": [disguised]}, lang="en")
    assert response.status_code == 422
    assert "files" in response.json()["fields"]
    too_many = [_png(f"{i}.png") for i in range(11)]
    assert api.post("/complaints", filing(), files={"files": too_many}).status_code == 422
    assert not Complaint.objects.exists()
    assert not Attachment.objects.exists()


def test_filing_shares_the_forms_rate_limit(api, reference_data, settings):
    settings.COMPLAINTS_FILING_RATE = (1, 60)
    assert api.post("/complaints", filing(), files={}).status_code == 201
    response = api.post("/complaints", filing(), files={}, lang="en")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0
    assert Complaint.objects.count() == 1


# --- Tracking -----------------------------------------------------------------------------


def test_track_by_code_and_contact(api, complaint):
    response = api.post("/complaints/track", {"code": complaint.code, "contact": "0912 345 678"})
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE
    body = response.json()
    assert body["code"] == complaint.code
    assert body["consumer"]["name"] == "Nguyễn Thị Hoa"
    assert body["events"][0]["kind"] == ComplaintEvent.Kind.FILED
    # The code with the contact shows the case; withdrawing needs the proof of filing.
    assert body["allowed"] == ["add_info"]


def test_tracking_does_not_tell_a_wrong_contact_from_an_unknown_code(api, complaint):
    wrong = api.post(
        "/complaints/track", {"code": complaint.code, "contact": "0900000000"}, lang="en"
    )
    unknown = api.post(
        "/complaints/track", {"code": "KN-2027-999999", "contact": "0912345678"}, lang="en"
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "not_found"
    assert "No complaint matches" in wrong.json()["message"]
    assert wrong["Cache-Control"] == PRIVATE


def test_tracking_needs_both_fields_and_is_rate_limited(api, complaint):
    missing = api.post("/complaints/track", {"code": complaint.code})
    assert missing.status_code == 422
    assert "contact" in missing.json()["fields"]
    blank = api.post("/complaints/track", {"code": " ", "contact": "0912345678"})
    assert blank.status_code == 422
    for _ in range(30):
        api.post("/complaints/track", {"code": "KN-2027-999999", "contact": "0912345678"})
    limited = api.post("/complaints/track", {"code": complaint.code, "contact": "0912345678"})
    assert limited.status_code == 429


def test_by_token_with_a_wrong_token_is_404(api, complaint):
    assert api.get(f"/complaints/by-token/{complaint.token}").status_code == 200
    response = api.get("/complaints/by-token/khong-dung")
    assert response.status_code == 404
    assert response["Cache-Control"] == PRIVATE


# --- My complaints ----------------------------------------------------------------------


def test_mine_lists_only_the_accounts_complaints_with_a_status_filter(api, token_of, consumer):
    own = make_complaint(user=consumer)
    other = UserFactory(email="khac@example.vn")
    make_complaint(user=other)
    make_complaint()
    response = api.get("/complaints/mine", token=token_of(consumer))
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE
    body = response.json()
    assert [row["code"] for row in body["items"]] == [own.code]
    assert body["count"] == 1
    services.withdraw(own, actor=services.complainant(own, consumer))
    open_only = api.get("/complaints/mine", {"status": "open"}, token=token_of(consumer)).json()
    assert open_only["items"] == []
    withdrawn = api.get("/complaints/mine", {"status": "withdrawn"}, token=token_of(consumer))
    assert [row["code"] for row in withdrawn.json()["items"]] == [own.code]
    bad = api.get("/complaints/mine", {"status": "khong-co"}, token=token_of(consumer))
    assert bad.status_code == 422
    too_big = api.get("/complaints/mine", {"page_size": 101}, token=token_of(consumer))
    assert too_big.status_code == 422


def test_mine_needs_a_sign_in(api, reference_data):
    response = api.get("/complaints/mine")
    assert response.status_code == 401
    assert response["Cache-Control"] == PRIVATE
    assert api.get("/complaints/mine", token="sai").status_code == 401


def test_mine_detail_access_matrix(
    api, token_of, complaint, province_officer, ministry_officer, business_member
):
    path = f"/complaints/mine/{complaint.code}"
    assert api.get(path, token=token_of(complaint.user)).status_code == 200
    other = UserFactory(email="khac@example.vn")
    # Officers handle the complaint on their pages; as consumers it is not theirs.
    for user in (other, province_officer, ministry_officer, business_member):
        response = api.get(path, token=token_of(user))
        assert response.status_code == 404, user
        assert response.json()["code"] == "not_found"
    assert api.get(path).status_code == 401
    assert api.get("/complaints/mine/KN-1", token=token_of(complaint.user)).status_code == 404


# --- The consumer's steps -----------------------------------------------------------------


def test_add_info_with_the_token_resumes_a_paused_complaint(api, complaint, province_officer):
    services.request_info(complaint, actor=province_officer, message="Gửi hóa đơn.")
    response = api.post(
        f"/complaints/{complaint.code}/info",
        {"message": "Hóa đơn đây.", "token": complaint.token},
        files={"files": [_png()]},
    )
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == PRIVATE
    complaint.refresh_from_db()
    assert complaint.status == Status.SUBMITTED
    assert complaint.step_due is not None
    assert complaint.attachments.count() == 1
    event = complaint.events.get(kind=ComplaintEvent.Kind.INFO_ADDED)
    assert event.message == "Hóa đơn đây." and event.actor_role == "consumer"


def test_add_info_by_the_owner_and_by_code_and_contact(api, token_of, complaint):
    by_owner = api.post(
        f"/complaints/{complaint.code}/info",
        {"message": "Thêm 1"},
        files={},
        token=token_of(complaint.user),
    )
    assert by_owner.status_code == 200
    by_contact = api.post(
        f"/complaints/{complaint.code}/info",
        {"message": "Thêm 2", "contact": "hoa@example.vn"},
        files={},
    )
    assert by_contact.status_code == 200
    assert complaint.events.filter(kind=ComplaintEvent.Kind.INFO_ADDED).count() == 2


def test_add_info_refuses_without_proof_or_content(api, token_of, complaint, province_officer):
    path = f"/complaints/{complaint.code}/info"
    other = UserFactory(email="khac@example.vn")
    refused = [
        api.post(path, {"message": "x"}, files={}),
        api.post(path, {"message": "x", "token": "sai"}, files={}),
        api.post(path, {"message": "x", "contact": "0900000000"}, files={}),
        api.post(path, {"message": "x"}, files={}, token=token_of(other)),
        api.post(path, {"message": "x"}, files={}, token=token_of(province_officer)),
        api.post("/complaints/KN-2027-999999/info", {"token": complaint.token}, files={}),
    ]
    assert [r.status_code for r in refused] == [404] * 6
    empty = api.post(path, {"token": complaint.token}, files={}, lang="en")
    assert empty.status_code == 422
    assert empty.json()["message"] == "Write the information or attach a file."
    from django.core.files.uploadedfile import SimpleUploadedFile

    exe = SimpleUploadedFile("a.pdf", EXE_BYTES, content_type="application/pdf")
    bad_file = api.post(path, {"token": complaint.token}, files={"files": [exe]})
    assert bad_file.status_code == 422 and "files" in bad_file.json()["fields"]
    assert not complaint.events.filter(kind=ComplaintEvent.Kind.INFO_ADDED).exists()
    assert not complaint.attachments.exists()


def test_withdraw_needs_the_proof_of_filing_and_confirmation(api, token_of, complaint):
    path = f"/complaints/{complaint.code}/withdraw"
    # The contact alone (which the business knows too) does not withdraw.
    assert api.post(path, {"contact": "0912345678", "confirm": True}).status_code == 404
    assert api.post(path, {"token": "sai", "confirm": True}).status_code == 404
    other = UserFactory(email="khac@example.vn")
    assert api.post(path, {"confirm": True}, token=token_of(other)).status_code == 404
    unconfirmed = api.post(path, {"token": complaint.token})
    assert unconfirmed.status_code == 422
    assert "confirm" in unconfirmed.json()["fields"]
    complaint.refresh_from_db()
    assert complaint.status == Status.SUBMITTED
    done = api.post(path, {"token": complaint.token, "confirm": True, "message": "Đã xong."})
    assert done.status_code == 200
    assert done.json()["status"] == Status.WITHDRAWN
    assert done.json()["allowed"] == []
    again = api.post(path, {"confirm": True}, token=token_of(complaint.user))
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"


def test_feedback_only_once_the_business_answered(
    api, token_of, complaint, province_officer, business
):
    path = f"/complaints/{complaint.code}/feedback"
    early = api.post(path, {"satisfied": True}, token=token_of(complaint.user))
    assert early.status_code == 409
    complaint.refresh_from_db()
    assert complaint.satisfied is None
    complaint.business = business
    complaint.save(update_fields=["business"])
    _forwarded_and_resolved(complaint, province_officer, business)
    assert api.post(path, {"satisfied": True, "token": "sai"}).status_code == 404
    assert api.post(path, {"token": complaint.token}).status_code == 422
    response = api.post(
        path, {"satisfied": False, "message": "Chậm.", "contact": "0912345678"}, lang="en"
    )
    assert response.status_code == 200
    complaint.refresh_from_db()
    assert complaint.satisfied is False
    feedback = complaint.events.get(kind=ComplaintEvent.Kind.FEEDBACK)
    assert feedback.message == "Not satisfied with the result. Chậm."


def test_staff_without_totp_get_nothing_more(api, token_of, complaint, hanoi):
    agency = Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province=hanoi)
    officer = make_officer(agency, "chua.totp@example.vn", mfa=False)
    token = token_of(officer)
    assert api.get(f"/complaints/mine/{complaint.code}", token=token).status_code == 404
    assert api.get("/complaints/mine", token=token).json()["items"] == []
    assert api.get(f"/business/complaints/{complaint.code}", token=token).status_code == 404
    response = api.post(f"/complaints/{complaint.code}/withdraw", {"confirm": True}, token=token)
    assert response.status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == Status.SUBMITTED


def test_the_schema_documents_the_answers_as_given(api, reference_data):
    # Schema names are global in the OpenAPI document: a name shared with another part's
    # schema would document one of the two wrongly.
    components = api.get("/openapi.json").json()["components"]["schemas"]
    complaint = components["ComplaintOut"]["properties"]
    assert complaint["events"]["items"]["$ref"] == "#/components/schemas/ComplaintEventOut"
    assert set(components["ComplaintEventOut"]["properties"]) == {
        "time",
        "kind",
        "status",
        "actor_role",
        "message",
    }
    assert set(components["ComplaintAttachmentOut"]["properties"]) == {
        "id",
        "name",
        "content_type",
        "size",
    }


def test_errors_speak_vietnamese_by_default(api, reference_data):
    response = api.post("/complaints", filing(consent_version="2020-01"), files={}, lang="vi")
    assert response.status_code == 422
    assert response.json()["fields"]["consent_version"] == [
        "Văn bản đồng ý đã thay đổi: hãy hiển thị văn bản hiện hành cho người tiêu dùng "
        f"(GET /complaints/consent) và gửi phiên bản {CONSENT_VERSION} của văn bản đó."
    ]


def test_my_list_costs_the_same_queries_for_more_rows(api, token_of, consumer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    token = token_of(consumer)
    make_complaint(user=consumer)
    api.get("/complaints/mine", token=token)  # warm the session and the actor's caches
    with CaptureQueriesContext(connection) as one:
        assert api.get("/complaints/mine", token=token).json()["count"] == 1
    for _ in range(4):
        make_complaint(user=consumer)
    with CaptureQueriesContext(connection) as five:
        assert api.get("/complaints/mine", token=token).json()["count"] == 5
    assert len(five) == len(one)


def test_a_retry_with_the_same_submission_key_files_nothing_twice(api, token_of, consumer):
    key = "5f0c2a9e-8d4b-4c1e-9a7f-3b6d1e2c4a5b"
    first = api.post("/complaints", filing(submission_key=key), files={})
    assert first.status_code == 201 and first.json()["token"]
    retry = api.post("/complaints", filing(submission_key=key), files={})
    assert retry.status_code == 200
    assert retry.json() == {
        "code": first.json()["code"],
        "status": Status.SUBMITTED,
        "token": None,
        "tracking_url": None,
        "matching_warnings": [],
    }
    assert Complaint.objects.count() == 1
    # The key is the app's own: another account's same key files its own complaint.
    other = api.post("/complaints", filing(submission_key=key), files={}, token=token_of(consumer))
    assert other.status_code == 201
    assert other.json()["code"] != first.json()["code"]
    assert api.post("/complaints", filing(submission_key="ngan"), files={}).status_code == 422
    bad = api.post("/complaints", filing(submission_key="x" * 20 + "/../"), files={})
    assert bad.status_code == 422 and "submission_key" in bad.json()["fields"]
    assert Complaint.objects.count() == 2


# --- The publishing consent (issue 15) --------------------------------------------------


def test_consent_also_gives_the_publishing_text_and_version(api, reference_data):
    from complaints.models import PUBLISH_CONSENT_VERSION

    body = api.get("/complaints/consent", lang="en").json()
    assert body["publish_version"] == PUBLISH_CONSENT_VERSION
    assert body["publish_text"].startswith("I agree that, after my complaint is closed")
    assert api.get("/complaints/consent").json()["publish_text"] != body["publish_text"]


def test_filing_with_the_publishing_consent_keeps_its_version_and_text(api, reference_data):
    from complaints.models import PUBLISH_CONSENT_VERSION

    response = api.post(
        "/complaints",
        filing(consent_publish="true", consent_publish_version=PUBLISH_CONSENT_VERSION),
        files={},
        lang="en",
    )
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(code=response.json()["code"])
    assert complaint.consent_publish is True
    assert complaint.consent_publish_version == PUBLISH_CONSENT_VERSION
    assert complaint.consent_publish_text.startswith("I agree that, after my complaint is closed")


@pytest.mark.parametrize("version", [None, "2020-01"])
def test_the_publishing_consent_needs_its_current_version(api, reference_data, version):
    response = api.post(
        "/complaints",
        filing(consent_publish="true", consent_publish_version=version),
        files={},
        lang="en",
    )
    assert response.status_code == 422
    assert "consent_publish_version" in response.json()["fields"]
    assert not Complaint.objects.exists()


def test_filing_without_the_publishing_consent_keeps_nothing_of_it(api, reference_data):
    response = api.post("/complaints", filing(), files={}, lang="en")
    complaint = Complaint.objects.get(code=response.json()["code"])
    assert complaint.consent_publish is False
    assert complaint.consent_publish_version == complaint.consent_publish_text == ""
