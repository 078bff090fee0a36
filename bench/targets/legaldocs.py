"""Legal library: the search page (number lookup, full text, phrase, filters, typo) and a
document page, over generated documents with realistic Vietnamese legal text.

The generated documents are fictional (their numbers carry the symbol "ĐT" for "đo tải"
so that they never collide with a real number) and are composed from typical clauses of
consumer-protection law.
"""

import datetime
import random

from django.core.management import call_command

from legaldocs.models import Document, IssuingBody, LegalField, ValidityEvent
from portal.text import slugify_vi

BATCH_SIZE = 2000

TYPES = [
    ("nghi-dinh", "NĐ-CP", "chinh-phu", "Nghị định"),
    ("quyet-dinh", "QĐ-TTg", "thu-tuong-chinh-phu", "Quyết định"),
    ("quyet-dinh", "QĐ-BCT", "bo-cong-thuong", "Quyết định"),
    ("nghi-quyet", "NQ-CP", "chinh-phu", "Nghị quyết"),
    ("luat", "QH", "quoc-hoi", "Luật"),
    ("thong-tu", "TT-BCT", "bo-cong-thuong", "Thông tư"),
    ("chi-thi", "CT-TTg", "thu-tuong-chinh-phu", "Chỉ thị"),
]
VERBS = [
    "Quy định chi tiết một số điều của",
    "Hướng dẫn thi hành",
    "Sửa đổi, bổ sung một số điều của",
    "Ban hành Quy chế phối hợp thực hiện",
    "Phê duyệt Kế hoạch triển khai",
    "Quy định xử phạt vi phạm hành chính trong",
]
SUBJECTS = [
    "Luật Bảo vệ quyền lợi người tiêu dùng",
    "hoạt động thương mại điện tử",
    "kinh doanh theo phương thức đa cấp",
    "hợp đồng theo mẫu và điều kiện giao dịch chung",
    "bảo vệ dữ liệu cá nhân của người tiêu dùng",
    "trách nhiệm thu hồi sản phẩm, hàng hóa có khuyết tật",
    "giải quyết tranh chấp giữa người tiêu dùng và tổ chức, cá nhân kinh doanh",
    "quản lý chất lượng sản phẩm, hàng hóa",
    "hoạt động của tổ chức xã hội tham gia bảo vệ quyền lợi người tiêu dùng",
    "bán hàng trực tiếp và giao dịch từ xa",
]
PLACES = ["trên địa bàn cả nước", "tại các tỉnh, thành phố trực thuộc Trung ương", ""]
CLAUSES = [
    "Tổ chức, cá nhân kinh doanh có trách nhiệm cung cấp thông tin chính xác, đầy đủ về "
    "hàng hóa, dịch vụ cho người tiêu dùng trước khi giao kết hợp đồng.",
    "Người tiêu dùng có quyền được bảo đảm an toàn tính mạng, sức khỏe, tài sản khi sử "
    "dụng sản phẩm, hàng hóa, dịch vụ.",
    "Cơ quan quản lý nhà nước về bảo vệ quyền lợi người tiêu dùng tiếp nhận, xử lý yêu "
    "cầu, khiếu nại của người tiêu dùng trong thời hạn 07 ngày làm việc.",
    "Việc thương lượng giữa người tiêu dùng và tổ chức, cá nhân kinh doanh được thực hiện "
    "trong thời hạn 07 ngày làm việc kể từ ngày nhận được yêu cầu.",
    "Hòa giải tranh chấp được thực hiện thông qua tổ chức hòa giải theo quy định của pháp "
    "luật; kết quả hòa giải thành được lập thành văn bản.",
    "Tổ chức, cá nhân kinh doanh không được thu thập, sử dụng, chuyển giao thông tin của "
    "người tiêu dùng khi chưa có sự đồng ý của người tiêu dùng.",
    "Sở Công Thương chủ trì, phối hợp với các sở, ngành liên quan tổ chức tuyên truyền, phổ "
    "biến pháp luật về bảo vệ quyền lợi người tiêu dùng.",
    "Hợp đồng theo mẫu phải được đăng ký với cơ quan có thẩm quyền trước khi áp dụng đối "
    "với hàng hóa, dịch vụ thuộc Danh mục do Thủ tướng Chính phủ ban hành.",
    "Mức phạt tiền tối đa đối với hành vi vi phạm của tổ chức gấp hai lần mức phạt đối với "
    "cá nhân có cùng hành vi vi phạm.",
    "Người tiêu dùng dễ bị tổn thương được ưu tiên tiếp nhận, giải quyết yêu cầu và được "
    "hỗ trợ trong quá trình giải quyết tranh chấp.",
]
HEADINGS = [
    "Phạm vi điều chỉnh",
    "Đối tượng áp dụng",
    "Giải thích từ ngữ",
    "Trách nhiệm của tổ chức, cá nhân kinh doanh",
    "Quyền của người tiêu dùng",
    "Trình tự, thủ tục giải quyết",
    "Tổ chức thực hiện",
    "Hiệu lực thi hành",
]
SIGNERS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Châu", "Phạm Quốc Dũng", "Hoàng Thu Hà"]


def _body(rng):
    articles = []
    for number in range(1, rng.randint(4, 9)):
        clauses = " ".join(rng.sample(CLAUSES, 2))
        articles.append(f"Điều {number}. {rng.choice(HEADINGS)}\n\n{clauses}")
    return "\n\n".join(articles)


def generate(count, stdout):
    """``count`` fictional documents; 1 in 10 has expired (with its event), 1 in 20 was
    amended."""
    if not IssuingBody.objects.filter(slug="chinh-phu").exists():
        call_command("seed_legaldocs", stdout=stdout)
    rng = random.Random(2026)
    bodies = {b.slug: b for b in IssuingBody.objects.all()}
    fields = list(LegalField.objects.all())
    start = Document.objects.filter(number__contains="-ĐT").count()
    done = 0
    while done < count:
        documents = []
        for i in range(start + done, start + min(done + BATCH_SIZE, count)):
            doc_type, symbol, body_slug, _label = rng.choice(TYPES)
            issued = datetime.date(2005, 1, 1) + datetime.timedelta(days=rng.randint(0, 7600))
            title = " ".join(
                p for p in (rng.choice(VERBS), rng.choice(SUBJECTS), rng.choice(PLACES)) if p
            )
            document = Document(
                doc_type=doc_type,
                number=f"{i + 1}/{issued.year}/{symbol}-ĐT",
                title=title,
                issuing_body=bodies[body_slug],
                signer=rng.choice(SIGNERS),
                issue_date=issued,
                effective_date=issued + datetime.timedelta(days=rng.choice([0, 15, 45, 60])),
                field=rng.choice(fields),
                summary=f"{title}. " + rng.choice(CLAUSES),
                body=_body(rng),
                note="Dữ liệu sinh cho đo tải (hư cấu).",
            )
            document.fill_derived_fields()
            # Numbers are unique, so the number's slug is a unique permalink.
            document.slug = slugify_vi(document.number, max_length=60)
            documents.append(document)
        created = Document.objects.bulk_create(documents)
        events = []
        for document in created:
            roll = rng.random()
            if roll < 0.1:
                events.append(_event_after(document, 900, ValidityEvent.Kind.EXPIRED))
            elif roll < 0.15:
                events.append(
                    _event_after(document, 400, ValidityEvent.Kind.AMENDED, part_affected="Điều 2")
                )
        ValidityEvent.objects.bulk_create(events)
        done += len(documents)
        stdout.write(f"  legaldocs: {done}/{count}\n")


def _event_after(document, days, kind, **fields):
    """A validity event ``days`` after the document took effect."""
    date = document.effective_date + datetime.timedelta(days=days)
    return ValidityEvent(document=document, date=date, kind=kind, **fields)


# Cache misses: each request of a word search asks for other real words of the documents.
SEARCH_WORDS = [
    "tieu dung",
    "hop dong",
    "thuong mai",
    "hang hoa",
    "dich vu",
    "hoa giai",
    "tranh chap",
    "bao ve",
    "quyen loi",
    "kinh doanh",
    "da cap",
    "du lieu ca nhan",
    "chat luong",
    "san pham",
    "khuyet tat",
    "thu hoi",
    "xu phat",
    "vi pham hanh chinh",
    "giao dich",
    "dien tu",
    "ban hang",
    "truc tiep",
    "thong tin",
    "trach nhiem",
    "to chuc",
    "ca nhan",
    "co quan",
    "quan ly nha nuoc",
    "hieu luc",
    "thi hanh",
    "pham vi",
    "dieu chinh",
    "doi tuong",
    "ap dung",
    "giai thich",
    "tu ngu",
    "trinh tu",
    "thu tuc",
    "phoi hop",
    "tuyen truyen",
    "pho bien",
    "phap luat",
    "cong thuong",
    "chinh phu",
    "quy che",
    "ke hoach",
    "trien khai",
    "thuong luong",
    "dang ky",
    "dieu kien",
    "giao ket",
    "an toan",
    "suc khoe",
    "tai san",
    "khieu nai",
    "ngay lam viec",
    "muc phat",
    "de bi ton thuong",
    "uu tien",
    "ho tro",
]
WORD_SEARCHES = {
    "library: words without diacritics",
    "library: words + filters",
    "library: as of date",
}


def urls():
    return [
        ("library: first page", "/van-ban/"),
        ("library: number 19/2023/QH15", "/van-ban/?q=19%2F2023%2FQH15"),
        ("library: number prefix 55/2024", "/van-ban/?q=55%2F2024"),
        ("library: words without diacritics", "/van-ban/?q=bao+ve+quyen+loi+nguoi+tieu+dung"),
        ("library: phrase", "/van-ban/?q=%22hop+dong+theo+mau%22"),
        (
            "library: words + filters",
            "/van-ban/?q=thuong+mai+dien+tu&type=nghi-dinh&status=in_force&year_from=2015",
        ),
        ("library: typo", "/van-ban/?q=bao+ve+quyenn+loi+nguoi+tieu+dungg"),
        ("library: as of date", "/van-ban/?q=hoa+giai&as_of=01%2F01%2F2020&sort=newest"),
        ("library: document page", "/van-ban/luat/2023/19-2023-qh15/"),
        ("library: document JSON", "/van-ban/luat/2023/19-2023-qh15/json/"),
        ("library: Atom feed", "/van-ban/feed/"),
    ]
