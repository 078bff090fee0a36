"""Staff data needs a second factor (#17 item 1): an officer signed in with the password
only is the public everywhere, on every URL of the project; and personal or staff pages are
never kept by a cache (#17 item 8, Cache-Control: private, no-store)."""

import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from consumer_warnings.models import ConsumerWarning, WarningPhoto
from portal.models import Agency, Membership
from tests.complaints.factories import PNG_BYTES, make_complaint, png
from tests.conftest import enable_mfa, login, make_member, make_officer
from tests.consumer_warnings.factories import WarningFactory
from tests.factories import UserFactory
from tests.selfassess.factories import make_set

pytestmark = pytest.mark.django_db

# Text that only staff may read: planted in every staff-only object below and looked for in
# every answer to an officer without TOTP.
SECRETS = {
    "draft warning": "Cảnh báo nháp BÍ-MẬT-CB",
    "complainant": "Người khiếu nại BÍ-MẬT-KN",
    "criteria set": "Bộ tiêu chí nháp BÍ-MẬT-TC",
    "membership request": "bi-mat-tv",
}
PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def _routes(resolver=None, prefix=""):
    """Every (route, name) of the project, with its path converters, in the site's default
    language (no language prefix). Regex routes (the admin's, allauth's) are kept as the
    regex: they are walked with their prefix only."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        piece = getattr(pattern.pattern, "_route", None) or str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + _regex_prefix(piece))
        elif isinstance(pattern, URLPattern):
            yield prefix + piece, pattern.name


def _regex_prefix(piece):
    """A regex piece as the literal text before its first group ("" for the language
    prefix), so that nested path() routes below it can still be filled."""
    if not piece.startswith("^") and "(?P" not in piece:
        return piece
    literal = piece.lstrip("^").rstrip("$")
    return re.split(r"[(\[\\.*+?]", literal, maxsplit=1)[0]


@pytest.fixture
def staff_world(hanoi, hcm, business, other_business, ministry_officer):
    """Staff-only objects of Hà Nội (the officer's own province) and of Hồ Chí Minh."""
    world = {"pk": set(), "code": [], "token": [], "set_pk": [], "tax_code": []}
    for province in (hanoi, hcm):
        warning = WarningFactory(
            status=ConsumerWarning.Status.DRAFT,
            title=f"{SECRETS['draft warning']} {province.code}",
            owner_province=province,
        )
        photo = WarningPhoto.objects.create(warning=warning)
        photo.image.save("anh.png", ContentFile(PNG_BYTES))
        complaint = make_complaint(
            files=[png()], province=province, complainant_name=SECRETS["complainant"]
        )
        agency = Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province=province)
        candidate = UserFactory(email=f"{SECRETS['membership request']}.{province.code}@x.vn")
        request = Membership.objects.create(
            user=candidate, agency=agency, status=Membership.Status.PENDING
        )
        joining = make_member(
            business if province == hanoi else other_business,
            f"{SECRETS['membership request']}.dn{province.code}@x.vn",
            status=Membership.Status.PENDING,
        )
        world["pk"] |= {warning.pk, photo.pk, request.pk, joining.memberships.get().pk}
        world["pk"] |= set(complaint.attachments.values_list("pk", flat=True))
        world["code"].append(complaint.code)
        world["token"].append(complaint.token)
    draft_set = make_set(code="bo-nhap", status="draft", title=SECRETS["criteria set"])
    world["set_pk"].append(draft_set.pk)
    world["pk"].add(draft_set.pk)
    world["tax_code"] = [business.tax_code, other_business.tax_code]
    make_member(business, "chu.doanh.nghiep@example.vn")
    return world


def _urls(world):
    values = {
        "pk": sorted(world["pk"]),
        "set_pk": world["set_pk"],
        "code": world["code"],
        "token": world["token"][:1],
        "tax_code": world["tax_code"],
        "year": [2026],
        "fmt": ["json", "yaml"],
        "action": ["huy"],
    }
    for route, _name in _routes():
        if route.startswith("^") or "(?P" in route:
            continue  # a regex route: the admin and allauth, walked by prefix below
        params = [m.group("name") for m in PARAM.finditer(route)]
        if not params:
            yield "/" + route
            continue
        first = params[0]
        for value in values.get(first, ["x"]):
            url = route
            for match in PARAM.finditer(route):
                name = match.group("name")
                chosen = value if name == first else values.get(name, ["x"])[0]
                url = url.replace(match.group(0), str(chosen), 1)
            yield "/" + url


def _officers(hanoi):
    province = make_officer(
        Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province=hanoi),
        "chua.totp.tinh@example.vn",
        mfa=False,
    )
    ministry = make_officer(Agency.objects.get(code="ubctqg"), "chua.totp.bo@example.vn", mfa=False)
    association = make_officer(
        Agency.objects.get(code="vinastas"), "chua.totp.hoi@example.vn", mfa=False
    )
    return {"province": province, "ministry": ministry, "association": association}


def test_no_url_shows_staff_data_to_an_officer_without_totp(client, staff_world, hanoi):
    totp_setup = reverse("mfa_activate_totp")
    citizen = login(Client(), UserFactory(email="cong.dan@example.vn"))
    walked = 0
    for role, officer in _officers(hanoi).items():
        login(client, officer)
        for url in _urls(staff_world):
            if url.rstrip("/").endswith("dang-xuat"):
                continue  # signing out would end the walk
            response = client.get(url)
            walked += 1
            if response.status_code in (301, 302):
                location = response["Location"]
                assert not location.startswith("/quan-tri") or location == totp_setup, url
                continue
            body = b"".join(response) if response.streaming else response.content
            text = body.decode("utf-8", errors="replace")
            for what, secret in SECRETS.items():
                assert secret not in text, f"{role} without TOTP sees the {what} at {url}"
            if response.status_code == 200:
                # The public answer: a signed-in person without any role gets it too.
                assert citizen.get(url).status_code == 200, (
                    f"{role} without TOTP gets more than a citizen at {url}"
                )
    assert walked > 100


def test_the_back_office_sends_an_officer_without_totp_to_setup(client, hanoi):
    officer = _officers(hanoi)["province"]
    login(client, officer)
    for url in ("/quan-tri/", "/quan-tri/portal/membership/", "/en/quan-tri/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].endswith(reverse("mfa_activate_totp"))


@pytest.mark.parametrize(
    "name,role",
    [
        ("consumer_warnings:preview", "province"),
        ("consumer_warnings:photo", "province"),
        ("selfassess:set_export", "ministry"),
        ("complaints:staff_detail", "province"),
        ("portal:membership_decide", "province"),
    ],
)
def test_staff_pages_answer_as_to_the_public_until_totp_is_set_up(
    client, staff_world, hanoi, name, role
):
    officer = _officers(hanoi)[role]
    warning = ConsumerWarning.objects.get(owner_province=hanoi)
    kwargs = {
        "consumer_warnings:preview": {"pk": warning.pk},
        "consumer_warnings:photo": {"pk": warning.photos.get().pk},
        "selfassess:set_export": {"set_pk": staff_world["set_pk"][0], "fmt": "json"},
        "complaints:staff_detail": {"code": staff_world["code"][0]},
        "portal:membership_decide": {
            "pk": Membership.objects.get(business__province=hanoi, status="pending").pk
        },
    }[name]
    url = reverse(name, kwargs=kwargs)
    login(client, officer)
    before = client.get(url)
    assert before.status_code in (302, 404)
    if before.status_code == 302:
        assert before["Location"].endswith(reverse("mfa_activate_totp"))
    enable_mfa(officer)
    after = client.get(url)
    assert after.status_code == 200
    assert after["Cache-Control"] == "private, no-store"


def test_a_published_warning_stays_public_for_an_officer_without_totp(client, hanoi):
    warning = WarningFactory(owner_province=hanoi)
    login(client, _officers(hanoi)["province"])
    response = client.get(reverse("consumer_warnings:detail_short", args=[warning.pk]))
    assert response.status_code in (200, 301, 302)
    assert "/mfa/" not in response.get("Location", "")


def test_every_answer_to_a_signed_in_person_is_private_and_not_stored(client, consumer):
    login(client, consumer)
    for url in (reverse("home"), reverse("portal:dashboard"), "/khong-co-trang-nay/"):
        response = client.get(url)
        assert response["Cache-Control"] == "private, no-store", url


def test_a_published_photo_is_not_stored_for_a_signed_in_person(client, hanoi, consumer):
    warning = WarningFactory(owner_province=hanoi)
    photo = WarningPhoto.objects.create(warning=warning)
    photo.image.save("anh.png", ContentFile(PNG_BYTES))
    url = reverse("consumer_warnings:photo", args=[photo.pk])
    assert client.get(url)["Cache-Control"] == "public, max-age=3600"
    login(client, consumer)
    assert client.get(url)["Cache-Control"] == "private, no-store"


def test_a_public_page_keeps_its_caching_for_a_visitor_without_session(client, reference_data):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_an_anonymous_complainant_gets_their_complaint_not_stored(client, hanoi):
    complaint = make_complaint(province=hanoi)
    response = client.get(reverse("complaints:track_token", args=[complaint.token]), follow=True)
    assert response.status_code == 200
    assert "Nguyễn Thị Hoa" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


def test_a_private_file_download_is_not_stored(client, hanoi, province_officer):
    complaint = make_complaint(files=[png()], province=hanoi)
    attachment = complaint.attachments.get()
    login(client, province_officer)
    url = reverse("complaints:staff_attachment", args=[complaint.code, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
