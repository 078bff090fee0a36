"""Uploads typed by content, safe to serve, capped before the body is read (issue #17):
each rule of ``portal.files`` and ``portal.uploads`` driven through a part's own form where
one exists (the complaint filing's file step, a self-assessment's evidence, the library's
back office), with the crafted files of ``upload_samples``."""

import base64
import binascii
import io
import zipfile
import zlib
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image, ImageFile
from weasyprint import HTML

from complaints import services as complaint_services
from complaints.models import Attachment as ComplaintAttachment
from consumer_warnings.images import process_photo
from legaldocs.models import Attachment as LegalAttachment
from legaldocs.models import IssuingBody
from portal.errors import InvalidInput
from portal.files import DOCUMENTS, IMAGES, validate_upload
from portal.pdf import render_pdf
from portal.uploads import RequestSizeLimitMiddleware
from selfassess import services as selfassess_services
from selfassess.models import Answer, Evidence
from tests.complaints.factories import make_complaint
from tests.complaints.helpers import STEP_URL, fill_until_files
from tests.conftest import login
from tests.legaldocs.test_admin import ADD_URL, payload
from tests.selfassess.factories import criterion, make_set

from .upload_samples import (
    GIF_BYTES,
    excel_bytes,
    huge_png,
    image_bytes,
    object_stream,
    ole_bytes,
    ooxml_bytes,
    pdf_bytes,
    pdf_stream,
    word_bytes,
)

pytestmark = pytest.mark.django_db

JAVASCRIPT_PDF = pdf_bytes(b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>")
EMBEDDED_FILE_PDF = pdf_bytes(b"<< /Names << /EmbeddedFiles << /Names [] >> >> >>")
CLEAN_PDF = pdf_bytes()


def codes(error):
    return [item.code for item in error.error_list]


def refusal_code(data, name="tep", allowed=DOCUMENTS):
    with pytest.raises(InvalidInput) as info:
        validate_upload(SimpleUploadedFile(name, data), allowed, 40 * 1024 * 1024)
    return codes(info.value)[0]


def zip_bytes():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("x.html", "<script>alert(1)</script>")
    return output.getvalue()


def post_file_step(client, *uploads):
    fill_until_files(client)
    return client.post(STEP_URL.format("tep"), {"files": list(uploads), "go": "upload"})


def file_step_codes(response):
    assert response.status_code == 200
    return [error.code for error in response.context["form"].errors.as_data()["files"]]


# --- Types and polyglots, through the complaint filing's file step ----------------------------


def test_a_gif_html_polyglot_named_poly_html_is_refused(client, reference_data):
    poly = GIF_BYTES + b"<html><script>alert(document.cookie)</script></html>"
    response = post_file_step(client, SimpleUploadedFile("poly.html", poly))
    assert file_step_codes(response) == ["file_polyglot"]
    assert "poly.html" in response.content.decode()
    assert not client.session["complaint_draft"]["files"]


def test_a_jpeg_with_a_zip_appended_is_refused(client, reference_data):
    jpeg_zip = image_bytes(fmt="JPEG") + zip_bytes()
    response = post_file_step(client, SimpleUploadedFile("anh.jpg", jpeg_zip))
    assert file_step_codes(response) == ["file_polyglot"]


def test_a_pdf_with_javascript_is_refused_with_a_clear_message(client, reference_data):
    response = post_file_step(client, SimpleUploadedFile("hop-dong.pdf", JAVASCRIPT_PDF))
    assert file_step_codes(response) == ["pdf_javascript"]
    assert "JavaScript" in response.content.decode()
    assert not client.session["complaint_draft"]["files"]


def test_a_clean_image_and_pdf_are_kept(client, reference_data):
    response = post_file_step(
        client,
        SimpleUploadedFile("anh.png", image_bytes()),
        SimpleUploadedFile("scan.html", CLEAN_PDF),
    )
    assert response.status_code == 302
    stored = client.session["complaint_draft"]["files"]
    assert [(f["mime"], f["path"].rsplit(".", 1)[1]) for f in stored] == [
        ("image/png", "png"),
        ("application/pdf", "pdf"),
    ]


def test_an_image_of_too_many_pixels_is_refused_before_any_pixel_is_decoded(client, reference_data):
    with mock.patch.object(ImageFile.ImageFile, "load", side_effect=AssertionError("decoded")):
        response = post_file_step(client, SimpleUploadedFile("anh.png", huge_png()))
    assert file_step_codes(response) == ["image_too_many_pixels"]
    assert "25" in response.content.decode()


def test_a_warning_photo_of_too_many_pixels_is_refused_before_decoding():
    with (
        mock.patch.object(ImageFile.ImageFile, "load", side_effect=AssertionError("decoded")),
        pytest.raises(InvalidInput) as info,
    ):
        process_photo(SimpleUploadedFile("anh.png", huge_png()))
    assert codes(info.value) == ["image_too_many_pixels"]


# --- Each rule, with a crafted file ---------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        GIF_BYTES + b"<!DOCTYPE html><p>hi",
        image_bytes(fmt="PNG") + b"<svg onload=alert(1)>",
        CLEAN_PDF.replace(b"%PDF-1.7\n", b"%PDF-1.7\n%<html>\n"),
    ],
    ids=["gif-doctype", "png-svg", "pdf-html"],
)
def test_rule_1_markup_in_the_first_kilobytes(data):
    assert refusal_code(data) == "file_polyglot"


@pytest.mark.parametrize(
    "data", [image_bytes(fmt="PNG") + zip_bytes(), CLEAN_PDF + zip_bytes()], ids=["png", "pdf"]
)
def test_rule_2_an_archive_appended(data):
    assert refusal_code(data) == "file_polyglot"


def test_rule_2_leaves_office_files_alone_since_they_are_zips():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    upload = SimpleUploadedFile("van-ban.docx", output.getvalue())
    assert validate_upload(upload, DOCUMENTS).endswith("wordprocessingml.document")


def test_rule_3_a_pdf_header_inside_an_image():
    data = GIF_BYTES[:13] + b"%PDF-1.4 1 0 obj" + GIF_BYTES[13:]
    assert refusal_code(data) == "file_polyglot"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"<< /S /JavaScript /JS (app.alert(1)) >>", "pdf_javascript"),
        (b"<< /OpenAction << /S /Rendition /JS 9 0 R >> >>", "pdf_javascript"),
        (b"<< /S /J#61vaScript >>", "pdf_javascript"),  # a name spelled with an escape
        (b"<< /S /Launch /F (cmd.exe) >>", "pdf_launch"),
        (b"<< /Type /EmbeddedFile /Length 0 >>", "pdf_embedded_file"),
        (b"<< /Subtype /RichMedia >>", "pdf_rich_media"),
        (b"<< /AcroForm << /XFA 9 0 R >> >>", "pdf_xfa"),
    ],
)
def test_active_content_in_a_pdf_is_refused(content, code):
    assert refusal_code(pdf_bytes(content)) == code
    # The same hidden in a compressed object stream.
    assert refusal_code(pdf_bytes(object_stream(content))) == code


def test_an_object_stream_that_cannot_be_inflated_is_refused():
    broken = object_stream(b"<< >>").replace(b"stream\nx", b"stream\n\x00")
    assert refusal_code(pdf_bytes(broken)) == "pdf_uncheckable"


def test_a_pdf_with_plain_object_streams_and_an_open_action_to_a_page_is_accepted():
    data = pdf_bytes(object_stream(b"<< /OpenAction [3 0 R /Fit] >>"))
    assert validate_upload(SimpleUploadedFile("a.pdf", data), DOCUMENTS) == "application/pdf"


JS_ACTION = b"7 0 << /S /JavaScript /JS (app.alert(1)) >>"
PACKED_JS = zlib.compress(JS_ACTION)


@pytest.mark.parametrize(
    "dictionary",
    [
        b"<< /Filter /FlateDecode /Xobj 1 /Type /ObjStm /N 1 /First 4 /Length %d >>",
        b"<< /Length %d >>",  # no /Filter: inflated all the same, since it inflates
        b"<< /N 1 /First 4 /Filter /FlateDecode /Length %d >>",  # no /Type /ObjStm
        b"<< /Filter [/ASCII85Decode /FlateDecode] /Length %d >>",
    ],
    ids=["obj-in-a-name", "no-filter", "no-type", "base85-then-flate"],
)
def test_javascript_in_any_stream_that_inflates_is_found(dictionary):
    body = PACKED_JS
    if b"ASCII85" in dictionary:
        body = base64.a85encode(PACKED_JS) + b"~>"
    assert refusal_code(pdf_bytes(pdf_stream(dictionary, body))) == "pdf_javascript"


def test_javascript_in_a_plain_content_stream_is_found():
    content = zlib.compress(b"BT /F1 12 Tf (Hello) Tj ET " + JS_ACTION)
    stream = pdf_stream(b"<< /Filter /FlateDecode /Length %d >>", content)
    assert refusal_code(pdf_bytes(stream)) == "pdf_javascript"


def test_hex_and_base85_object_streams_are_decoded():
    hex_body = binascii.hexlify(JS_ACTION) + b">"
    hex_stream = pdf_stream(b"<< /Type /ObjStm /N 1 /First 4 /Filter /AHx >>", hex_body)
    assert refusal_code(pdf_bytes(hex_stream)) == "pdf_javascript"
    a85_body = base64.a85encode(JS_ACTION) + b"~>"
    a85_stream = pdf_stream(b"<< /Type /ObjStm /N 1 /First 4 /Filter /A85 >>", a85_body)
    assert refusal_code(pdf_bytes(a85_stream)) == "pdf_javascript"


@pytest.mark.parametrize(
    "dictionary",
    [
        b"<< /Type /ObjStm /N 1 /First 4 /Filter 9 0 R /Length %d >>",
        b"<< /Type 9 0 R /Filter /LZWDecode /Length %d >>",
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /LZWDecode /Length %d >>",
        b"<< /N 1 /First 4 /Filter /RunLengthDecode /Length %d >>",
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode "
        b"/DecodeParms << /Predictor 12 /Columns 4 >> /Length %d >>",
        # A "<<" in a string or a comment must not pass for the dictionary's start.
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /LZWDecode /X (<<) >>",
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /LZWDecode /X (1 << %)\n>>",
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /LZWDecode % <<\n>>",
    ],
    ids=[
        "indirect-filter",
        "indirect-type",
        "lzw",
        "run-length-no-type",
        "predictor",
        "string",
        "string-comment",
        "comment",
    ],
)
def test_an_object_stream_that_cannot_be_checked_is_refused(dictionary):
    body = bytes(range(128, 256))  # no zlib data, and no coding decoded here
    assert refusal_code(pdf_bytes(pdf_stream(dictionary, body))) == "pdf_uncheckable"


def test_an_object_stream_behind_an_indirect_filter_is_refused_even_if_it_inflates():
    stream = pdf_stream(b"<< /Type /ObjStm /N 1 /First 4 /Filter 9 0 R >>", PACKED_JS)
    assert refusal_code(pdf_bytes(stream)) == "pdf_uncheckable"


def test_pdfs_rendered_by_the_portal_are_accepted():
    data = render_pdf("pdf/base.html", {})
    assert b"/ObjStm" in data
    assert validate_upload(SimpleUploadedFile("a.pdf", data), DOCUMENTS) == "application/pdf"
    # With text (an embedded font), headings (bookmarks: /First) and a JPEG photo.
    photo = base64.b64encode(image_bytes(64, 48, fmt="JPEG")).decode()
    html = f"<h1>Báo cáo</h1><h2>Mục 1</h2><p>Nội dung</p><img src='data:;base64,{photo}'>"
    data = HTML(string=html).write_pdf()
    assert b"/Length1" in data and b"/DCTDecode" in data
    assert validate_upload(SimpleUploadedFile("a.pdf", data), DOCUMENTS) == "application/pdf"


def test_a_pdf_with_a_jpeg_photo_is_accepted():
    output = io.BytesIO()
    image = Image.open(io.BytesIO(image_bytes(64, 48, fmt="JPEG")))
    image.save(output, format="PDF")
    data = output.getvalue()
    assert b"/DCTDecode" in data
    assert validate_upload(SimpleUploadedFile("a.pdf", data), DOCUMENTS) == "application/pdf"
    # The same photo next to a compressed object stream and a plain image stream.
    jpeg = pdf_stream(
        b"<< /Type /XObject /Subtype /Image /Width 64 /Height 48 /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>",
        image_bytes(64, 48, fmt="JPEG"),
    )
    data = pdf_bytes(jpeg, object_stream(b"<< /Type /Page /Parent 2 0 R >>"))
    assert validate_upload(SimpleUploadedFile("a.pdf", data), DOCUMENTS) == "application/pdf"


# --- Macros in Office files -----------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        ole_bytes("WordDocument", storages=[("Macros",)]),
        ole_bytes("WordDocument", "_VBA_PROJECT"),
        ole_bytes("Workbook", storages=[("_VBA_PROJECT_CUR", "VBA")]),
        ooxml_bytes("word/vbaProject.bin"),
        ooxml_bytes(
            content_types=b'<Types><Override ContentType="application/vnd.ms-word.document.'
            b'macroEnabled.main+xml" PartName="/word/document.xml"/></Types>'
        ),
    ],
    ids=["doc-macros", "doc-vba-project-stream", "xls-vba-nested", "docx-vba", "docm-renamed"],
)
def test_office_files_with_macros_are_refused(data):
    assert refusal_code(data, name="bao-cao.doc") == "office_macros"


def test_office_files_without_macros_are_accepted():
    for data in (word_bytes(), excel_bytes(), ooxml_bytes("word/styles.xml")):
        assert validate_upload(SimpleUploadedFile("a.doc", data), DOCUMENTS) in DOCUMENTS


def test_the_library_refuses_a_word_file_with_macros(client, ministry_officer):
    login(client, ministry_officer)
    issuing_body = IssuingBody.objects.create(
        slug="co-quan-thu", name="Cơ quan thử", name_en="Test body"
    )
    upload = SimpleUploadedFile("ban.doc", ole_bytes("WordDocument", storages=[("Macros",)]))
    data = payload(issuing_body, **{"attachments-TOTAL_FORMS": "1", "attachments-0-file": upload})
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "ban.doc" in response.content.decode()
    assert not LegalAttachment.objects.exists()


def test_legacy_office_files_are_told_apart_by_content_not_name():
    word = SimpleUploadedFile("bang-tinh.xls", word_bytes())
    sheet = SimpleUploadedFile("van-ban.doc", excel_bytes())
    assert validate_upload(word, DOCUMENTS) == "application/msword"
    assert validate_upload(sheet, DOCUMENTS) == "application/vnd.ms-excel"
    assert refusal_code(word_bytes()[:600]) == "file_type"  # a damaged container


# --- Stored and served as what it is --------------------------------------------------------


@pytest.fixture
def assessment(reference_data, business_member):
    member_business = business_member.memberships.get().business
    return selfassess_services.start_assessment(
        user=business_member, business=member_business, criteria_set=make_set()
    )


def evidence_post(client, assessment, upload):
    group = assessment.criteria_set.groups.get(code="A")
    a2 = criterion(assessment.criteria_set, "A2")
    return client.post(
        reverse("selfassess:fill", args=[assessment.pk, group.pk]),
        {f"answer_{a2.pk}": "implemented", f"evidence_{a2.pk}": upload, "save_next": "1"},
    )


def test_a_clean_pdf_named_html_is_stored_and_served_as_a_pdf(client, assessment, business_member):
    login(client, business_member)
    response = evidence_post(client, assessment, SimpleUploadedFile("scan.html", CLEAN_PDF))
    assert response.status_code == 302
    evidence = assessment.evidence.get()
    assert evidence.file.name.endswith(".pdf") and evidence.content_type == "application/pdf"
    download = client.get(reverse("selfassess:evidence", args=[assessment.pk, evidence.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="scan.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content) == CLEAN_PDF


def test_a_pdf_with_embedded_files_is_refused_as_evidence(client, assessment, business_member):
    login(client, business_member)
    response = evidence_post(client, assessment, SimpleUploadedFile("a.pdf", EMBEDDED_FILE_PDF))
    assert response.status_code == 200
    assert "a.pdf" in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_file_added_after_filing_is_stored_with_the_extension_of_its_content(reference_data):
    complaint = make_complaint()
    upload = SimpleUploadedFile("hoa-don.html", image_bytes())
    attachment = complaint_services.add_attachment(complaint, upload, actor=None)
    assert attachment.file.name.endswith(".png") and attachment.content_type == "image/png"
    response = attachment.response()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="hoa-don.png"'
    # Not response.close(): that would end the request, and the test database connection.
    response.file_to_stream.close()
    assert ComplaintAttachment.objects.count() == 1


def test_the_library_keeps_a_word_file_by_its_content(client, ministry_officer):
    login(client, ministry_officer)
    issuing_body = IssuingBody.objects.create(
        slug="co-quan-thu", name="Cơ quan thử", name_en="Test body"
    )
    upload = SimpleUploadedFile("ban.xls", word_bytes())
    data = payload(issuing_body, **{"attachments-TOTAL_FORMS": "1", "attachments-0-file": upload})
    response = client.post(ADD_URL, data)
    assert response.status_code == 302
    attachment = LegalAttachment.objects.get()
    assert attachment.content_type == "application/msword"
    assert attachment.file.name.endswith(".doc")


def test_warning_photos_stay_images():
    content, width, height = process_photo(SimpleUploadedFile("anh.html", image_bytes(40, 30)))
    assert content.name == "anh.jpg" and (width, height) == (40, 30)
    assert refusal_code(pdf_bytes(), allowed=IMAGES) == "file_type"


# --- The request size cap ---------------------------------------------------------------------


def test_a_body_over_the_cap_is_refused_before_the_view_runs(
    client, assessment, business_member, settings
):
    settings.MAX_REQUEST_BYTES = 4096
    login(client, business_member)
    big = SimpleUploadedFile("a.pdf", CLEAN_PDF + b"%" * 8000)
    response = evidence_post(client, assessment, big)
    assert response.status_code == 413
    body = response.content.decode()
    assert "4,0" in body or "4.0" in body  # the limit, in the user's language
    assert not Answer.objects.filter(value="implemented").exists()
    assert not Evidence.objects.exists()


class EndlessBody:
    """A chunked body that never ends, counting what was read of it."""

    def __init__(self):
        self.read_bytes = 0

    def read(self, size=-1):
        size = 65536 if size is None or size < 0 else size
        self.read_bytes += size
        return b"a" * size

    def readline(self, size=-1):
        return self.read(size)


def chunked(stream, path="/khieu-nai/gui/nguoi-gui/"):
    return RequestFactory().generic(
        "POST",
        path,
        b"",
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": stream},
    )


def test_a_chunked_body_over_the_cap_is_refused_after_reading_at_most_the_cap(settings):
    settings.MAX_REQUEST_BYTES = 200_000
    stream = EndlessBody()
    view = mock.Mock()
    response = RequestSizeLimitMiddleware(view)(chunked(stream))
    assert response.status_code == 413
    assert not view.called
    assert stream.read_bytes <= 200_000 + 65536


def test_a_chunked_body_within_the_cap_reaches_the_form(settings):
    settings.MAX_REQUEST_BYTES = 200_000
    seen = {}

    def view(request):
        seen.update(request.POST.dict())
        return mock.Mock(status_code=200)

    request = chunked(io.BytesIO(b"complainant_name=Lan&go=next"))
    RequestSizeLimitMiddleware(view)(request)
    assert seen == {"complainant_name": "Lan", "go": "next"}


def test_a_script_gets_json_for_a_body_over_the_cap(client, settings):
    settings.MAX_REQUEST_BYTES = 100
    # A page's own script (the assessment's autosave reads "error"); the API answers its own
    # error contract (tests/api/test_core.py).
    response = client.post("/tu-danh-gia/", b"x" * 500, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["ok"] is False
    assert "100" in response.json()["error"]
