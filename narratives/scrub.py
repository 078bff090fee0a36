"""The automatic first pass over a complaint's text before a person reviews it for publishing
(issue #15 item 5): personal items are replaced with neutral placeholders.

What it finds, in this order of precedence when two finds overlap:

- what the complaint itself says about the complainant (name, phone, e-mail, address),
  wherever it appears, case- and diacritic-blind;
- e-mail addresses; phone numbers in the usual Vietnamese forms (0912345678, 0912 345 678,
  0912.345.678, +84 912 345 678, 84912345678, (024) 3826 1234, 0236 3822 123);
- numbers named by what they are (CCCD/CMND/passport, account or card, order, tracking,
  invoice or contract), licence plates, card numbers in groups of four;
- house numbers with their street, alleys and hamlets ("số 12 ngõ 34 phố Huế", "123/4
  Nguyễn Trãi, P. 5, Q. 3", "thôn Đông, xã Yên Sơn");
- people's names: a Vietnamese surname followed by capitalised given names ("Nguyễn Văn
  An", "Tran Thi Lan", "LÊ VĂN TÁM"), a name after an honorific or a role ("anh Tuấn",
  "chị Lan", "nhân viên tên Hùng");
- long bare numbers left over (12 digits: an identity number; 9: an old identity number;
  10 or more: an account), unless they are amounts.

Business names stay (they are public): the complaint's business and well-known brands are
protected, and a surname inside a company's name ("Công ty TNHH Hoàng Phát") is not a
person. Amounts and dates stay. The pass is deliberately eager: a word taken for a name
by mistake costs the reviewer one edit; a name left in costs the consumer their privacy.

Every position is computed on the original text (folding keeps one character per
character), so the review page can show what was replaced where.
"""

import re
import unicodedata
from dataclasses import dataclass

NAME, PHONE, EMAIL, ID_NUMBER, ACCOUNT, PLATE, ADDRESS, ORDER = (
    "name",
    "phone",
    "email",
    "id_number",
    "account",
    "plate",
    "address",
    "order",
)
PLACEHOLDERS = {
    NAME: "[tên]",
    PHONE: "[số điện thoại]",
    EMAIL: "[email]",
    ID_NUMBER: "[số giấy tờ]",
    ACCOUNT: "[số tài khoản]",
    PLATE: "[biển số]",
    ADDRESS: "[địa chỉ]",
    ORDER: "[mã đơn hàng]",
}


def _words(text):
    return frozenset(text.split())


# Common Vietnamese surnames, folded (the folded form also finds them written without
# diacritics). Hoàng/Huỳnh and Vũ/Võ are regional spellings of the same names.
SURNAMES = _words(
    """
    nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh dao doan
    trinh luong mai truong lam cao ha to chu ta vuong quach thai tang kieu luu lai trieu
    ton mac khuc phung hua giang tieu bach thach au ong nghiem quan tong diep lu kha
    khong ung dam van lac nong chau tra thieu
    """
)
# Family words and honorifics after which a capitalised word is a person's name.
HONORIFICS = _words(
    """
    anh chi ong ba co chu em ban bac chau cau di mo thim cu be
    """
)
# Roles after which a capitalised word is a person's name ("nhân viên Hùng", "tên là Hoa").
ROLE_WORDS = (
    "ten la",
    "ten goi la",
    "ten",
    "ho ten",
    "ho va ten",
    "nhan vien",
    "nv",
    "ky thuat vien",
    "ktv",
    "shipper",
    "tai xe",
    "quan ly",
    "bac si",
    "bs",
    "duoc si",
    "luat su",
    "chu shop",
    "chu cua hang",
    "giam doc",
    "truong phong",
    "nguoi nhan",
    "nguoi gui",
    "chu tai khoan",
    "ky ten",
    "ong/ba",
    "vo toi la",
    "chong toi la",
    "con toi la",
    "me toi la",
    "bo toi la",
)
# Capitalised words that follow an honorific or a role without being a name.
NOT_GIVEN_NAMES = _words(
    """
    ay giam chu pho tong cty shop cua ty bo so ke toi ta nay kia do dai doanh benh khach
    nguoi chi anh em ong ba co chau moi tat the theo khi truoc vi nen neu nhung va hoac
    la cung da se
    """
)
# Common given names, as typed in lower case after an honorific ("chị lan", "anh tuấn"):
# with their diacritics only, and none that also makes a common phrase there ("anh hùng"
# is a hero, "chú ý" is attention, "chị thanh toán" paid, "anh nhân viên" an employee).
LOWERCASE_GIVEN_NAMES = _words(
    """
    lan hoa hồng mai cúc đào huệ hương hằng hạnh hà hải hiền hiếu hiệp hòa hoà hoàng huy
    huyền hường khoa khánh khang khôi kim linh loan long lộc luân lực mạnh minh my mỹ
    nga ngân ngọc nguyệt nhàn nhung nhi oanh phong phúc phương phượng quân quang quốc
    quyên quỳnh sơn tâm tân thành thảo thắm thắng thịnh thơ thu thủy thúy thùy thư trang
    trâm trinh trung trúc tú tuấn tùng tuyết uyên vân vinh việt vũ vy xuân yến dũng dung
    duy dương điệp đông đức giang hân hậu hiển huân hưng khải khuê liên liêm loan luyến
    ly lý mến nghĩa nhật phụng quý thiện thuận tín trọng tường vượng
    """
)

# Words before a capitalised run that make it a business's name, not a person's.
ORGANISATION_WORDS = (
    "cong ty",
    "cty",
    "tnhh",
    "co phan",
    "cp",
    "mtv",
    "cua hang",
    "sieu thi",
    "dien may",
    "nha thuoc",
    "phong kham",
    "benh vien",
    "nha khoa",
    "tham my vien",
    "shop",
    "showroom",
    "dai ly",
    "tap doan",
    "he thong",
    "chuoi",
    "trung tam",
    "nha hang",
    "khach san",
    "garage",
    "gara",
    "hang xe",
    "thuong mai",
    "dich vu",
    "san xuat",
    "xuat nhap khau",
    "dau tu",
    "hop tac xa",
    "doanh nghiep",
    "thuong hieu",
    "nhan hieu",
    "hieu",
    "quan",
    "tiem",
    "sieu thi mini",
    "cua hang tien loi",
    "phong tap",
    "trung tam anh ngu",
    "truong",
    "thuong mai dien tu",
    "ngan hang",
)
# Words before a capitalised run that make it a place, not a person.
PLACE_WORDS = (
    "duong",
    "pho",
    "ngo",
    "ngach",
    "hem",
    "kiet",
    "quan",
    "huyen",
    "phuong",
    "xa",
    "tinh",
    "thanh pho",
    "tp",
    "tp.",
    "thi xa",
    "thi tran",
    "cho",
    "cau",
    "khu do thi",
    "khu",
    "toa nha",
    "chung cu",
    "ben xe",
    "san bay",
    "ga",
    "cong vien",
    "nga tu",
    "vong xoay",
    "dai lo",
)
# Places and public figures whose names start with a surname: kept unless in an address.
PUBLIC_NAMES = (
    "ho chi minh",
    "ha noi",
    "ha giang",
    "ha tinh",
    "ha nam",
    "ha dong",
    "ha long",
    "cao bang",
    "lam dong",
    "thai binh",
    "thai nguyen",
    "thai lan",
    "phan thiet",
    "phan rang",
    "ly son",
    "hoang mai",
    "hoang kiem",
    "dong nai",
    "dong thap",
    "dong da",
    "tran hung dao",
    "le loi",
    "nguyen trai",
    "ly thuong kiet",
    "nguyen hue",
    "le duan",
    "nguyen du",
    "phan chu trinh",
    "phan boi chau",
    "le thanh tong",
    "tran phu",
    "nguyen thi minh khai",
    "vo van tan",
    "vo thi sau",
    "nguyen van cu",
    "le van sy",
    "nguyen van linh",
    "pham van dong",
    "vo nguyen giap",
    "to lich",
    "mai linh",
    "dien bien phu",
    "ho guom",
    "ho tay",
    "van mieu",
    "giang vo",
    "kim ma",
    "lang ha",
    "tay ho",
    "cau giay",
    "quach thi trang",
)
# Brands and platforms named in complaints: public, never replaced.
BRANDS = (
    "shopee",
    "lazada",
    "tiki",
    "sendo",
    "tiktok shop",
    "grab",
    "gojek",
    "viettel",
    "vnpt",
    "mobifone",
    "vinaphone",
    "fpt",
    "fpt shop",
    "dien may xanh",
    "the gioi di dong",
    "nguyen kim",
    "dien may cho lon",
    "pico",
    "mediamart",
    "hoang ha mobile",
    "cellphones",
    "vietcombank",
    "techcombank",
    "bidv",
    "agribank",
    "vpbank",
    "vietinbank",
    "mb bank",
    "tpbank",
    "sacombank",
    "acb",
    "momo",
    "zalopay",
    "vnpay",
    "giao hang nhanh",
    "giao hang tiet kiem",
    "ghn",
    "ghtk",
    "viettel post",
    "vnpost",
    "j&t express",
    "ninja van",
    "bach hoa xanh",
    "winmart",
    "co.opmart",
    "big c",
    "go!",
    "aeon",
    "lotte mart",
    "mai linh",
    "phuong trang",
    "vinfast",
    "vietjet",
    "vietnam airlines",
    "bamboo airways",
    "long chau",
    "pharmacity",
    "an khang",
    "highlands",
    "evn",
    "kinh do",
    "vinamilk",
    "th true milk",
)

# --- Folding with positions -------------------------------------------------------------

_EXTRA = {"đ": "d", "Đ": "d"}


def _fold_char(ch):
    if ch in _EXTRA:
        return _EXTRA[ch]
    base = unicodedata.normalize("NFD", ch)[0]
    return base.lower() if len(base.lower()) == 1 else base


def fold_keep_length(text):
    """``text`` lower-cased without diacritics, one character for each character, so that
    a position in the folded text is the same position in the original."""
    return "".join(_fold_char(ch) for ch in text)


# --- Patterns -----------------------------------------------------------------------------

# Upper-case letters only (the Vietnamese ranges mix cases, so the class is spelled out).
_UPPER = "A-Z" + "".join(chr(c) for c in range(0xC0, 0x1EFF) if chr(c).isupper())
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Country code (+84, (+84), 84) or a leading 0, then a mobile (9 digits from 3, 5, 7, 8, 9)
# or a landline (10 digits from 2, area code in brackets or not), any separators.
PHONE_RE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+\s?84|\(\+?84\)|84)[ .\-]?(?:\(0\)\s?)?\(?|\(?0)"
    r"(?:[35789](?:\)?[ .\-]?\d){8}|2(?:\)?[ .\-]?\d){9})"
    r"(?![\d])"
)
# A number named by what it is. Group "num" is what is replaced.
_ID_WORDS = (
    r"cccd|cmnd|cmt|căn\s+cước(?:\s+công\s+dân)?|chứng\s+minh(?:\s+nhân\s+dân|\s+thư)?"
    r"|hộ\s+chiếu|passport|số\s+định\s+danh(?:\s+cá\s+nhân)?|giấy\s+phép\s+lái\s+xe|gplx"
)
_ACCOUNT_WORDS = (
    r"số\s+tài\s+khoản|tài\s+khoản(?:\s+ngân\s+hàng)?|stk|tk|số\s+thẻ|thẻ(?:\s+tín\s+dụng"
    r"|\s+ghi\s+nợ|\s+atm|\s+visa|\s+mastercard)?|account|chuyển\s+khoản(?:\s+vào|\s+tới"
    r"|\s+đến|\s+sang)?|ví(?:\s+điện\s+tử)?"
)
_ORDER_WORDS = (
    r"mã\s+(?:đơn(?:\s+hàng)?|vận\s+đơn|đặt\s+hàng|giao\s+hàng|vận\s+chuyển|tra\s+cứu|bưu"
    r"\s+(?:gửi|phẩm|kiện)|hóa\s+đơn|hoá\s+đơn|giao\s+dịch|gd|khách\s+hàng|kh|hợp\s+đồng"
    r"|hđ|đơn|bảo\s+hành|phiếu|vé|đặt\s+chỗ|booking|thuê\s+bao|hồ\s+sơ|yêu\s+cầu|ticket)"
    r"|đơn\s+hàng|vận\s+đơn|order(?:\s+id)?|tracking|số\s+(?:hóa|hoá)\s+đơn|số\s+hợp\s+đồng"
    r"|hợp\s+đồng\s+số|hóa\s+đơn\s+số|hoá\s+đơn\s+số|số\s+phiếu|phiếu\s+(?:bảo\s+hành"
    r"|tiếp\s+nhận|sửa\s+chữa)|số\s+seri|số\s+serial|serial|imei|số\s+khung|số\s+máy"
    r"|mvđ|mã\s+số\s+khách\s+hàng|số\s+thuê\s+bao|mã\s+pnr|pnr|booking"
    r"|mã(?:\s+[\wÀ-ỹ]+){1,3}?|sổ\s+tiết\s+kiệm|(?:hóa|hoá)\s+đơn(?:\s+điện\s+tử|\s+gtgt|\s+vat)?"
    r"|giấy\s+chứng\s+nhận(?:\s+bảo\s+hiểm)?|biên\s+nhận|phiếu(?:\s+[\wÀ-ỹ]+){0,2}?"
)
_LINK = r"(?:\s+(?:là|số|của\s+tôi|của\s+mình|cũ|mới|này))*\s*[:#.]?\s*(?:là\s+)?"
_BANK = r"(?:\s+(?:ngân\s+hàng\s+)?[A-ZĐ][\w&.]*(?:\s+[A-ZĐ][\w&.]*){0,2})?"
ID_RE = re.compile(
    rf"(?:{_ID_WORDS}){_LINK}(?:số\s+)?(?P<num>[A-Z]{{0,2}}\d(?:[ .]?\d){{5,14}})(?!\d)",
    re.IGNORECASE,
)
ACCOUNT_RE = re.compile(
    rf"(?:{_ACCOUNT_WORDS}){_BANK}{_LINK}(?:số\s+)?"
    r"(?P<num>\d(?:[ .\-]?[\dxX*]){5,22})(?![\dxX*])",
    re.IGNORECASE,
)
ORDER_RE = re.compile(
    rf"(?:{_ORDER_WORDS}){_LINK}(?:số\s+)?"
    r"(?P<num>#?(?=[A-ZĐ0-9\-_/.]*\d)[A-ZĐ0-9][A-ZĐ0-9\-_/.]{3,40}(?<![.\-/]))",
    re.IGNORECASE,
)
# A code of capitals and digits (at least 8, with digits and a letter): an order or tracking
# number written without its name ("SPXVN0123456789", "GHN8K2LQ9").
CODE_RE = re.compile(
    r"(?<![\w\-])(?=[A-Z0-9]*\d[A-Z0-9]*\d[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])"
    r"[A-Z0-9]{8,30}(?![\w\-])"
)
# A code of capitals and digits joined by hyphens or slashes, with at least four digits
# ("HĐ-2026/0145", "BK-778812", "0012345/BH"): a contract, booking or case number.
JOINED_CODE_RE = re.compile(
    rf"(?<![\w\-/])(?=[{_UPPER}0-9\-/]*[{_UPPER}])(?=(?:[^\d\s]*\d){{4}})"
    rf"[{_UPPER}0-9]+(?:[\-/][{_UPPER}0-9]+)+(?![\w\-/]|\.\d)"
)
# Card numbers in groups of four (also masked: 4111 xxxx xxxx 1234).
CARD_RE = re.compile(r"(?<![\d])\d{4}(?:[ \-][\dxX*]{4}){2,3}(?:[ \-]\d{1,4})?(?![\d])")
# Plates: 29A-123.45, 51F1-234.56, 30E 12345, 29-B1 234.56, 29A 1234, 51G-12345.
PLATE_RE = re.compile(
    r"(?<![\w.])\d{2}\s?-?\s?[A-Z]{1,2}\d?\s?-?\s?(?:\d{3}\.\d{2}|\d{4,5})(?![\w])"
    r"|(?<![\w.])\d{2}-[A-Z]{1,2}\d?\s\d{3}\.\d{2}(?![\w])"
)
# Bare numbers left over (checked against amounts and dates before they are replaced).
BARE_NUMBER_RE = re.compile(r"(?<![\w.,/])\d(?:[ .]?\d){8,18}(?![\w])|(?<![\w.,/])\d{9,19}(?!\w)")
AMOUNT_AFTER_RE = re.compile(
    r"\s*(?:đồng|đ\b|vnđ|vnd|₫|nghìn|ngàn|triệu|tỷ|tỉ|usd|\$|k\b|kg|g\b|ml|lít|%)",
    re.IGNORECASE,
)
# Numbers kept: a barcode and a tax code are the product's and the business's.
KEPT_NUMBER_BEFORE_RE = re.compile(
    r"(?:mã\s+vạch(?:\s+[\wÀ-ỹ]+){0,2}|barcode|gtin|ean|mã\s+số\s+thuế|mst|mã\s+số\s+doanh\s+nghiệp|hotline"
    r"|tổng\s+đài|đường\s+dây\s+nóng)\s*(?:là|số)?\s*:?\s*$",
    re.IGNORECASE,
)

_CAP = rf"[{_UPPER}][\wÀ-ỹ]*"
# Address: a house or flat number with its street, or an alley chain, or a hamlet.
_STREET_WORDS = (
    r"(?:ngõ|ngach|ngách|hẻm|hẽm|kiệt|đường|duong|phố|pho|tổ|to|khu\s+phố|kp|ấp|thôn|xóm"
    r"|ngõ\s+ngách)"
)
_HOUSE = r"\d{1,4}[A-Za-z]?(?:[/\-]\d{1,4}[A-Za-z]?)*"
_ADMIN = (
    r"(?i:p\.|phường|phuong|q\.|quận|quan|x\.|xã|xa|tt\.|thị\s+trấn|thi\s+tran|h\.|huyện"
    r"|huyen|tx\.|thị\s+xã|thi\s+xa|tp\.?|thành\s+phố|thanh\s+pho|tỉnh|tinh|khu\s+phố"
    r"|kp\.?|tổ\s+dân\s+phố|tdp|tổ|ấp|thôn|xóm|khu|khóm|bản|buôn|làng)"
)
_ADMIN_TAIL = rf"(?:\s*,\s*{_ADMIN}\s*(?:\d{{1,3}}|{_CAP}(?:\s+{_CAP}){{0,3}}))*"
ADDRESS_RES = (
    # "số 12 ngõ 34 phố Huế", "nhà 5 ngách 12/3 ngõ 45 Trần Duy Hưng", "số 8 đường Lê Lợi"
    re.compile(
        rf"(?:(?:nhà\s+|căn\s+hộ\s+|phòng\s+)?số\s+|nhà\s+|căn\s+hộ\s+|phòng\s+)?{_HOUSE}"
        rf"(?:\s*,?\s*{_STREET_WORDS}\s+(?:\d{{1,4}}[A-Za-z]?(?:/\d{{1,4}})*|{_CAP}))+"
        rf"(?:\s+{_CAP}){{0,4}}{_ADMIN_TAIL}",
    ),
    # "123/4 Nguyễn Trãi, P. 5, Q. 3", "45B Lê Lợi"
    re.compile(
        rf"(?<![\w.,])\d{{1,4}}[A-Za-z]?(?:/\d{{1,4}}[A-Za-z]?)+(?:\s+{_CAP}){{1,5}}{_ADMIN_TAIL}"
    ),
    # "số 45 Lê Lợi", "tại 12 Hàng Bài, phường Hoàn Kiếm"
    re.compile(
        rf"(?:(?<=\b[sS]ố\s)|(?<=\b[nN]hà\s)|(?<=\b[tT]ại\s)|(?<=\b[ởỞ]\s)|(?<=\b[đĐ]ến\s)"
        rf"|(?<=\b[vV]ề\s)|(?<=\bchỉ\s)|(?<=\bchỉ:\s)|(?<=\b[đĐ]/[cC]\s)|(?<=\b[đĐ]/[cC]:\s))"
        rf"{_HOUSE}[A-Za-z]?(?:\s+{_CAP}){{1,5}}{_ADMIN_TAIL}",
    ),
    # A house number and street followed by its ward/district: "12 Hàng Bài, phường ..."
    re.compile(rf"(?<![\w.,]){_HOUSE}(?:\s+{_CAP}){{1,5}}(?=\s*,\s*{_ADMIN}\s)(?:{_ADMIN_TAIL})"),
    # Flats: "phòng 1205 tòa A2", "căn hộ B-12.05 chung cư ..."
    re.compile(
        r"(?:căn\s+hộ|phòng|p\.)\s*[A-Z]{0,2}-?\d[\w.\-]*\s*,?\s*(?:tòa|toà|tòa\s+nhà|block|tầng)"
        rf"\s*[\w\-]+(?:\s*,?\s*(?:chung\s+cư|khu\s+đô\s+thị|kđt)(?:\s+{_CAP}){{1,4}})?",
        re.IGNORECASE,
    ),
    # An alley by its number: "kiệt 12 Ông Ích Khiêm", "hẻm 45/6 Lê Lai"
    re.compile(
        r"(?<![\w])(?i:ngõ|ngo|ngách|ngach|hẻm|hem|hẽm|kiệt|kiet)\s+\d{1,4}[A-Za-z]?(?:/\d{1,4})*(?![.,]?\d)"
        rf"(?:\s+{_CAP}){{0,5}}{_ADMIN_TAIL}",
    ),
    # Hamlets and residential groups: "thôn Đông, xã Yên Sơn", "ấp 3, xã Tân Phú", "tổ 5"
    re.compile(
        r"(?<![\w])(?:thôn|thon|ấp|xóm|xom|bản|buôn|tổ\s+dân\s+phố|tdp|khu\s+phố|khóm|tổ)"
        rf"\s+(?:\d{{1,3}}[A-Za-z]?|{_CAP}(?:\s+{_CAP}){{0,2}}){_ADMIN_TAIL}",
    ),
)
_MONEY_AFTER_NUMBER = re.compile(
    r"^\s*(?:đồng|nghìn|ngàn|triệu|tỷ|tỉ|vnđ|vnd|đ\b|k\b|usd|kg|lần|ngày|tháng|năm|giờ|phút"
    r"|cái|chiếc|hộp|gói|chai|lọ|thùng|sản\s+phẩm|%)",
    re.IGNORECASE,
)

_WORD_RE = re.compile(r"[\wÀ-ỹ]+(?:['’][\wÀ-ỹ]+)?", re.UNICODE)


@dataclass(frozen=True)
class Find:
    start: int
    end: int
    kind: str

    @property
    def placeholder(self):
        return PLACEHOLDERS[self.kind]


@dataclass(frozen=True)
class Result:
    original: str
    text: str
    finds: tuple

    def segments(self):
        """The original text as (piece, kind-or-None) in order: for a review page that
        shows what was replaced."""
        pieces, position = [], 0
        for find in self.finds:
            if find.start > position:
                pieces.append((self.original[position : find.start], None))
            pieces.append((self.original[find.start : find.end], find.kind))
            position = find.end
        if position < len(self.original):
            pieces.append((self.original[position:], None))
        return pieces


# --- Finding ------------------------------------------------------------------------------


def _is_capitalised(word):
    return word[:1].isupper()


def _ends_with_phrase(folded_before, phrases):
    """Whether the folded text before a match ends with one of ``phrases`` (whole words)."""
    tail = re.sub(r"[^0-9a-z/.]+", " ", folded_before).strip()
    return any(tail == p or tail.endswith(" " + p) for p in phrases)


def _strip_capitalised_run(text_before):
    """The text before a run of capitalised words (a company's name is several of them)."""
    words = list(_WORD_RE.finditer(text_before))
    cut = len(text_before)
    for match in reversed(words):
        between = text_before[match.end() : cut]
        if between.strip(" &-.") or not _is_capitalised(match.group()):
            break
        cut = match.start()
    return text_before[:cut]


def _name_runs(text, folded):
    """People's names: a surname and capitalised given names; a capitalised word after an
    honorific or a role."""
    finds = []
    words = list(_WORD_RE.finditer(text))
    index = 0
    while index < len(words):
        word = words[index]
        lower = folded[word.start() : word.end()]
        run_end = None
        if lower in SURNAMES and _is_capitalised(word.group()):
            run = _capitalised_following(text, words, index, limit=4)
            if run:
                run_end = run
                start = word.start()
        elif lower in HONORIFICS or _role_before(folded, word):
            run = _capitalised_following(text, words, index, limit=3, given=True)
            if run is None:
                run = _lowercase_given_name(text, words, index)
            if run:
                # Only the name is replaced; the honorific stays ("anh [tên]").
                start = words[index + 1].start()
                run_end = run
        if run_end is not None:
            before = text[:start]
            folded_span = folded[start:run_end]
            if not _public_or_business(before, folded_before=folded[:start], span=folded_span):
                finds.append(Find(start, run_end, NAME))
            # Continue after the run (a place's name is not read again from its middle:
            # "Hồ Chí Minh" holds "chí", an honorific).
            while index < len(words) and words[index].start() < run_end:
                index += 1
            continue
        index += 1
    return finds


def _role_before(folded, word):
    """Whether ``word`` ends a role phrase ("nhân viên", "tên là"): then the next
    capitalised word is a name."""
    before = folded[: word.end()]
    return _ends_with_phrase(before, ROLE_WORDS)


def _lowercase_given_name(text, words, index):
    """The end of a common given name typed in lower case right after an honorific or a
    role ("chị lan", "tên là tuấn"), or None."""
    if index + 1 >= len(words):
        return None
    word = words[index + 1]
    if text[words[index].end() : word.start()] != " ":
        return None
    return word.end() if word.group() in LOWERCASE_GIVEN_NAMES else None


def _capitalised_following(text, words, index, *, limit, given=False):
    """The end of the capitalised words after ``words[index]`` (separated by spaces only),
    or None when there is none."""
    end, taken = None, 0
    position = index + 1
    while position < len(words) and taken < limit:
        word = words[position]
        between = text[words[position - 1].end() : word.start()]
        if between not in (" ", "  ") and not (taken == 0 and between in (": ", " : ")):
            break
        value = word.group()
        if not _is_capitalised(value) or any(ch.isdigit() for ch in value):
            break
        if given and taken == 0 and fold_keep_length(value) in NOT_GIVEN_NAMES:
            break
        if value.isupper() and len(value) > 1 and not text[words[index].start()].isupper():
            # An acronym (TNHH, SIM) after an honorific is not a name.
            break
        end, taken = word.end(), taken + 1
        position += 1
    return end


def _public_or_business(before, *, folded_before, span):
    """A capitalised run that is a place, a public figure's name or a business's name."""
    if _ends_with_phrase(folded_before, ROLE_WORDS):
        return False
    if any(span == p or span.startswith(p + " ") for p in PUBLIC_NAMES):
        return True
    if _ends_with_phrase(folded_before, PLACE_WORDS):
        return True
    stripped = _strip_capitalised_run(before)
    folded_stripped = fold_keep_length(stripped)
    if _ends_with_phrase(folded_stripped, ORGANISATION_WORDS):
        return True
    run = fold_keep_length(before[len(stripped) :])
    return any(re.search(rf"(^|\s){re.escape(w)}(\s|$)", run) for w in ("tnhh", "cp", "mtv"))


def _number_is_kept(text, start, end):
    if AMOUNT_AFTER_RE.match(text, end):
        return True
    return bool(KEPT_NUMBER_BEFORE_RE.search(text[max(0, start - 40) : start]))


def _bare_numbers(text):
    finds = []
    for match in BARE_NUMBER_RE.finditer(text):
        if _number_is_kept(text, match.start(), match.end()):
            continue
        digits = re.sub(r"\D", "", match.group())
        if len(digits) == 12 or len(digits) == 9:
            kind = ID_NUMBER
        elif len(digits) >= 10:
            kind = ACCOUNT
        else:
            continue
        finds.append(Find(match.start(), match.end(), kind))
    return finds


def _phone_digits(value):
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits


def known_finds(text, known, *, whole_only=False):
    """Where the complainant's own details appear in ``text`` (see :func:`scrub`);
    ``whole_only``: their whole values only, not a given name alone."""
    text = unicodedata.normalize("NFC", text or "")
    return _known_finds(text, fold_keep_length(text), known, whole_only=whole_only)


def _known_finds(text, folded, known, *, whole_only=False):
    """Where the complainant's own name, phone, e-mail and address appear."""
    finds = []
    for kind, value in known:
        value = (value or "").strip()
        if not value:
            continue
        if kind == PHONE:
            wanted = _phone_digits(value)
            if len(wanted) < 8:
                continue
            for match in re.finditer(r"\+?\(?\d[\d ().\-]{6,20}\d", text):
                if wanted and wanted in _phone_digits(match.group()):
                    finds.append(Find(match.start(), match.end(), PHONE))
            continue
        needles = [value]
        if whole_only:
            pass
        elif kind == NAME:
            parts = value.split()
            # The given name alone ("chị Hoa") and the last two words ("Thị Hoa").
            needles += [" ".join(parts[-2:])] if len(parts) > 2 else []
            needles += [parts[-1]] if len(parts) > 1 else []
        if kind == ADDRESS:
            # The house and street alone, without the ward and province that follow.
            needles += [value.split(",")[0]] if "," in value else []
        for needle in needles:
            folded_needle = re.sub(r"\s+", " ", fold_keep_length(needle)).strip()
            if len(folded_needle) < 2:
                continue
            pattern = r"\s+".join(re.escape(part) for part in folded_needle.split(" "))
            for match in re.finditer(rf"(?<![0-9a-z]){pattern}(?![0-9a-z])", folded):
                if kind == NAME and not _is_capitalised(text[match.start()]):
                    # "hoa" the flower is not "Hoa" the person.
                    continue
                finds.append(Find(match.start(), match.end(), kind))
    return finds


def _regex_finds(text):
    finds = []
    for match in EMAIL_RE.finditer(text):
        finds.append(Find(match.start(), match.end(), EMAIL))
    for match in PHONE_RE.finditer(text):
        if KEPT_NUMBER_BEFORE_RE.search(text[max(0, match.start() - 40) : match.start()]):
            continue
        finds.append(Find(match.start(), match.end(), PHONE))
    for regex, kind in ((ID_RE, ID_NUMBER), (ACCOUNT_RE, ACCOUNT), (ORDER_RE, ORDER)):
        for match in regex.finditer(text):
            if _number_is_kept(text, match.start("num"), match.end("num")):
                continue
            finds.append(Find(match.start("num"), match.end("num"), kind))
    for match in CARD_RE.finditer(text):
        if not _number_is_kept(text, match.start(), match.end()):
            finds.append(Find(match.start(), match.end(), ACCOUNT))
    for match in PLATE_RE.finditer(text):
        finds.append(Find(match.start(), match.end(), PLATE))
    for match in JOINED_CODE_RE.finditer(text):
        finds.append(Find(match.start(), match.end(), ORDER))
    for match in CODE_RE.finditer(text):
        if not _number_is_kept(text, match.start(), match.end()):
            finds.append(Find(match.start(), match.end(), ORDER))
    for regex in ADDRESS_RES:
        for match in regex.finditer(text):
            if _MONEY_AFTER_NUMBER.match(
                text, match.start() + len(re.match(r"\S*", match.group()).group())
            ):
                continue
            finds.append(Find(match.start(), match.end(), ADDRESS))
    return finds


def _kept_spans(folded, keep):
    spans = []
    for value in (*BRANDS, *keep):
        needle = re.sub(r"\s+", " ", fold_keep_length(value or "")).strip()
        if len(needle) < 2:
            continue
        pattern = r"\s+".join(re.escape(part) for part in needle.split(" "))
        for match in re.finditer(rf"(?<![0-9a-z]){pattern}(?![0-9a-z])", folded):
            spans.append((match.start(), match.end()))
    return spans


# Precedence when finds overlap: the complainant's own data, then the most specific kinds.
_RANK = {EMAIL: 0, PHONE: 1, ID_NUMBER: 2, ACCOUNT: 3, PLATE: 4, ORDER: 5, ADDRESS: 6, NAME: 7}


def _resolve(finds, kept, known_count):
    """Non-overlapping finds: known data first, then by rank and length; a find inside a
    kept business name is dropped (unless it is the complainant's own data)."""
    ordered = sorted(
        enumerate(finds),
        key=lambda item: (
            item[0] >= known_count,
            _RANK[item[1].kind],
            -(item[1].end - item[1].start),
        ),
    )
    chosen = []
    for position, find in ordered:
        inside_kept = any(s < find.end and find.start < e for s, e in kept)
        if position >= known_count and find.kind in (NAME, ADDRESS) and inside_kept:
            continue
        if any(c.start < find.end and find.start < c.end for c in chosen):
            # Overlaps one already chosen: widen that one when this one is longer and of
            # the same kind (an address inside a longer address), else drop it.
            continue
        chosen.append(find)
    return tuple(sorted(chosen, key=lambda f: f.start))


def scrub(text, *, known=(), keep=()):
    """The first pass over ``text``: a :class:`Result` with the scrubbed text and what was
    replaced where. ``known``: (kind, value) pairs of the complainant's own data (NAME,
    PHONE, EMAIL, ADDRESS); ``keep``: names never replaced (the business's)."""
    text = unicodedata.normalize("NFC", text or "")
    folded = fold_keep_length(text)
    known_finds = _known_finds(text, folded, known)
    finds = [*known_finds, *_regex_finds(text), *_name_runs(text, folded), *_bare_numbers(text)]
    kept = _kept_spans(folded, keep)
    chosen = _resolve(finds, kept, len(known_finds))
    pieces, position = [], 0
    for find in chosen:
        pieces.append(text[position : find.start])
        pieces.append(find.placeholder)
        position = find.end
    pieces.append(text[position:])
    return Result(original=text, text="".join(pieces), finds=chosen)


def complaint_known(complaint):
    """The complainant's own data as ``known`` for :func:`scrub` (decrypted fields)."""
    return (
        (NAME, complaint.complainant_name),
        (NAME, complaint.represented_name),
        (PHONE, complaint.complainant_phone),
        (EMAIL, complaint.complainant_email),
        (ADDRESS, complaint.complainant_address),
    )


def complaint_keep(complaint):
    """The names that stay: the business complained about."""
    names = [complaint.business_name]
    if complaint.business_id:
        names.append(complaint.business.name)
    return tuple(name for name in names if name)
