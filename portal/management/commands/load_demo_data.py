"""Create a realistic demo data set: one user per role, businesses in several provinces,
then every part's demo data (``demo_<app>`` commands). Idempotent. Refuses to run under
the production profile unless forced."""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

from portal import services
from portal.contributions import demo_commands
from portal.management.demo import DemoCommand
from portal.models import Agency, Business, Membership, Province, Sector

DEMO_PASSWORD = "DemoDnvntd@2026"  # noqa: S105 - demo data only, refused in production
# Fixed TOTP secrets so that `make totp` and the browser tests can produce codes for the
# demo staff accounts. Demo only: load_demo_data refuses to run in production.
DEMO_TOTP = {
    "admin@demo.dnvntd.vn": "JBSWY3DPEHPK3PXPADMINDEMOSECRETA",
    "bo@demo.dnvntd.vn": "JBSWY3DPEHPK3PXPMINISTRYDEMOKEYA",
    "so.hanoi@demo.dnvntd.vn": "JBSWY3DPEHPK3PXPHANOIDEMOSECRETA",
    "so.hcm@demo.dnvntd.vn": "JBSWY3DPEHPK3PXPHCMCDEMOSECRETAA",
}

USERS = [
    # email, full name, role, organisation
    ("admin@demo.dnvntd.vn", "Quản trị hệ thống", "admin", None),
    ("bo@demo.dnvntd.vn", "Nguyễn Thị Minh Thư", "ministry", ("agency", "ubctqg")),
    ("so.hanoi@demo.dnvntd.vn", "Trần Quốc Hưng", "province", ("province", "01")),
    ("so.hcm@demo.dnvntd.vn", "Lê Thị Ngọc Hân", "province", ("province", "79")),
    ("dn@demo.dnvntd.vn", "Phạm Văn Đức", "business", ("business", "0109876557")),
    ("dn.hcm@demo.dnvntd.vn", "Võ Thị Thanh Trúc", "business", ("business", "0318765434")),
    ("cho.duyet@demo.dnvntd.vn", "Đặng Minh Khôi", "pending", ("business", "0109876557")),
    ("nguoitieudung@demo.dnvntd.vn", "Hoàng Thị Lan Anh", "consumer", None),
]

BUSINESSES = [
    # tax code, name, short name, address, province code, sector code, website
    (
        "0109876557",
        "Công ty Cổ phần Thương mại Điện tử Sao Việt",
        "Sao Việt Shop",
        "Số 18 phố Duy Tân, phường Cầu Giấy, Hà Nội",
        "01",
        "thuong-mai-dien-tu",
        "https://saoviet.example.vn",
    ),
    (
        "0318765434",
        "Công ty TNHH Siêu thị Phương Nam Xanh",
        "Phương Nam Xanh",
        "215 đường Nguyễn Thị Minh Khai, phường Bàn Cờ, Thành phố Hồ Chí Minh",
        "79",
        "ban-le",
        "https://phuongnamxanh.example.vn",
    ),
    (
        "0318765434-001",
        "Chi nhánh Công ty TNHH Siêu thị Phương Nam Xanh tại Thủ Đức",
        "Phương Nam Xanh Thủ Đức",
        "12 đường Võ Văn Ngân, phường Thủ Đức, Thành phố Hồ Chí Minh",
        "79",
        "ban-le",
        "",
    ),
    (
        "0401234566",
        "Công ty Cổ phần Điện máy Sông Hàn",
        "Điện máy Sông Hàn",
        "88 đường Nguyễn Văn Linh, phường Hải Châu, Đà Nẵng",
        "48",
        "dien-may-gia-dung",
        "",
    ),
    (
        "0201234569",
        "Công ty TNHH Thực phẩm Hải Phòng Xanh",
        "HP Xanh Food",
        "36 đường Lạch Tray, phường Gia Viên, Hải Phòng",
        "31",
        "thuc-pham",
        "",
    ),
    (
        "1801234562",
        "Công ty Cổ phần Viễn thông Tây Đô",
        "Tây Đô Telecom",
        "99 đường 30 Tháng 4, phường Ninh Kiều, Cần Thơ",
        "92",
        "vien-thong",
        "",
    ),
    (
        "2901234568",
        "Công ty TNHH Xe máy Lam Hồng",
        "Xe máy Lam Hồng",
        "25 đường Lê Lợi, phường Thành Vinh, Nghệ An",
        "40",
        "o-to-xe-may",
        "",
    ),
    (
        "5701234566",
        "Công ty Cổ phần Du lịch Vịnh Ngọc",
        "Vịnh Ngọc Travel",
        "10 đường Hạ Long, phường Bãi Cháy, Quảng Ninh",
        "22",
        "du-lich",
        "",
    ),
    (
        "0101234565",
        "Công ty TNHH Bán hàng trực tiếp An Khang",
        "An Khang Direct",
        "45 phố Láng Hạ, phường Đống Đa, Hà Nội",
        "01",
        "ban-hang-truc-tiep",
        "",
    ),
    (
        "3101234560",
        "Công ty Cổ phần Nước sạch Nhật Lệ",
        "Nước sạch Nhật Lệ",
        "5 đường Quang Trung, phường Đồng Hới, Quảng Trị",
        "44",
        "nuoc-sach",
        "",
    ),
    (
        "0301234562",
        "Công ty TNHH Bảo hiểm Nhân thọ Bình Minh",
        "Bình Minh Life",
        "72 đường Lê Duẩn, phường Sài Gòn, Thành phố Hồ Chí Minh",
        "79",
        "tai-chinh-ngan-hang",
        "",
    ),
    (
        "3301234568",
        "Công ty Cổ phần Đồ chơi Cố Đô",
        "Đồ chơi Cố Đô",
        "20 đường Lê Lợi, phường Thuận Hóa, Huế",
        "46",
        "do-choi-tre-em",
        "",
    ),
]

ROLE_LABELS = {
    "admin": "quản trị (superuser)",
    "ministry": "cán bộ Ủy ban Cạnh tranh Quốc gia",
    "province": "cán bộ Sở Công Thương",
    "business": "thành viên doanh nghiệp",
    "pending": "thành viên chờ duyệt (chưa có quyền)",
    "consumer": "người tiêu dùng",
}


class Command(DemoCommand):
    help = "Create the demo data set (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--portal-only", action="store_true", help="Skip the parts' demos.")

    def handle(self, *args, **options):
        # The demo's notifications would flood the console: nobody is there to read them.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self.load(options)
        self.print_logins()

    def load(self, options):
        if not Province.objects.exists():
            call_command("load_reference_data", stdout=self.stdout)
        with transaction.atomic():
            self.create_businesses()
            self.create_users()
        if not options["portal_only"]:
            for name, _order in demo_commands():
                call_command(name, force=options["force"], stdout=self.stdout, stderr=self.stderr)

    def create_businesses(self):
        provinces = {p.code: p for p in Province.objects.current()}
        sectors = {s.code: s for s in Sector.objects.all()}
        for tax_code, name, short, address, province, sector, website in BUSINESSES:
            Business.objects.update_or_create(
                tax_code=tax_code,
                defaults={
                    "name": name,
                    "short_name": short,
                    "address": address,
                    "province": provinces[province],
                    "sector": sectors[sector],
                    "website": website,
                    "email": f"lienhe.{tax_code.replace('-', '')}@example.vn",
                },
            )

    def create_users(self):
        from allauth.account.models import EmailAddress
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import TOTP

        user_model = get_user_model()
        admin = None
        for email, full_name, role, organisation in USERS:
            last, _, first = full_name.rpartition(" ")
            user, created = user_model.objects.get_or_create(
                username=email, defaults={"email": email, "first_name": first, "last_name": last}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
            user.is_superuser = user.is_staff = role == "admin"
            user.save()
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if (
                email in DEMO_TOTP
                and not Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists()
            ):
                TOTP.activate(user, DEMO_TOTP[email])
            if role == "admin":
                admin = user
            if organisation is not None:
                self.attach(user, role, organisation, admin)
            services.sync_staff_status(user)

    def attach(self, user, role, organisation, admin):
        kind, key = organisation
        if kind == "agency":
            services.add_agency_member(user=user, agency=Agency.objects.get(code=key))
        elif kind == "province":
            agency = Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province__code=key)
            services.add_agency_member(user=user, agency=agency)
        else:
            pending = role == "pending"
            Membership.objects.update_or_create(
                user=user,
                business=Business.objects.get(tax_code=key),
                defaults={
                    "role": Membership.Role.EDITOR if pending else Membership.Role.OWNER,
                    "status": Membership.Status.PENDING if pending else Membership.Status.APPROVED,
                    "decided_by": None if pending else admin,
                    "note": "Nhân viên phòng chăm sóc khách hàng" if pending else "",
                },
            )

    def print_logins(self):
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for email, _name, role, organisation in USERS:
            where = f" [{organisation[1]}]" if organisation else ""
            mfa = f"  MFA code: make totp EMAIL={email}" if email in DEMO_TOTP else ""
            self.stdout.write(f"  {email:30} {ROLE_LABELS[role]}{where}{mfa}")
        self.stdout.write("")
