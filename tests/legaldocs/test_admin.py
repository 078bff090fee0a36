import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from legaldocs import services
from legaldocs.models import Attachment, Document, Relation, ReviewFlag
from portal.errors import InvalidInput
from tests.conftest import login
from tests.portal.upload_samples import word_bytes

from .conftest import PDF_BYTES

ADD_URL = "/quan-tri/legaldocs/document/add/"
INLINES = ("events", "relations_out", "relations_in", "attachments", "flags")


def payload(body, **fields):
    data = {
        "doc_type": "nghi-dinh",
        "number": "88/2022/NĐ-CP",
        "title": "Nghị định thử về bảo vệ người tiêu dùng",
        "issuing_body": body.pk,
        "signer": "",
        "issue_date": "01/02/2022",
        "effective_date": "01/03/2022",
        "field": "",
        "language": "vi",
        "summary": "",
        "body": "",
        "sources_text": "https://vanban.chinhphu.vn/\nCông báo số 1",
        "note": "",
    }
    for prefix in INLINES:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(fields)
    return data


def test_librarian_adds_a_document_with_inline_relation_event_and_pdf(
    client, ministry_officer, body, make_document
):
    parent = make_document(number="5/2020/NĐ-CP")
    guide = make_document(number="6/2020/NĐ-CP")
    services.add_relation(source=guide, kind="guides", target=parent)
    login(client, ministry_officer)
    data = payload(
        body,
        **{
            "relations_out-TOTAL_FORMS": "1",
            "relations_out-0-kind": "replaces",
            "relations_out-0-target": parent.pk,
            "events-TOTAL_FORMS": "1",
            "events-0-date": "01/03/2023",
            "events-0-kind": "amended",
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-file": SimpleUploadedFile("ban-ky.pdf", PDF_BYTES),
            "attachments-0-is_authoritative": "on",
        },
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    document = Document.objects.get(number="88/2022/NĐ-CP")
    assert document.sources == ["https://vanban.chinhphu.vn/", "Công báo số 1"]
    assert document.get_absolute_url() == "/van-ban/nghi-dinh/2022/88-2022-nd-cp/"
    assert document.relations_out.get().target == parent
    assert document.events.get().kind == "amended"
    attachment = document.attachments.get()
    assert attachment.is_authoritative and attachment.original_name == "ban-ky.pdf"
    assert attachment.size == len(PDF_BYTES)
    assert attachment.content_type == "application/pdf"
    assert attachment.uploaded_by is not None
    # The replaced parent's guide is flagged for review.
    assert ReviewFlag.objects.filter(document=guide, parent=parent).exists()


def test_admin_refuses_a_word_file_as_the_authoritative_copy(client, ministry_officer, body):
    word = word_bytes()
    login(client, ministry_officer)
    data = payload(
        body,
        **{
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-file": SimpleUploadedFile("ban-ky.doc", word),
            "attachments-0-is_authoritative": "on",
        },
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "Chỉ tệp PDF mới được là bản chính thức" in response.content.decode()
    assert not Attachment.objects.exists()
    assert not Document.objects.filter(number="88/2022/NĐ-CP").exists()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"effective_date": "01/01/2022"}, "Ngày có hiệu lực không thể trước ngày ban hành"),
        ({"number": "1/2022/nđ-cp"}, "đã có một văn bản cùng loại mang số"),
    ],
)
def test_admin_refuses_bad_dates_and_duplicate_numbers(
    client, ministry_officer, body, make_document, fields, message
):
    make_document(number="1/2022/NĐ-CP")
    login(client, ministry_officer)
    response = client.post(ADD_URL, payload(body, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Document.objects.filter(title="Nghị định thử về bảo vệ người tiêu dùng").exists()


def test_admin_refuses_self_relation_and_cycles(client, ministry_officer, make_document):
    first, second, third = make_document(), make_document(), make_document()
    services.add_relation(source=second, kind="replaces", target=first)
    services.add_relation(source=third, kind="replaces", target=second)
    login(client, ministry_officer)
    url = f"/quan-tri/legaldocs/document/{first.pk}/change/"
    base = payload(
        first.issuing_body,
        number=first.number,
        title=first.title,
        **{"relations_in-TOTAL_FORMS": "1", "relations_in-INITIAL_FORMS": "1"},
    )
    incoming = first.relations_in.get()
    base["relations_in-0-id"] = incoming.pk
    base["relations_in-0-target"] = first.pk
    data = dict(base)
    data.update(
        {
            "relations_out-TOTAL_FORMS": "1",
            "relations_out-0-kind": "replaces",
            "relations_out-0-target": third.pk,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "vòng lặp" in response.content.decode()
    data["relations_out-0-target"] = first.pk
    data["relations_out-0-kind"] = "references"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "không thể có quan hệ với chính nó" in response.content.decode()
    assert not first.relations_out.exists()


def test_model_validation_rules(make_document):
    first, second = make_document(), make_document()
    with pytest.raises(ValidationError):
        Relation(source=first, kind="amends", target=first).full_clean()
    services.add_relation(source=second, kind="replaces", target=first)
    with pytest.raises(InvalidInput):
        services.add_relation(source=first, kind="replaces", target=second)
    bad = Document(
        doc_type="luat",
        number="9/2020/QH14",
        title="Luật thử",
        issuing_body=first.issuing_body,
        issue_date=datetime.date(2020, 5, 1),
        effective_date=datetime.date(2020, 4, 1),
    )
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "effective_date" in error.value.message_dict


def test_province_officer_can_read_but_not_edit(client, province_officer, make_document):
    document = make_document()
    login(client, province_officer)
    assert client.get("/quan-tri/legaldocs/document/").status_code == 200
    assert client.get(ADD_URL).status_code == 403
    response = client.post(
        f"/quan-tri/legaldocs/document/{document.pk}/change/",
        payload(document.issuing_body, title="Đổi tên"),
    )
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.title != "Đổi tên"


def test_public_user_has_no_back_office(client, consumer):
    login(client, consumer)
    response = client.get("/quan-tri/legaldocs/document/")
    assert response.status_code in (302, 404)


def test_admin_search_is_folded(client, ministry_officer, library):
    login(client, ministry_officer)
    response = client.get("/quan-tri/legaldocs/document/", {"q": "bao ve quyen loi"})
    assert response.status_code == 200
    assert "19/2023/QH15" in response.content.decode()
    response = client.get("/quan-tri/legaldocs/document/", {"validity": "expired"})
    assert "59/2010/QH12" in response.content.decode()


def test_admin_search_ignores_punctuation(client, ministry_officer, library):
    login(client, ministry_officer)
    for term in ("Luật 19/2023/QH15", "bảo vệ, quyền lợi (người tiêu dùng)"):
        response = client.get("/quan-tri/legaldocs/document/", {"q": term})
        assert response.status_code == 200
        assert "19/2023/QH15" in response.content.decode(), term


def test_attachments_are_checked_by_content(make_document):
    document = make_document()
    fake = SimpleUploadedFile("gia-mao.pdf", b"MZ\x90\x00 not a pdf at all" * 10)
    with pytest.raises(InvalidInput):
        services.attach_file(document=document, upload=fake)
    docx_like = SimpleUploadedFile("van-ban.doc", word_bytes())
    with pytest.raises(InvalidInput):
        services.attach_file(document=document, upload=docx_like, is_authoritative=True)
    word = services.attach_file(document=document, upload=docx_like)
    assert word.content_type == "application/msword"
    first = services.attach_file(
        document=document, upload=SimpleUploadedFile("a.pdf", PDF_BYTES), is_authoritative=True
    )
    second = services.attach_file(
        document=document, upload=SimpleUploadedFile("b.pdf", PDF_BYTES), is_authoritative=True
    )
    first.refresh_from_db()
    assert not first.is_authoritative and second.is_authoritative
    assert Attachment.objects.filter(document=document, is_authoritative=True).count() == 1


def test_librarian_pages_render(client, ministry_officer, library):
    login(client, ministry_officer)
    assert client.get(ADD_URL).status_code == 200
    law = library["59/2010/QH12"]
    page = client.get(f"/quan-tri/legaldocs/document/{law.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "19/2023/QH15" in body  # the incoming replacement, shown read-only
    assert client.get("/quan-tri/legaldocs/reviewflag/").status_code == 200
    flags = ReviewFlag.objects.filter(parent=law)
    response = client.post(
        "/quan-tri/legaldocs/reviewflag/",
        {"action": "mark_reviewed", "_selected_action": [f.pk for f in flags]},
    )
    assert response.status_code == 302
    assert not flags.filter(resolved_at__isnull=True).exists()
    resolved = ReviewFlag.objects.filter(parent=law)
    assert {flag.resolved_by for flag in resolved} == {ministry_officer}
