"""Criterion 9.4 of the retail set cites the 2010 law: its expiry is annotated in the data
and shown where the criterion is shown; a database seeded before is corrected."""

import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from selfassess.models import Criterion

pytestmark = pytest.mark.django_db

EXPIRY = "hết hiệu lực từ ngày 01/7/2024"
MIGRATION = importlib.import_module("selfassess.migrations.0005_annotate_retail_criterion_9_4")


@pytest.fixture
def retail_9_4(reference_data):
    call_command("seed_selfassess", verbosity=0)
    return Criterion.objects.get(criteria_set__code="dnvntd-ban-le", code="9.4")


def test_criterion_9_4_says_the_2010_law_expired(client, retail_9_4):
    assert EXPIRY in retail_9_4.legal_basis and "19/2023/QH15" in retail_9_4.legal_basis
    # The published text of the criterion itself stays as published.
    assert "Luật Bảo vệ quyền lợi người tiêu dùng năm 2010" in retail_9_4.text
    page = client.get(reverse("selfassess:set_detail", args=[retail_9_4.criteria_set_id]))
    assert EXPIRY in page.content.decode()


def test_the_migration_annotates_a_set_seeded_before(retail_9_4):
    Criterion.objects.filter(pk=retail_9_4.pk).update(legal_basis=MIGRATION.OLD)
    MIGRATION.annotate(apps, None)
    retail_9_4.refresh_from_db()
    assert retail_9_4.legal_basis == MIGRATION.NEW and EXPIRY in MIGRATION.NEW
