import io

import pytest
from django.utils import timezone

from bench.targets import complaints as target
from complaints import selectors
from complaints.models import CodeCounter, Complaint, ComplaintStep

pytestmark = pytest.mark.django_db


def test_generator_creates_consistent_rows(client, reference_data):
    target.generate(60, io.StringIO())
    assert Complaint.objects.count() == 60
    assert Complaint.objects.values("code").distinct().count() == 60
    # Every complaint has its forward step, and at most one step still open.
    assert ComplaintStep.objects.filter(kind="forward").count() == 60
    assert not Complaint.objects.filter(received_month=0).exists()
    counters = dict(CodeCounter.objects.values_list("year", "last"))
    assert sum(counters.values()) == 60
    # A real filing afterwards continues the numbering.
    from tests.complaints.factories import make_complaint

    filed = make_complaint()
    assert (
        int(filed.code.rsplit("-", 1)[1])
        == counters[timezone.localdate(filed.received_at).year] + 1
    )
    for _ in range(selectors.SUPPRESS_BELOW):
        make_complaint()  # enough in the year for its total to be published as it is
    year = timezone.localdate(filed.received_at).year
    assert (
        selectors.public_statistics(year)["total"]
        == Complaint.objects.filter(
            received_month__gte=year * 100, received_month__lt=(year + 1) * 100
        ).count()
    )
    for _label, path in target.urls():
        assert client.get(path).status_code == 200, path
