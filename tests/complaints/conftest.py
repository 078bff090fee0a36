import pytest
from django.core.management import call_command

from complaints.models import IssueCategory


@pytest.fixture
def issues(reference_data):
    if not IssueCategory.objects.exists():
        call_command("seed_complaints", verbosity=0)
    return IssueCategory.objects.all()
