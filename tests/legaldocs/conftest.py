import datetime

import pytest
from django.core.management import call_command
from django.utils import translation

from legaldocs.models import Document, IssuingBody, LegalField
from legaldocs.services import save_document

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def _vietnamese():
    """URLs and labels built outside a request use the portal's default language, whatever
    language an earlier test's request left active."""
    with translation.override("vi"):
        yield


@pytest.fixture
def library(db):
    """The real library, seeded by the project's own command; documents by number."""
    call_command("seed_legaldocs", verbosity=0)
    return {d.number or d.title: d for d in Document.objects.all()}


@pytest.fixture
def body(db):
    return IssuingBody.objects.get_or_create(
        slug="co-quan-thu", defaults={"name": "Cơ quan thử", "name_en": "Test body"}
    )[0]


@pytest.fixture
def legal_field(db):
    return LegalField.objects.get_or_create(
        slug="linh-vuc-thu", defaults={"name": "Lĩnh vực thử", "name_en": "Test field"}
    )[0]


@pytest.fixture
def make_document(body):
    counter = {"n": 0}

    def make(**fields):
        counter["n"] += 1
        values = {
            "doc_type": "nghi-dinh",
            "number": f"{counter['n']}/2022/NĐ-CP",
            "title": f"Văn bản thử số {counter['n']}",
            "issuing_body": body,
            "issue_date": datetime.date(2022, 1, 1),
            "effective_date": datetime.date(2022, 3, 1),
        }
        values.update(fields)
        return save_document(Document(**values))

    return make
