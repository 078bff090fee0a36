"""The self-assessment API (selfassess/api.py): public results and business pages, and a
business's own assessments (start, fill, evidence, submit) with the access matrix."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.models import Agency, Province, Sector
from selfassess import services
from selfassess.models import Answer, Assessment, Evidence
from tests.api.conftest import app_token
from tests.conftest import make_member, make_officer
from tests.factories import BusinessFactory
from tests.query_counts import assert_constant, unbounded_counts
from tests.selfassess.conftest import PDF_BYTES, fill_all, pdf_upload
from tests.selfassess.factories import criterion, make_set

pytestmark = pytest.mark.django_db

PRIVATE_KEYS = {"percent", "points", "total_points", "answers", "evidence", "note", "status"}


@pytest.fixture
def small_set(reference_data):
    return make_set()


@pytest.fixture
def draft(small_set, business, business_member):
    return services.start_assessment(
        user=business_member, business=business, criteria_set=small_set
    )


@pytest.fixture
def submitted(draft, business_member):
    fill_all(draft, business_member)
    return services.submit(assessment=draft, user=business_member)


@pytest.fixture
def verified(submitted, province_officer):
    services.review(assessment=submitted, officer=province_officer, decision="verify")
    submitted.refresh_from_db()
    return submitted


@pytest.fixture
def member_token(business_member):
    return app_token(business_member)


def _keys(value):
    """Every key of a JSON document, at any depth."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


# --- Public results ---------------------------------------------------------------------


def test_public_results_list_shows_verified_results_only(api, verified, other_business):
    # Another business's draft is never listed.
    services.start_assessment(
        user=make_member(other_business, "b@saigondo.example.vn"),
        business=other_business,
        criteria_set=verified.criteria_set,
    )
    response = api.get("/businesses", lang="en")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [row] = body["items"]
    assert row["tax_code"] == verified.business.tax_code
    assert row["criteria_set"]["code"] == "bo-thu"
    assert row["band"]["code"] == "vang"
    assert row["verified_on"] == timezone.localdate(verified.decided_at).isoformat()
    assert not _keys(row) & PRIVATE_KEYS
    assert response["ETag"] and response["Last-Modified"]


def test_public_results_search_is_diacritic_blind_and_filters(api, verified, hcm):
    assert api.get("/businesses", {"q": "binh an ha noi"}).json()["count"] == 1
    assert api.get("/businesses", {"q": verified.business.tax_code}).json()["count"] == 1
    assert api.get("/businesses", {"q": "khong co ai"}).json()["count"] == 0
    hanoi_id = verified.business.province_id
    assert api.get("/businesses", {"province": hanoi_id}).json()["count"] == 1
    assert api.get("/businesses", {"province": hcm.pk}).json()["count"] == 0
    assert api.get("/businesses", {"band": "vang", "year": 2025}).json()["count"] == 1
    assert api.get("/businesses", {"set": "bo-thu"}).json()["count"] == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"province": 999999}, "province"),
        ({"band": "kim-cuong"}, "band"),
        ({"year": "abc"}, "year"),
        ({"q": "x" * 101}, "q"),
        ({"page_size": 101}, "page_size"),
    ],
)
def test_public_results_bad_filter_is_a_clear_error(api, verified, params, field):
    response = api.get("/businesses", params, lang="en")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"]


def test_public_results_refuse_a_nul_byte_before_the_database(api, verified):
    # The portal's input guard (portal.inputs) answers 400 before any query.
    assert api.get("/businesses", {"q": "binh\x00an"}).status_code == 400


def test_public_results_queries_do_not_grow(api, reference_data):
    sets = [make_set(), make_set(code="bo-hai", title="Bộ thứ hai", year=2026)]
    provinces = list(Province.objects.current()[:3])
    sectors = list(Sector.objects.all()[:2])
    made = []

    def add(n):
        for _i in range(n):
            i = len(made)
            cset = sets[i % 2]
            business = BusinessFactory(
                province=provinces[i % len(provinces)], sector=sectors[i % len(sectors)]
            )
            made.append(
                Assessment.objects.create(
                    business=business,
                    criteria_set=cset,
                    status="verified",
                    band=cset.bands.order_by("pk")[i % 3] if i % 4 else None,
                    is_public=True,
                    decided_at=timezone.now(),
                )
            )

    many = assert_constant(api.client, "/api/v1/businesses", {"page_size": 100}, add)
    assert not unbounded_counts(many)
    assert api.get("/businesses", {"page_size": 100}).json()["count"] == 9


def test_business_page_shows_its_verified_results(api, verified):
    response = api.get(f"/businesses/{verified.business.tax_code}", lang="en")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == verified.business.name
    assert body["province"]["id"] == verified.business.province_id
    assert body["current"]["band"]["code"] == "vang"
    assert [row["criteria_set"]["code"] for row in body["verified"]] == ["bo-thu"]
    assert body["complaint_steps"] == {
        "steps": 0,
        "late": 0,
        "on_time_share": None,
        "on_time": 0,
        "overdue": 0,
    }
    # The verified score is public (issue #15); the answers and points stay private.
    assert body["current"]["score"] == 100.0
    assert body["current"]["signals_at_verification"] == {
        "complaints_open": 0,
        "complaints_overdue": 0,
        "warnings": 0,
    }
    assert body["warnings"] == [] and body["nothing_published"] is False
    assert not _keys(body) & PRIVATE_KEYS
    assert "email" not in body and "phone" not in body
    assert response["ETag"]


def test_business_page_without_a_result_and_unknown_ones(api, business, draft):
    body = api.get(f"/businesses/{business.tax_code}").json()
    assert body["current"] is None and body["verified"] == []
    assert body["warnings"] == [] and body["nothing_published"] is True
    assert api.get("/businesses/0109999999").status_code == 404
    assert api.get("/businesses/0101000013%00").status_code == 400
    for bad in ("abc", "01010000131234567", "0101000013-12"):
        response = api.get(f"/businesses/{bad}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_criteria_sets_open_for_assessments(api, small_set):
    make_set(code="nhap", status="draft")
    rows = api.get("/criteria-sets").json()
    assert [row["code"] for row in rows] == ["bo-thu"]


# --- A business's assessments ------------------------------------------------------------


def test_start_an_assessment_then_the_same_one_again(api, small_set, business, member_token):
    payload = {"business": business.pk, "criteria_set": small_set.pk}
    first = api.post("/assessments", payload, token=member_token)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["status"] == "draft" and body["editable"] is True
    assert body["score"]["total"] == 5
    again = api.post("/assessments", payload, token=member_token)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize("which", ["draft-set", "other-business", "missing"])
def test_start_refuses_what_the_page_refuses(
    api, small_set, business, other_business, member_token, which
):
    payload = {"business": business.pk, "criteria_set": small_set.pk}
    if which == "draft-set":
        payload["criteria_set"] = make_set(code="nhap", status="draft").pk
    elif which == "other-business":
        payload["business"] = other_business.pk
    else:
        del payload["criteria_set"]
    response = api.post("/assessments", payload, token=member_token, lang="en")
    assert response.status_code == 422
    field = "business" if which == "other-business" else "criteria_set"
    assert field in response.json()["fields"]
    assert not Assessment.objects.exists()


def test_my_assessments_lists_only_my_businesses(
    api, draft, other_business, other_business_member, member_token
):
    services.start_assessment(
        user=other_business_member, business=other_business, criteria_set=draft.criteria_set
    )
    body = api.get("/assessments", token=member_token).json()
    assert [row["id"] for row in body["items"]] == [draft.pk]
    assert api.get("/assessments", {"status": "submitted"}, token=member_token).json()["count"] == 0
    bad = api.get("/assessments", {"status": "lost"}, token=member_token)
    assert bad.status_code == 422 and "status" in bad.json()["fields"]
    assert api.get("/assessments").status_code == 401


def test_detail_has_criteria_answers_score_and_what_is_missing(
    api, draft, business_member, member_token
):
    services.save_answer(
        assessment=draft,
        criterion=criterion(draft.criteria_set, "A1"),
        value="yes",
        note="Niêm yết tại quầy",
        user=business_member,
    )
    body = api.get(f"/assessments/{draft.pk}", token=member_token, lang="en").json()
    criteria = {c["code"]: c for g in body["groups"] for c in g["criteria"]}
    assert set(criteria) == {"S1", "A1", "A2", "B1", "B2"}
    assert criteria["A1"]["answer"]["value"] == "yes"
    assert criteria["A1"]["answer"]["note"] == "Niêm yết tại quầy"
    assert {c["value"] for c in criteria["A2"]["choices"]} == {"none", "plan", "implemented"}
    assert criteria["S1"]["answer"] is None
    assert body["score"]["answered"] == 1
    missing = {row["code"] for row in body["missing"]}
    assert missing == {"S1", "A2", "B1", "B2"}
    assert [e["kind"] for e in body["events"]] == ["started"]


def test_patch_answers_saves_some_and_keeps_the_rest(api, draft, business_member, member_token):
    cset = draft.criteria_set
    services.save_answer(
        assessment=draft,
        criterion=criterion(cset, "B1"),
        value="yes",
        note="Tổng đài 1800",
        user=business_member,
    )
    response = api.patch(
        f"/assessments/{draft.pk}/answers",
        {
            "answers": [
                {"criterion": criterion(cset, "S1").pk, "value": "pass"},
                {"criterion": criterion(cset, "A1").pk, "value": "yes", "note": "x" * 5000},
            ]
        },
        token=member_token,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["score"]["answered"] == 3
    assert body["screening_failed"] is False
    answers = {a.criterion.code: a for a in Answer.objects.filter(assessment=draft)}
    assert answers["S1"].value == "pass"
    # Cut as the page's autosave cuts it.
    assert len(answers["A1"].note) == 4000
    # B1 was not sent: kept. A value sent without a note keeps the note.
    assert answers["B1"].value == "yes"
    api.patch(
        f"/assessments/{draft.pk}/answers",
        {"answers": [{"criterion": criterion(cset, "B1").pk, "value": "no"}]},
        token=member_token,
    )
    b1 = Answer.objects.get(assessment=draft, criterion__code="B1")
    assert (b1.value, b1.note) == ("no", "Tổng đài 1800")
    # An empty value clears the answer, as on the page.
    api.patch(
        f"/assessments/{draft.pk}/answers",
        {"answers": [{"criterion": criterion(cset, "B1").pk, "value": ""}]},
        token=member_token,
    )
    assert Answer.objects.get(assessment=draft, criterion__code="B1").value == ""


@pytest.mark.parametrize("which", ["unknown-criterion", "other-set", "bad-choice", "empty"])
def test_patch_answers_bad_input_stores_nothing(api, draft, member_token, which):
    cset = draft.criteria_set
    good = {"criterion": criterion(cset, "A1").pk, "value": "yes"}
    bad = {
        "unknown-criterion": {"criterion": 999999, "value": "yes"},
        "other-set": {"criterion": make_set(code="khac").criteria.first().pk, "value": "yes"},
        "bad-choice": {"criterion": criterion(cset, "S1").pk, "value": "yes"},
        "empty": None,
    }[which]
    payload = {"answers": [good, bad] if bad else []}
    response = api.patch(f"/assessments/{draft.pk}/answers", payload, token=member_token, lang="en")
    assert response.status_code == 422
    fields = response.json()["fields"]
    expected = {
        "unknown-criterion": "answers.1.criterion",
        "other-set": "answers.1.criterion",
        "bad-choice": "answers.1.value",
        "empty": "answers",
    }[which]
    assert expected in fields, fields
    assert not Answer.objects.filter(assessment=draft).exists()


def test_patch_answers_of_a_submitted_assessment_is_a_conflict(api, submitted, member_token):
    before = list(Answer.objects.filter(assessment=submitted).values_list("value", flat=True))
    response = api.patch(
        f"/assessments/{submitted.pk}/answers",
        {"answers": [{"criterion": criterion(submitted.criteria_set, "B1").pk, "value": "no"}]},
        token=member_token,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    after = list(Answer.objects.filter(assessment=submitted).values_list("value", flat=True))
    assert after == before


def test_evidence_upload_download_and_removal(api, draft, member_token):
    a2 = criterion(draft.criteria_set, "A2")
    response = api.post(
        f"/assessments/{draft.pk}/evidence",
        {"criterion": a2.pk},
        files={"file": pdf_upload()},
        token=member_token,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["criterion"] == a2.pk
    assert body["content_type"] == "application/pdf"
    assert body["name"] == "minh-chung.pdf"
    download = api.get(f"/assessments/{draft.pk}/evidence/{body['id']}", token=member_token)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    detail = api.get(f"/assessments/{draft.pk}", token=member_token).json()
    files = [e for g in detail["groups"] for c in g["criteria"] for e in c["evidence"]]
    assert [f["id"] for f in files] == [body["id"]]
    removed = api.delete(f"/assessments/{draft.pk}/evidence/{body['id']}", token=member_token)
    assert removed.status_code == 204
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("which", ["fake-pdf", "empty", "unknown-criterion", "no-file"])
def test_evidence_checked_by_content_and_nothing_stored(api, draft, member_token, which):
    a2 = criterion(draft.criteria_set, "A2")
    data = {"criterion": a2.pk if which != "unknown-criterion" else 999999}
    upload = {
        "fake-pdf": SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
        "empty": SimpleUploadedFile("a.pdf", b"", "application/pdf"),
        "unknown-criterion": SimpleUploadedFile("a.pdf", PDF_BYTES, "application/pdf"),
        "no-file": None,
    }[which]
    files = {"file": upload} if upload else {}
    response = api.post(
        f"/assessments/{draft.pk}/evidence", data, files=files, token=member_token, lang="en"
    )
    assert response.status_code == 422, response.content
    field = "criterion" if which == "unknown-criterion" else "file"
    assert field in response.json()["fields"]
    assert not Evidence.objects.exists()


def test_submit_incomplete_lists_what_is_missing(api, draft, member_token):
    response = api.post(f"/assessments/{draft.pk}/submit", token=member_token, lang="en")
    assert response.status_code == 422
    body = response.json()
    s1 = criterion(draft.criteria_set, "S1")
    assert body["fields"][f"criteria.{s1.pk}"] == ["Not answered."]
    assert len([k for k in body["fields"] if k.startswith("criteria.")]) == 5
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.submitted_at is None


def test_submit_complete_then_again_is_a_conflict(api, draft, business_member, member_token):
    fill_all(draft, business_member)
    response = api.post(f"/assessments/{draft.pk}/submit", token=member_token)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["editable"] is False
    assert body["missing"] == []
    assert [e["kind"] for e in body["events"]] == ["started", "submitted"]
    again = api.post(f"/assessments/{draft.pk}/submit", token=member_token)
    assert again.status_code == 409
    assert draft.events.count() == 2


def test_the_page_and_the_api_agree_on_the_score(api, draft, business_member, member_token):
    fill_all(draft, business_member, {"A2": "plan", "B2": "no"})
    body = api.get(f"/assessments/{draft.pk}", token=member_token).json()
    from selfassess.selectors import score_of

    score = score_of(draft)
    assert body["score"]["percent"] == str(score.percent)
    assert body["score"]["band"]["code"] == score.band.code


# --- Access matrix -----------------------------------------------------------------------


def _untrusted_officer(hanoi):
    agency = Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province=hanoi)
    return make_officer(agency, "chua-totp@example.vn", mfa=False)


ROLES = [
    "consumer",
    "other_business_member",
    "province_officer",
    "other_province_officer",
    "ministry_officer",
    "association_member",
    "officer_without_totp",
]


def _requests(assessment, evidence):
    a1 = criterion(assessment.criteria_set, "A1").pk
    base = f"/assessments/{assessment.pk}"
    return [
        ("get", base, {}),
        ("patch", f"{base}/answers", {"data": {"answers": [{"criterion": a1, "value": "no"}]}}),
        ("post", f"{base}/evidence", {"data": {"criterion": a1}, "files": {"file": None}}),
        ("get", f"{base}/evidence/{evidence.pk}", {}),
        ("delete", f"{base}/evidence/{evidence.pk}", {}),
        ("post", f"{base}/submit", {}),
    ]


def _send(api, method, path, options, token):
    if method == "get":
        return api.get(path, token=token)
    if method == "delete":
        return api.delete(path, token=token)
    files = options.get("files")
    if files is not None:
        files = {"file": pdf_upload()}
    return getattr(api, method)(
        path, options.get("data"), token=token, **({"files": files} if files else {})
    )


def _state(assessment):
    assessment.refresh_from_db()
    return (
        assessment.status,
        sorted(Answer.objects.filter(assessment=assessment).values_list("criterion", "value")),
        sorted(Evidence.objects.filter(assessment=assessment).values_list("pk", flat=True)),
    )


@pytest.mark.parametrize("state", ["draft", "submitted"])
@pytest.mark.parametrize("role", ROLES)
def test_another_business_assessment_is_404_for_every_other_role(
    request, api, hanoi, business_member, state, role
):
    assessment = request.getfixturevalue("submitted" if state == "submitted" else "draft")
    if state == "draft":
        services.add_evidence(
            assessment=assessment,
            criterion=criterion(assessment.criteria_set, "A2"),
            upload=pdf_upload(),
            user=business_member,
        )
    evidence = assessment.evidence.first()
    user = (
        _untrusted_officer(hanoi)
        if role == "officer_without_totp"
        else (request.getfixturevalue(role))
    )
    token = app_token(user)
    before = _state(assessment)
    for method, path, options in _requests(assessment, evidence):
        response = _send(api, method, path, options, token)
        assert response.status_code == 404, (role, method, path, response.content)
        assert response.json()["code"] == "not_found"
    assert api.get("/assessments", token=token).json()["count"] == 0
    assert _state(assessment) == before


def test_anonymous_and_bad_tokens_get_401(api, draft):
    evidence_id = 1
    for token in (None, "not-a-token"):
        for method, path, options in _requests(draft, type("E", (), {"pk": evidence_id})):
            response = _send(api, method, path, options, token)
            assert response.status_code == 401, (method, path)
        assert (
            api.post("/assessments", {"business": 1, "criteria_set": 1}, token=token).status_code
            == 401
        )
    assert Answer.objects.filter(assessment=draft).count() == 0


def test_a_missing_assessment_is_the_same_404(api, member_token):
    response = api.get("/assessments/999999", token=member_token)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_member_of_no_business_cannot_start_one(api, small_set, business, consumer):
    payload = {"business": business.pk, "criteria_set": small_set.pk}
    response = api.post("/assessments", payload, token=app_token(consumer))
    assert response.status_code == 404
    assert not Assessment.objects.exists()


def test_a_pending_member_is_not_a_member(api, draft, business):
    from portal.models import Membership

    pending = make_member(business, "cho@binhan.example.vn", status=Membership.Status.PENDING)
    assert api.get(f"/assessments/{draft.pk}", token=app_token(pending)).status_code == 404


def test_a_new_verification_refreshes_the_shared_list(api, verified, other_business, hcm):
    first = api.get("/businesses")
    assert first.json()["count"] == 1
    assert api.get("/businesses")["X-Public-Cache"] == "hit"
    member = make_member(other_business, "c@saigondo.example.vn")
    other = services.start_assessment(
        user=member, business=other_business, criteria_set=verified.criteria_set
    )
    fill_all(other, member)
    services.submit(assessment=other, user=member)
    officer = make_officer(
        Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province=hcm), "sg@example.vn"
    )
    services.review(assessment=other, officer=officer, decision="verify")
    fresh = api.get("/businesses", HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200
    assert fresh.json()["count"] == 2


def test_the_schema_describes_the_endpoints_in_both_languages(api):
    paths = {lang: api.get("/openapi.json", lang=lang).json()["paths"] for lang in ("vi", "en")}
    answers = "/api/v1/assessments/{assessment_id}/answers"
    assert paths["en"][answers]["patch"]["summary"] == "Save answers"
    assert paths["vi"][answers]["patch"]["summary"] == "Lưu câu trả lời"
    business = paths["vi"]["/api/v1/businesses/{tax_code}"]["get"]
    assert business["summary"] == "Trang công khai của doanh nghiệp"
    assert "401" in paths["en"]["/api/v1/assessments/{assessment_id}"]["get"]["responses"]
    assert "security" not in paths["en"]["/api/v1/businesses"]["get"]


def test_the_schema_names_of_the_part_are_its_own(api):
    # Ninja keys components by class name: a part's schema must not take another's name.
    components = api.get("/openapi.json").json()["components"]["schemas"]
    assert {"kind", "label", "at", "note"} <= set(components["AssessmentEventOut"]["properties"])
    assert "tax_code" in components["PublicResultOut"]["properties"]
    assert "complaint_steps" in components["PublicBusinessOut"]["properties"]
    assert "missing" in components["AssessmentOut"]["properties"]


def test_a_malformed_id_is_a_json_error_not_a_page(api, member_token):
    response = api.get("/assessments/abc", token=member_token, lang="en")
    assert response.status_code == 422
    assert response.json()["fields"] == {"assessment_id": ["Enter a whole number."]}
