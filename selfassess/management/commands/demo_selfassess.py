"""Demo assessments for the demo businesses, in various states; some verified so that the
public list is not empty. Idempotent: a business that has assessments is skipped.

Every step is made as it is in the portal: by a member of the business (its demo owner, or
one made here for a business without one) and by the ministry's demo officer."""

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction

from portal.management.demo import DemoCommand
from portal.models import Business, Membership
from selfassess import selectors, services
from selfassess.models import CriteriaSet

DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

# tax code (valid, with its check digit), final state, share of "yes" answers (every n-th
# scored criterion answered no)
PLAN = [
    ("0318765434", "verified", 0),
    ("0401234566", "verified", 3),
    ("0201234569", "verified", 2),
    ("0109876557", "submitted", 4),
    ("1801234562", "changes", 3),
    ("2901234568", "rejected", 2),
    ("0101234565", "draft", 0),
]


class Command(DemoCommand):
    help = "Create demo self-assessments (idempotent)."

    def handle(self, *args, **options):
        if not CriteriaSet.objects.filter(code="dnvntd-ban-le").exists():
            call_command("seed_selfassess", stdout=self.stdout)
        retail = CriteriaSet.objects.filter(code="dnvntd-ban-le").order_by("-version").first()
        users = get_user_model().objects
        officer = users.filter(email="bo@demo.dnvntd.vn").first()
        created = 0
        for tax_code, state, every in PLAN:
            business = Business.objects.filter(tax_code=tax_code).first()
            if business is None or business.assessments.exists():
                continue
            with transaction.atomic():
                self.make(business, retail, state, every, officer)
            created += 1
        self.stdout.write(f"Demo self-assessments: {created} created.")

    def member_of(self, business):
        """The business's demo owner, or a new one that cannot sign in (no password)."""
        membership = (
            Membership.objects.approved()
            .filter(business=business)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if membership is not None:
            return membership.user
        email = f"chu.{business.tax_code}@demo.dnvntd.vn"
        user, created = get_user_model().objects.get_or_create(
            username=email, defaults={"email": email}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Membership.objects.create(
            user=user,
            business=business,
            role=Membership.Role.OWNER,
            status=Membership.Status.APPROVED,
        )
        return user

    def make(self, business, criteria_set, state, every, officer):
        member = self.member_of(business)
        assessment = services.start_assessment(
            user=member, business=business, criteria_set=criteria_set
        )
        structure = selectors.load_structure(criteria_set)
        items = {}
        n = 0
        for group in structure.groups_list:
            for criterion in group.criteria_list:
                n += 1
                if criterion.kind == "screening":
                    value = "pass"
                elif criterion.kind == "plan_evidence":
                    value = "plan" if every and n % every == 0 else "implemented"
                else:
                    value = "no" if every and n % every == 0 else "yes"
                items[criterion] = (value, "Minh chứng lưu tại phòng pháp chế (dữ liệu mẫu).")
                if criterion.evidence_required and value not in ("no", "none"):
                    services.add_evidence(
                        assessment=assessment,
                        criterion=criterion,
                        upload=SimpleUploadedFile("minh-chung-mau.pdf", DEMO_PDF),
                        user=member,
                    )
        if state == "draft":
            first = dict(list(items.items())[:4])
            services.save_answers(assessment=assessment, items=first, user=member)
            return
        services.save_answers(assessment=assessment, items=items, user=member)
        services.submit(assessment=assessment, user=member)
        if state == "submitted" or officer is None:
            return
        decision = {"verified": "verify", "changes": "changes", "rejected": "reject"}[state]
        note = {
            "verify": "",
            "changes": "Đề nghị bổ sung minh chứng áp dụng kế hoạch (dữ liệu mẫu).",
            "reject": "Minh chứng không khớp với nội dung trả lời (dữ liệu mẫu).",
        }[decision]
        services.review(assessment=assessment, officer=officer, decision=decision, note=note)
