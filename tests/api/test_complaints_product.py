"""The complaints API's product and barcode (issue 15, item 2): checked like the form, and
the filing's answer and the complaint's detail list the matching published recalls."""

import pytest

from complaints.models import Complaint
from consumer_warnings.models import ConsumerWarning
from tests.api.test_complaints_consumer import filing
from tests.complaints.factories import make_complaint
from tests.consumer_warnings.factories import WarningFactory

pytestmark = pytest.mark.django_db

GTIN13 = "8936000123451"


def test_filing_with_a_recalled_barcode_answers_what_to_do(api, reference_data):
    recall = WarningFactory(
        kind=ConsumerWarning.Kind.RECALL, gtin="0" + GTIN13, remedy="Đổi sản phẩm mới."
    )
    WarningFactory(kind=ConsumerWarning.Kind.RECALL, gtin=GTIN13, status="draft")
    response = api.post(
        "/complaints", filing(gtin="893-6000-12345-1", product_name="Ấm siêu tốc"), files={}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    [match] = body["matching_warnings"]
    assert match["id"] == recall.pk and match["kind"] == "recall"
    assert match["matched_by"] == "gtin" and match["remedy"] == "Đổi sản phẩm mới."
    assert match["url"].endswith(recall.get_absolute_url())
    complaint = Complaint.objects.get(code=body["code"])
    assert complaint.gtin == GTIN13 and complaint.product_name == "Ấm siêu tốc"
    tracked = api.get(f"/complaints/by-token/{body['token']}").json()
    assert tracked["gtin"] == GTIN13 and tracked["product_name"] == "Ấm siêu tốc"
    assert [m["id"] for m in tracked["matching_warnings"]] == [recall.pk]


def test_a_wrong_barcode_is_refused_in_vietnamese(api, reference_data):
    response = api.post("/complaints", filing(gtin="8936000123452"), files={}, lang="vi")
    assert response.status_code == 422
    assert "không khớp số kiểm tra" in response.json()["fields"]["gtin"][0]
    assert not Complaint.objects.exists()


def test_the_business_sees_the_product(api, token_of, business, business_member, province_officer):
    from complaints import services

    complaint = make_complaint(business=business, gtin=GTIN13, product_name="Ấm siêu tốc")
    services.forward(complaint, actor=province_officer)
    body = api.get(f"/business/complaints/{complaint.code}", token=token_of(business_member)).json()
    assert body["gtin"] == GTIN13 and body["product_name"] == "Ấm siêu tốc"
