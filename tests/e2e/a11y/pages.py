"""The pages checked by axe-core (tests/e2e/test_accessibility.py) and the Nu HTML checker
(tests/e2e/test_html_validity.py), the data that fills them, and the ratchet both use: a
finding not in the committed baseline fails, and so does a baseline entry that no longer
occurs, so that the baseline only shrinks."""

import json
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

HERE = Path(__file__).resolve().parent
# The shell's error page (templates/404.html) is checked too: it answers 404.
NOT_FOUND = "/khong-co-trang-nay/"


def expected_status(path):
    return 404 if path.endswith(NOT_FOUND) else 200


def build_data(*, business, business_member, province_officer, consumer):
    """One row of everything the listed pages show, built with the suite's factories and
    services: a warning, the library, a verified and a draft assessment, a published
    narrative, a complaint of the consumer's forwarded to the business."""
    from complaints import services as complaint_services
    from legaldocs.models import Document
    from narratives import services as narrative_services
    from selfassess import services as selfassess_services
    from tests.complaints.factories import make_complaint
    from tests.consumer_warnings.factories import WarningFactory
    from tests.narratives.conftest import closed_complaint
    from tests.selfassess.conftest import fill_all
    from tests.selfassess.factories import make_set

    call_command("seed_legaldocs", verbosity=0)
    warning = WarningFactory(business=business)
    verified = selfassess_services.start_assessment(
        user=business_member, business=business, criteria_set=make_set()
    )
    fill_all(verified, business_member)
    selfassess_services.submit(assessment=verified, user=business_member)
    selfassess_services.review(assessment=verified, officer=province_officer, decision="verify")
    draft = selfassess_services.start_assessment(
        user=business_member, business=business, criteria_set=make_set(code="bo-thu-hai")
    )
    submitted = selfassess_services.start_assessment(
        user=business_member, business=business, criteria_set=make_set(code="bo-thu-ba")
    )
    fill_all(submitted, business_member)
    selfassess_services.submit(assessment=submitted, user=business_member)
    narrative = narrative_services.create_draft(
        closed_complaint(business=business, result="Cửa hàng đã hoàn tiền."),
        actor=province_officer,
    )
    narrative_services.publish(narrative, actor=province_officer)
    complaint = make_complaint(user=consumer, business=business)
    complaint_services.forward(complaint, actor=province_officer, business=business)
    with translation.override("vi"):
        document = Document.objects.order_by("pk").first()
        group = draft.criteria_set.groups.order_by("order", "pk").first()
        return {
            "warning": warning.get_absolute_url(),
            "document": document.get_absolute_url(),
            "business": reverse("businesses:detail", args=[business.tax_code]),
            "narrative": reverse("narratives:detail", args=[narrative.pk]),
            "complaint": complaint.code,
            "fill": reverse("selfassess:fill", args=[draft.pk, group.pk]),
            "review": reverse("selfassess:review", args=[submitted.pk]),
        }


def public_pages(data):
    """(name, path) of every public page, in Vietnamese, then the same under /en/."""
    vietnamese = [
        ("home", "/"),
        ("warnings", "/canh-bao/"),
        ("warning", data["warning"]),
        ("library", "/van-ban/"),
        ("document", data["document"]),
        ("results", "/doanh-nghiep/"),
        ("business", data["business"]),
        ("statistics", "/khieu-nai/thong-ke/"),
        ("tracking", "/khieu-nai/tra-cuu/"),
        ("filing", "/khieu-nai/gui/"),
        ("narratives", "/tuong-thuat/"),
        ("narrative", data["narrative"]),
        ("login", "/tai-khoan/login/"),
        ("signup", "/tai-khoan/signup/"),
        ("privacy", "/chinh-sach-du-lieu-ca-nhan/"),
        ("offline", "/offline/"),
        ("not-found", NOT_FOUND),
    ]
    english = [(name + ":en", "/en" + path) for name, path in vietnamese]
    return [(name + ":vi", path) for name, path in vietnamese] + english


def role_pages(data):
    """role → (name, path) of its main pages, in Vietnamese."""
    code = data["complaint"]
    return {
        "consumer": [
            ("my-complaints", "/khieu-nai/cua-toi/"),
            ("my-complaint", reverse("complaints:track_detail", args=[code])),
        ],
        "business": [
            ("inbox", "/khieu-nai/doanh-nghiep/"),
            ("inbox-complaint", reverse("complaints:business_detail", args=[code])),
            ("assessments", "/tu-danh-gia/"),
            ("assessment-form", data["fill"]),
        ],
        "province": [
            ("complaints", "/khieu-nai/quan-ly/"),
            ("complaint", reverse("complaints:staff_detail", args=[code])),
            ("review-queue", "/tu-danh-gia/tham-dinh/"),
            ("review", data["review"]),
            ("signals", "/canh-bao/tin-hieu/"),
        ],
        "ministry": [
            ("reports", "/bao-cao/"),
        ],
    }


def load_baseline(name):
    """{page: {finding: reason}} from tests/e2e/a11y/<name>."""
    return json.loads((HERE / name).read_text(encoding="utf-8"))


def ratchet(found, baseline):
    """Compare {page: set of findings} with the baseline: (new, gone), both {page: [...]}.
    A new finding must be fixed (or, with a reason, added to the baseline); a gone one must
    be removed from the baseline."""
    new, gone = {}, {}
    for page in sorted(set(found) | set(baseline)):
        seen, known = set(found.get(page, ())), set(baseline.get(page, {}))
        if seen - known:
            new[page] = sorted(seen - known)
        if known - seen:
            gone[page] = sorted(known - seen)
    return new, gone
