import pytest
from django.utils import timezone

from complaints.models import Complaint, ComplaintEvent, Status
from tests.complaints.factories import make_complaint

STORY = (
    "Tôi là Nguyễn Thị Hoa, ở số 12 ngõ 34 phố Huế. Ngày 03/02/2026 tôi mua máy giặt giá "
    "8.490.000 đồng tại Cửa hàng Điện máy Ánh Dương, mã đơn hàng DH-2026-00123. Máy hỏng sau "
    "hai tháng, nhân viên tên Tuấn hẹn gọi lại số 0912 345 678 nhưng không gọi."
)


def closed_complaint(*, status=Status.RESOLVED, consent=True, result="", **kwargs):
    """A complaint filed through the real service, then closed with ``status``."""
    kwargs.setdefault("description", STORY)
    kwargs.setdefault("request", "Đổi máy mới hoặc hoàn 8.490.000 đồng.")
    complaint = make_complaint(consent_publish=consent, **kwargs)
    Complaint.objects.filter(pk=complaint.pk).update(status=status, closed_at=timezone.now())
    if result:
        ComplaintEvent.objects.create(
            complaint=complaint,
            kind=ComplaintEvent.Kind.STATUS,
            from_status=Status.NEGOTIATING,
            to_status=status,
            message=result,
        )
    complaint.refresh_from_db()
    return complaint


@pytest.fixture
def closed(reference_data):
    return closed_complaint(result="Cửa hàng đã đổi máy mới cho chị Hoa ngày 20/02/2026.")
