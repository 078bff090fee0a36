"""The complaints API's province (issue 15, item 7): a former province's id files the
complaint with the province it is now part of."""

import pytest

from complaints.models import Complaint
from portal.models import Province

pytestmark = pytest.mark.django_db


def test_the_api_takes_a_former_province_id(api, reference_data):
    from tests.api.test_complaints_consumer import filing

    former = Province.objects.get(name="Long An", is_active=False)
    response = api.post("/complaints", filing(province=former.pk), files={})
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(code=response.json()["code"])
    assert complaint.province == Province.objects.get(name="Tây Ninh", is_active=True)
