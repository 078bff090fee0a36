from unittest.mock import Mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal import search
from selfassess import services

from .factories import criterion, make_set

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_upload(name="minh-chung.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def matching_spy(monkeypatch):
    """portal.search.matching, answering as usual, with its calls recorded."""
    spy = Mock(wraps=search.matching)
    monkeypatch.setattr(search, "matching", spy)
    return spy


@pytest.fixture
def small_set(reference_data):
    return make_set()


@pytest.fixture
def assessment(small_set, business, business_member):
    return services.start_assessment(
        user=business_member, business=business, criteria_set=small_set
    )


def fill_all(assessment, user, values=None):
    """Answer every criterion of the small set (defaults: all met) and attach evidence."""
    values = {"S1": "pass", "A1": "yes", "A2": "implemented", "B1": "yes", "B2": "yes"} | (
        values or {}
    )
    cset = assessment.criteria_set
    for code, value in values.items():
        services.save_answer(
            assessment=assessment, criterion=criterion(cset, code), value=value, user=user
        )
    services.add_evidence(
        assessment=assessment, criterion=criterion(cset, "A2"), upload=pdf_upload(), user=user
    )
    return assessment


@pytest.fixture
def submitted(assessment, business_member):
    fill_all(assessment, business_member)
    return services.submit(assessment=assessment, user=business_member)
