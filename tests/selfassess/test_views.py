import csv
import io
import shutil
import subprocess

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.models import Business
from selfassess import services
from selfassess.models import Answer, Assessment, CriteriaSet
from tests.conftest import login

from .conftest import PDF_BYTES, fill_all, pdf_upload
from .factories import criterion

pytestmark = pytest.mark.django_db


def count_queries(func):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        func()
    return len(context.captured_queries)


def urls_of(assessment):
    evidence = assessment.evidence.first()
    group = assessment.criteria_set.groups.get(code="A")
    return [
        reverse("selfassess:detail", args=[assessment.pk]),
        reverse("selfassess:fill", args=[assessment.pk, group.pk]),
        reverse("selfassess:review", args=[assessment.pk]),
        reverse("selfassess:pdf", args=[assessment.pk]),
        reverse("selfassess:submit", args=[assessment.pk]),
        reverse("selfassess:evidence", args=[assessment.pk, evidence.pk]),
    ]


@pytest.mark.parametrize("who", ["other_business_member", "consumer", "other_province_officer"])
def test_wrong_role_gets_404_on_assessment_answers_and_evidence(client, submitted, who, request):
    login(client, request.getfixturevalue(who))
    for url in urls_of(submitted):
        assert client.get(url).status_code == 404, url
    a1 = criterion(submitted.criteria_set, "A1")
    response = client.post(
        reverse("selfassess:autosave", args=[submitted.pk]), {"criterion": a1.pk, "value": "no"}
    )
    assert response.status_code == 404
    assert Answer.objects.get(assessment=submitted, criterion=a1).value == "yes"


def test_officers_do_not_see_a_draft(client, assessment, business_member, province_officer):
    fill_all(assessment, business_member)
    login(client, province_officer)
    assert client.get(reverse("selfassess:detail", args=[assessment.pk])).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, submitted):
    response = client.get(reverse("selfassess:detail", args=[submitted.pk]))
    assert response.status_code == 302 and "/tai-khoan/login/" in response["Location"]


def test_officer_in_scope_sees_answers_and_evidence(client, submitted, province_officer):
    login(client, province_officer)
    page = client.get(reverse("selfassess:review", args=[submitted.pk]))
    assert page.status_code == 200
    evidence = submitted.evidence.get()
    download = client.get(reverse("selfassess:evidence", args=[submitted.pk, evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Cache-Control"] == "private, no-store"


def test_member_starts_and_fills_without_javascript(client, small_set, business_member):
    login(client, business_member)
    index = client.get(reverse("selfassess:index"))
    assert small_set.title in index.content.decode()
    response = client.post(
        reverse("selfassess:start"),
        {"criteria_set": small_set.pk, "business": business_member.memberships.get().business_id},
    )
    assessment = Assessment.objects.get()
    group_a = small_set.groups.get(code="A")
    assert response["Location"].endswith(
        reverse("selfassess:fill", args=[assessment.pk, small_set.groups.get(code="S").pk])
    )
    a1, a2 = criterion(small_set, "A1"), criterion(small_set, "A2")
    url = reverse("selfassess:fill", args=[assessment.pk, group_a.pk])
    response = client.post(
        url,
        {
            f"answer_{a1.pk}": "yes",
            f"note_{a1.pk}": "Niêm yết tại quầy",
            f"answer_{a2.pk}": "implemented",
            f"evidence_{a2.pk}": pdf_upload("Kế hoạch.pdf"),
            "save_next": "1",
        },
    )
    group_b = small_set.groups.get(code="B")
    assert response["Location"].endswith(
        reverse("selfassess:fill", args=[assessment.pk, group_b.pk])
    )
    assert Answer.objects.get(criterion=a1).note == "Niêm yết tại quầy"
    assert assessment.evidence.get().original_name == "Kế hoạch.pdf"
    page = client.get(url).content.decode()
    assert "Kế hoạch.pdf" in page and 'value="implemented" checked' in page


def test_bad_upload_keeps_the_typed_answers_and_explains(client, assessment, business_member):
    login(client, business_member)
    group_a = assessment.criteria_set.groups.get(code="A")
    a1, a2 = criterion(assessment.criteria_set, "A1"), criterion(assessment.criteria_set, "A2")
    response = client.post(
        reverse("selfassess:fill", args=[assessment.pk, group_a.pk]),
        {
            f"answer_{a1.pk}": "no",
            f"note_{a2.pk}": "Ghi chú đang gõ",
            f"evidence_{a2.pk}": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00binary" * 20),
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "virus.pdf" in body and "Ghi chú đang gõ" in body
    assert not assessment.evidence.exists()
    assert Answer.objects.get(criterion=a1).value == "no"


def test_bad_answer_value_is_reported_not_crashed(client, assessment, business_member):
    login(client, business_member)
    group_a = assessment.criteria_set.groups.get(code="A")
    a1 = criterion(assessment.criteria_set, "A1")
    url = reverse("selfassess:fill", args=[assessment.pk, group_a.pk])
    assert client.post(url, {f"answer_{a1.pk}": "maybe"}).status_code == 200
    autosave = reverse("selfassess:autosave", args=[assessment.pk])
    assert client.post(autosave, {"criterion": "x"}).status_code == 400
    assert client.post(autosave, {"criterion": a1.pk, "value": "maybe"}).status_code == 400
    assert client.post(autosave, {"criterion": 999999, "value": "yes"}).status_code == 400
    assert not Answer.objects.filter(value="maybe").exists()


def test_autosave_saves_and_reports_progress(client, assessment, business_member):
    login(client, business_member)
    a1 = criterion(assessment.criteria_set, "A1")
    url = reverse("selfassess:autosave", args=[assessment.pk])
    first = client.post(url, {"criterion": a1.pk, "value": "yes", "note": "tab một"}).json()
    second = client.post(url, {"criterion": a1.pk, "value": "no", "note": "tab hai"}).json()
    assert first["ok"] and second["ok"]
    assert (second["answered"], second["total"], second["progress"]) == (1, 5, 20)
    answer = Answer.objects.get(assessment=assessment, criterion=a1)
    assert (answer.value, answer.note) == ("no", "tab hai")


def test_screening_failure_stops_with_an_explanation(client, assessment, business_member):
    login(client, business_member)
    s1 = criterion(assessment.criteria_set, "S1")
    url = reverse("selfassess:autosave", args=[assessment.pk])
    assert client.post(url, {"criterion": s1.pk, "value": "fail"}).json()["screening_failed"]
    group_a = assessment.criteria_set.groups.get(code="A")
    page = client.get(reverse("selfassess:fill", args=[assessment.pk, group_a.pk]))
    body = page.content.decode()
    assert "data-screening-alert" in body
    assert f'name="answer_{criterion(assessment.criteria_set, "A1").pk}"' not in body


def test_submit_page_lists_missing_items_first(client, assessment, business_member):
    login(client, business_member)
    fill_all(assessment, business_member)
    assessment.evidence.all().delete()
    url = reverse("selfassess:submit", args=[assessment.pk])
    page = client.get(url).content.decode()
    assert "A2." in page and 'type="submit">' not in page.split("Submit for review")[0][-40:]
    client.post(url)
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    services.add_evidence(
        assessment=assessment,
        criterion=criterion(assessment.criteria_set, "A2"),
        upload=pdf_upload(),
        user=business_member,
    )
    assert client.post(url).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "submitted"


def test_officer_asks_for_changes_with_comments(client, submitted, province_officer):
    login(client, province_officer)
    b1 = criterion(submitted.criteria_set, "B1")
    url = reverse("selfassess:review", args=[submitted.pk])
    response = client.post(url, {"decision": "reject", "note": "", f"comment_{b1.pk}": "Thiếu"})
    assert response.status_code == 200 and "Thiếu" in response.content.decode()
    response = client.post(url, {"decision": "changes", f"comment_{b1.pk}": "Bổ sung ảnh"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "changes_requested"
    assert submitted.events.last().comments.get().text == "Bổ sung ảnh"


def test_the_member_sees_officer_comments_on_the_fill_page(
    client, submitted, province_officer, business_member
):
    b1 = criterion(submitted.criteria_set, "B1")
    services.review(
        assessment=submitted,
        officer=province_officer,
        decision="changes",
        comments={b1: "Bổ sung ảnh tổng đài"},
    )
    login(client, business_member)
    page = client.get(reverse("selfassess:fill", args=[submitted.pk, b1.group_id]))
    assert "Bổ sung ảnh tổng đài" in page.content.decode()


def _verify(assessment, officer):
    services.review(assessment=assessment, officer=officer, decision="verify")


def test_public_list_shows_only_verified_and_never_answers(client, submitted, province_officer):
    b1 = criterion(submitted.criteria_set, "B1")
    Answer.objects.filter(criterion=b1).update(note="GHI-CHU-BI-MAT")
    assert "Bình An" not in client.get(reverse("businesses:index")).content.decode()
    _verify(submitted, province_officer)
    body = client.get(reverse("businesses:index")).content.decode()
    assert "Công ty Cổ phần Bình An Hà Nội" in body and "Hạng Vàng" in body
    detail = client.get(reverse("businesses:detail", args=["0101000013"])).content.decode()
    for page in (body, detail):
        assert "GHI-CHU-BI-MAT" not in page
        assert "minh-chung" not in page
        assert b1.text not in page


def test_public_search_without_diacritics_and_filters(
    client, submitted, province_officer, hanoi, hcm
):
    _verify(submitted, province_officer)
    index = reverse("businesses:index")
    for query in ("binh an", "BÌNH AN", "0101000013", "ha noi binh"):
        assert "Bình An" in client.get(index, {"q": query}).content.decode(), query
    assert "Bình An" not in client.get(index, {"q": "sai gon"}).content.decode()
    assert "Bình An" in client.get(index, {"province": hanoi.pk}).content.decode()
    assert "Bình An" not in client.get(index, {"province": hcm.pk}).content.decode()
    assert "Bình An" in client.get(index, {"band": "vang", "year": 2025}).content.decode()
    # Nonsense filters are ignored with a message, never a crash.
    bad = client.get(index, {"province": "abc", "year": "x", "band": "<b>", "page": "-1"})
    assert bad.status_code == 200 and "Bình An" in bad.content.decode()


def test_public_csv_export(client, submitted, province_officer):
    _verify(submitted, province_officer)
    response = client.get(reverse("businesses:export_csv"), {"q": "binh an"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][:2] == ["Công ty Cổ phần Bình An Hà Nội", "0101000013"]
    assert rows[1][6] == "Hạng Vàng"
    assert len(rows) == 2


def test_public_profile_of_a_business_without_result(client, business):
    response = client.get(reverse("businesses:detail", args=[business.tax_code]))
    assert response.status_code == 200
    assert client.get(reverse("businesses:detail", args=["9999999999"])).status_code == 404


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext missing")
def test_result_pdf_keeps_vietnamese_text(client, submitted, business_member, run_on_commit):
    login(client, business_member)
    url = reverse("selfassess:pdf", args=[submitted.pk])
    with run_on_commit():
        pending = client.get(url)
    # Rendered by a task, never in the request: the page says it is being prepared.
    assert pending.status_code == 202
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response)
    assert "Công ty Cổ phần Bình An Hà Nội" in text
    assert "Bộ tiêu chí thử nghiệm Đồng Khởi" in text
    # Submitted, not verified: a draft without the public page's address (test_result_pdf).
    assert "/doanh-nghiep/0101000013/" not in text
    submitted.refresh_from_db()
    assert submitted.pdf_is_current and submitted.pdf_issued_at is not None
    issued = timezone.localtime(submitted.pdf_issued_at).strftime("%d/%m/%Y")
    assert issued in text


def download_text(client, url, run_on_commit):
    with run_on_commit():
        response = client.get(url)
    if response.status_code == 202:
        response = client.get(url)
    return pdf_text(response)


def pdf_text(response):
    content = b"".join(response.streaming_content)
    return subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext missing")
def test_result_pdf_is_stored_and_redone_when_the_result_changes(
    client, submitted, business_member, province_officer, monkeypatch, run_on_commit
):
    from portal import pdf

    renders = []
    real = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda *a, **k: renders.append(1) or real(*a, **k))
    login(client, business_member)
    url = reverse("selfassess:pdf", args=[submitted.pk])
    assert "Đã nộp, chờ thẩm định" in download_text(client, url, run_on_commit)
    download_text(client, url, run_on_commit)
    assert len(renders) == 1  # served from the store the second time
    _verify(submitted, province_officer)
    assert "Đã xác minh" in download_text(client, url, run_on_commit)
    assert len(renders) == 2


def test_import_view_reports_errors_and_imports(client, ministry_officer, province_officer):
    from tests.selfassess.test_formats import BAD_YAML

    url = reverse("selfassess:set_import")
    login(client, province_officer)
    assert client.get(url).status_code == 404
    login(client, ministry_officer)
    bad = client.post(url, {"file": SimpleUploadedFile("bo.yaml", BAD_YAML.encode())})
    body = bad.content.decode()
    assert bad.status_code == 200 and "A1" in body and "12" in body and "22" in body
    good = BAD_YAML.replace(
        "  - code: A1\n    group: A\n    text: Trùng mã",
        "  - code: A2\n    group: A\n    text: Trùng mã",
    ).replace("group: Z", "group: A")
    good = good.replace("points: -3", "points: 3")
    response = client.post(url, {"file": SimpleUploadedFile("bo.yaml", good.encode())})
    assert response.status_code == 302
    assert CriteriaSet.objects.get(code="bo-loi").criteria.count() == 4


def test_export_view(client, small_set):
    response = client.get(reverse("selfassess:set_export", args=[small_set.pk, "yaml"]))
    assert "Đồng Khởi" in response.content.decode()
    assert (
        client.get(reverse("selfassess:set_export", args=[small_set.pk, "exe"])).status_code == 404
    )


def assert_constant_queries(client, django_assert_num_queries, url, add, few, more):
    """The list at ``url`` takes as many queries with ``few + more`` rows as with ``few``."""
    add(few)
    client.get(url)
    # The view itself, not the shared cache of anonymous pages (portal.public_cache).
    cache.clear()
    n = count_queries(lambda: client.get(url))
    add(more)
    cache.clear()
    with django_assert_num_queries(n):
        body = client.get(url).content.decode()
    assert body.count("<tr>") == few + more + 1


def test_public_list_query_count_is_constant(client, django_assert_num_queries, small_set, hanoi):
    from tests.factories import BusinessFactory

    def add(n):
        for _i in range(n):
            b = BusinessFactory(province=hanoi)
            a = Assessment.objects.create(business=b, criteria_set=small_set, status="verified")
            Assessment.objects.filter(pk=a.pk).update(is_public=True)

    url = reverse("businesses:index")
    assert_constant_queries(client, django_assert_num_queries, url, add, 5, 10)


def test_queue_query_count_is_constant(
    client, django_assert_num_queries, small_set, hanoi, province_officer
):
    from tests.factories import BusinessFactory

    def add(n):
        for _i in range(n):
            Assessment.objects.create(
                business=BusinessFactory(province=hanoi),
                criteria_set=small_set,
                status="submitted",
                first_submitted_at=timezone.now(),
                submitted_at=timezone.now(),
            )

    login(client, province_officer)
    url = reverse("selfassess:queue")
    assert_constant_queries(client, django_assert_num_queries, url, add, 3, 9)


def test_member_without_assessments_sees_helpful_empty_states(client, business_member):
    login(client, business_member)
    body = client.get("/en/tu-danh-gia/").content.decode()
    assert "No criteria set can be used right now." in body
    assert "You have not started any assessment yet." in body


def test_member_sees_start_form_when_a_set_is_active(client, small_set, business_member):
    login(client, business_member)
    body = client.get(reverse("selfassess:index")).content.decode()
    assert reverse("selfassess:start") in body
    assert Business.objects.get(tax_code="0101000013").name in body


def test_fill_and_review_query_counts_do_not_grow_with_criteria(
    client, reference_data, business, business_member, province_officer
):
    from .factories import make_set

    def page_queries(code, n):
        cset = make_set(
            code=code,
            criteria=[
                {"code": f"A{i}", "group": "A", "kind": "yes_no", "points": 1, "text": f"Câu {i}"}
                for i in range(n)
            ],
        )
        assessment = services.start_assessment(
            user=business_member, business=business, criteria_set=cset
        )
        group = cset.groups.get(code="A")
        for c in group.criteria.all():
            services.save_answer(
                assessment=assessment, criterion=c, value="yes", user=business_member
            )
            services.add_evidence(
                assessment=assessment, criterion=c, upload=pdf_upload(), user=business_member
            )
        url = reverse("selfassess:fill", args=[assessment.pk, group.pk])
        client.get(url)
        detail_url = reverse("selfassess:detail", args=[assessment.pk])
        counts = [
            count_queries(lambda: client.get(url)),
            count_queries(lambda: client.get(detail_url)),
        ]
        services.submit(assessment=assessment, user=business_member)
        review_url = reverse("selfassess:review", args=[assessment.pk])
        officer_client.get(review_url)
        counts.append(count_queries(lambda: officer_client.get(review_url)))
        return counts

    from django.test import Client

    login(client, business_member)
    officer_client = login(Client(), province_officer)
    small, large = page_queries("nho", 3), page_queries("lon", 9)
    assert small == large


def test_home_page_shows_the_block(client, submitted, province_officer):
    services.review(assessment=submitted, officer=province_officer, decision="verify")
    from django.core.cache import cache

    cache.clear()
    body = client.get("/").content.decode()
    assert reverse("businesses:index") in body


def test_english_pages_render(client, submitted, province_officer, business_member):
    services.review(assessment=submitted, officer=province_officer, decision="verify")
    assert (
        "Businesses with a verified self-assessment"
        in client.get("/en/doanh-nghiep/").content.decode()
    )
    login(client, business_member)
    body = client.get(f"/en/tu-danh-gia/{submitted.pk}/").content.decode()
    assert "Verified" in body and "See the answers" in body


def test_set_detail_is_public_but_drafts_are_not(client, small_set, ministry_officer):
    assert (
        small_set.title
        in client.get(reverse("selfassess:set_detail", args=[small_set.pk])).content.decode()
    )
    draft = services.new_version(small_set)
    assert client.get(reverse("selfassess:set_detail", args=[draft.pk])).status_code == 404
    login(client, ministry_officer)
    assert client.get(reverse("selfassess:set_detail", args=[draft.pk])).status_code == 200


def test_member_removes_evidence_and_the_file_goes(
    client, assessment, business_member, django_capture_on_commit_callbacks
):
    import os

    a2 = criterion(assessment.criteria_set, "A2")
    evidence = services.add_evidence(
        assessment=assessment, criterion=a2, upload=pdf_upload(), user=business_member
    )
    path = evidence.file.path
    login(client, business_member)
    url = reverse("selfassess:fill", args=[assessment.pk, a2.group_id])
    with django_capture_on_commit_callbacks() as after_commit:
        assert client.post(url, {"delete_evidence": evidence.pk}).status_code == 302
    assert not assessment.evidence.exists()
    assert os.path.exists(path)  # the file goes only once the removal commits
    for callback in after_commit:
        callback()
    assert not os.path.exists(path)


def test_bad_input_gives_404_or_a_message_never_a_crash(client, assessment, business_member):
    login(client, business_member)
    assert client.get(f"/tu-danh-gia/{assessment.pk}/nhom/999999/").status_code == 404
    assert client.get("/tu-danh-gia/999999/").status_code == 404
    assert client.get("/doanh-nghiep/?page=abc&q=" + "x" * 500).status_code == 200
    assert client.get("/tu-danh-gia/bo-tieu-chi/999999/").status_code == 404
    response = client.post(reverse("selfassess:start"), {"criteria_set": "x", "business": "y"})
    assert response.status_code == 302
    assert not Assessment.objects.exclude(pk=assessment.pk).exists()


@pytest.mark.parametrize("bad_id", ["abc", "²"])
def test_a_bad_evidence_id_to_remove_keeps_the_answers(client, assessment, business_member, bad_id):
    a1 = criterion(assessment.criteria_set, "A1")
    login(client, business_member)
    url = reverse("selfassess:fill", args=[assessment.pk, a1.group_id])
    response = client.post(url, {f"answer_{a1.pk}": "yes", "delete_evidence": bad_id})
    assert response.status_code == 302
    assert Answer.objects.get(assessment=assessment, criterion=a1).value == "yes"


def test_import_of_a_binary_file_explains(client, ministry_officer):
    login(client, ministry_officer)
    response = client.post(
        reverse("selfassess:set_import"),
        {"file": SimpleUploadedFile("bo.yaml", b"\xff\xfe\x00binary\x00")},
    )
    assert response.status_code == 200
    assert not CriteriaSet.objects.exists()


def test_a_new_assessment_can_follow_a_rejected_one(
    submitted, business, business_member, province_officer
):
    services.review(assessment=submitted, officer=province_officer, decision="reject", note="Thiếu")
    again = services.start_assessment(
        user=business_member, business=business, criteria_set=submitted.criteria_set
    )
    assert again.pk != submitted.pk and again.status == "draft"


def test_quick_check_for_anyone_stores_nothing(client, reference_data):
    from django.core.management import call_command

    call_command("seed_selfassess", verbosity=0)
    quick = CriteriaSet.objects.get(code="kiem-tra-nhanh")
    page = client.get(reverse("selfassess:quick_check"))
    assert page.status_code == 200 and quick.title in page.content.decode()
    ids = list(quick.criteria.order_by("group__order", "order").values_list("pk", flat=True))
    # 8 of 10 questions answered "yes" (10 points each): 80% → the top practice band.
    data = {f"answer_{pk}": "yes" for pk in ids[:8]} | {f"answer_{ids[8]}": "no"}
    data[f"answer_{ids[9]}"] = "maybe"
    body = client.post(reverse("selfassess:quick_check"), data).content.decode()
    assert "80%" in body and "Tốt (mức của bộ câu hỏi thử)" in body
    assert f'id="q_{ids[0]}_yes" value="yes" checked' in body
    assert not Assessment.objects.exists() and not Answer.objects.exists()


def test_queue_filters_and_scope(
    client,
    submitted,
    other_business,
    other_business_member,
    ministry_officer,
    province_officer,
    other_province_officer,
    hcm,
):
    from .conftest import fill_all

    theirs = services.start_assessment(
        user=other_business_member, business=other_business, criteria_set=submitted.criteria_set
    )
    services.submit(assessment=fill_all(theirs, other_business_member), user=other_business_member)
    url = reverse("selfassess:queue")
    login(client, province_officer)
    body = client.get(url).content.decode()
    assert "Bình An" in body and "Sài Gòn Đỏ" not in body
    assert 'name="province"' not in body
    login(client, ministry_officer)
    body = client.get(url, {"province": hcm.pk}).content.decode()
    assert "Sài Gòn Đỏ" in body and "Bình An" not in body
    assert "Bình An" in client.get(url, {"q": "binh an"}).content.decode()
    assert client.get(url, {"province": "x", "status": "<>"}).status_code == 200
    login(client, other_province_officer)
    assert "Bình An" not in client.get(url).content.decode()


def test_csv_cells_never_start_a_formula(client, submitted, province_officer):
    Business.objects.filter(pk=submitted.business_id).update(name='=HYPERLINK("x")')
    services.review(assessment=submitted, officer=province_officer, decision="verify")
    response = client.get(reverse("businesses:export_csv"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][0] == '\'=HYPERLINK("x")'


def test_a_decision_taken_meanwhile_is_explained_and_keeps_what_was_typed(
    client, submitted, province_officer, ministry_officer, monkeypatch
):
    """Another officer decides after this request read the page's data and before it takes
    the lock: the step fails under the lock with a message, the typed text stays."""
    real_review = services.review

    def decided_meanwhile(**kwargs):
        real_review(assessment=submitted, officer=ministry_officer, decision="verify")
        return real_review(**kwargs)

    login(client, province_officer)
    b1 = criterion(submitted.criteria_set, "B1")
    url = reverse("selfassess:review", args=[submitted.pk])
    monkeypatch.setattr(services, "review", decided_meanwhile)
    response = client.post(
        url,
        {"decision": "changes", "note": "Ghi chú chung", f"comment_{b1.pk}": "Bổ sung ảnh"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "không còn chờ thẩm định" in body
    assert "Ghi chú chung" in body and "Bổ sung ảnh" in body
    submitted.refresh_from_db()
    assert submitted.status == "verified"
    assert list(submitted.events.values_list("kind", flat=True)) == [
        "started",
        "submitted",
        "verified",
    ]


def test_an_officer_who_is_a_member_of_the_business_gets_404_on_review(
    client, submitted, business, province_officer
):
    from portal.models import Membership

    Membership.objects.create(
        user=province_officer, business=business, status=Membership.Status.APPROVED
    )
    login(client, province_officer)
    url = reverse("selfassess:review", args=[submitted.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "verify"}).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_a_submitted_assessment_refuses_changes_with_a_message(client, submitted, business_member):
    login(client, business_member)
    a1 = criterion(submitted.criteria_set, "A1")
    response = client.post(
        reverse("selfassess:autosave", args=[submitted.pk]), {"criterion": a1.pk, "value": "no"}
    )
    assert response.status_code == 400
    assert "không thể sửa nữa" in response.json()["error"]
    response = client.post(reverse("selfassess:submit", args=[submitted.pk]))
    assert response.status_code == 200
    assert "đã được nộp" in response.content.decode()
    assert Answer.objects.get(assessment=submitted, criterion=a1).value == "yes"
    assert submitted.events.filter(kind="submitted").count() == 1


def test_a_submission_meanwhile_is_explained_on_the_group_page_and_keeps_what_was_typed(
    client, assessment, business_member, monkeypatch
):
    """The assessment is submitted after this request read it and before it takes the lock:
    the page says why nothing was saved and shows what was typed."""
    fill_all(assessment, business_member)
    real_save_answers = services.save_answers

    def submitted_meanwhile(**kwargs):
        services.submit(assessment=assessment, user=business_member)
        return real_save_answers(**kwargs)

    b1 = criterion(assessment.criteria_set, "B1")
    login(client, business_member)
    monkeypatch.setattr(services, "save_answers", submitted_meanwhile)
    url = reverse("selfassess:fill", args=[assessment.pk, b1.group_id])
    response = client.post(url, {f"answer_{b1.pk}": "no", f"note_{b1.pk}": "Ghi chú vừa gõ"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "không thể sửa nữa" in body
    assert "Ghi chú vừa gõ" in body
    assert Answer.objects.get(assessment=assessment, criterion=b1).value == "yes"


def test_an_odd_criterion_id_in_a_review_comment_is_ignored_not_crashed(
    client, submitted, province_officer
):
    login(client, province_officer)
    url = reverse("selfassess:review", args=[submitted.pk])
    response = client.post(url, {"decision": "changes", "comment_²": "Bổ sung"})
    assert response.status_code == 200
    assert "Hãy nêu nội dung cần sửa" in response.content.decode()
