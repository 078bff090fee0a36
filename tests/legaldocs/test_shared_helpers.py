"""Issue #11 "One way for each shared problem": the library's pages go through the portal's
helpers (django-filter, portal.csvexport, portal.search, portal.markup, portal.periods,
portal.attachments). The library sends no e-mail."""

import csv
import datetime
import importlib
import io

import django_filters
import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

import portal.csvexport
import portal.search
from legaldocs import selectors, services
from legaldocs.models import Attachment, Document
from portal.attachments import Attachment as BaseAttachment
from tests.conftest import login
from tests.portal.upload_samples import word_bytes

from .conftest import PDF_BYTES

INDEX = "/van-ban/"


def spy(monkeypatch, target, name):
    """Replace ``target.name`` by a wrapper that records its calls."""
    calls = []
    real = getattr(target, name)

    def wrapper(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, wrapper)
    return calls


def test_library_filters_are_a_django_filter_filterset(client, library):
    response = client.get(INDEX, {"type": "luat", "sort": "oldest"})
    assert response.status_code == 200
    filterset = response.context["filter"]
    assert isinstance(filterset, django_filters.FilterSet)
    assert response.context["form"] is filterset.form
    shown = [doc.number for doc in response.context["page"].object_list]
    assert shown == ["59/2010/QH12", "35/2018/QH14", "19/2023/QH15", "91/2025/QH15"]
    # A body and a year narrow the library too (URL parameters unchanged).
    response = client.get(INDEX, {"body": "quoc-hoi", "year_from": "2023", "year_to": "2023"})
    shown = {doc.number for doc in response.context["page"].object_list}
    assert "19/2023/QH15" in shown and "59/2010/QH12" not in shown


def test_invalid_filter_values_are_shown_and_dropped_never_a_500(client, library):
    params = {"type": "nope", "year_from": "abc", "body": "no-such-body", "status": "x"}
    response = client.get(INDEX, params)
    assert response.status_code == 200
    errors = response.context["filter"].form.errors
    assert set(errors) == {"type", "year_from", "body", "status"}
    body = response.content.decode()
    assert 'id="type-error"' in body and "is-invalid" in body
    assert 'value="abc"' in body
    # The invalid values were ignored: the whole library is listed.
    assert response.context["page"].paginator.count == len(library)
    # Swapped years are put right, with a notice.
    response = client.get(INDEX, {"year_from": "2025", "year_to": "2023"})
    assert {doc.year for doc in response.context["page"].object_list} <= {2023, 2024, 2025}
    assert len(response.context["notices"]) == 1


def test_csv_goes_through_portal_csvexport(client, make_document, monkeypatch):
    calls = spy(monkeypatch, portal.csvexport, "csv_response")
    monkeypatch.setattr("legaldocs.views.csv_response", portal.csvexport.csv_response)
    make_document(title='=HYPERLINK("http://x","Bấm")', signer="@Nguyễn Văn A")
    response = client.get(reverse("legaldocs:csv"))
    assert len(calls) == 1
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read Vietnamese
    (row,) = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    assert row["trich_yeu"].startswith("'=")
    assert row["nguoi_ky"] == "'@Nguyễn Văn A"


def test_search_without_diacritics_goes_through_portal_search(client, library, monkeypatch):
    # Full text on PostgreSQL, the portable path elsewhere: both behind this one helper.
    calls = spy(monkeypatch, portal.search, "words_condition")
    response = client.get(INDEX, {"q": "bao ve quyen loi nguoi tieu dung"})
    assert response.status_code == 200
    assert library["19/2023/QH15"] in response.context["page"].object_list
    assert calls, "the library's terms go through portal.search.words_condition"
    terms = calls[0][0][0]
    assert "bao" in terms and "dung" in terms


def test_admin_search_goes_through_portal_search(client, ministry_officer, library, monkeypatch):
    calls = spy(monkeypatch, portal.search, "terms_condition")
    login(client, ministry_officer)
    response = client.get("/quan-tri/legaldocs/document/", {"q": "bảo vệ quyền lợi"})
    assert response.status_code == 200
    assert "19/2023/QH15" in response.content.decode()
    assert any(kwargs.get("column") == "title_search" for _, kwargs in calls)


def test_full_text_is_rendered_once_when_saved(client, make_document, monkeypatch):
    document = make_document(
        body="# Chương I\n\n**Điều 1.** Phạm vi <script>alert(1)</script>"
        '\n\n<a href="javascript:x()" onclick="y()">liên kết</a>'
    )
    assert "<h2>Chương I</h2>" in document.body_html
    assert "<strong>Điều 1.</strong>" in document.body_html
    assert "<script" not in document.body_html and "onclick" not in document.body_html
    assert "href" not in document.body_html

    def no_rendering(*args, **kwargs):
        raise AssertionError("Markdown rendered on a request")

    monkeypatch.setattr("portal.markup.render_document", no_rendering)
    monkeypatch.setattr("legaldocs.models.render_document", no_rendering)
    monkeypatch.setattr("portal.markup.markdown.markdown", no_rendering)
    page = client.get(document.get_absolute_url()).content.decode()
    assert "<h2>Chương I</h2>" in page


def test_migration_fills_the_stored_full_text(make_document):
    document = make_document(body="**Điều 1.** Phạm vi điều chỉnh")
    Document.objects.filter(pk=document.pk).update(body_html="")
    migration = importlib.import_module("legaldocs.migrations.0007_document_body_html")
    migration.fill_body_html(apps, None)
    document.refresh_from_db()
    assert document.body_html == "<p><strong>Điều 1.</strong> Phạm vi điều chỉnh</p>"


def test_attachment_is_a_portal_attachment(client, make_document):
    assert issubclass(Attachment, BaseAttachment)
    assert Attachment.upload_kinds == "pdf_and_word"
    document = make_document()
    upload = SimpleUploadedFile("Ban ky.pdf", PDF_BYTES, content_type="text/plain")
    attachment = services.attach_file(document=document, upload=upload, is_authoritative=True)
    attachment.refresh_from_db()
    assert attachment.content_type == "application/pdf"  # by content, not the browser's word
    assert attachment.size == len(PDF_BYTES) and attachment.original_name == "Ban ky.pdf"
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    # Only a PDF can be the authoritative copy (the model's own rule).
    word = Attachment(
        document=document,
        is_authoritative=True,
        file=SimpleUploadedFile("ban.doc", word_bytes()),
    )
    with pytest.raises(ValidationError) as error:
        word.clean()
    assert "is_authoritative" in error.value.message_dict


def test_report_figures_use_portal_periods(make_document, monkeypatch):
    calls = spy(monkeypatch, selectors.periods, "in_window")
    document = make_document(issue_date=datetime.date(2022, 1, 10))
    day = timezone.localdate(document.created_at)
    figures = selectors.report_figures(start=day, end=day)
    assert figures["added"] == 1
    assert [args[1] for args, _ in calls] == ["created_at", "issue_date"]
    issued = selectors.report_figures(
        start=datetime.date(2022, 1, 10), end=datetime.date(2022, 1, 10)
    )["issued"]
    assert issued == 1
