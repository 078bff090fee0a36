"""The foundation's one way for each shared problem: e-mail in the recipient's language,
recipients, search, date windows, what the parts contribute, stored PDFs, demo commands."""

import datetime

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from portal import contributions, notifications, periods, recipients, search
from portal.models import Business, Membership, Profile
from tests.conftest import login, make_member, make_officer


def test_email_to_someone_who_used_the_english_site_is_in_english(
    client, business, province_officer, run_on_commit
):
    user = make_member(business, "applicant@example.vn", status=Membership.Status.PENDING)
    login(client, user)
    # The person picks English with the language selector; the portal remembers it.
    client.post(reverse("set_language"), {"language": "en", "next": "/en/"})
    assert Profile.objects.get(user=user).language == "en"
    membership = Membership.objects.get(user=user)
    mail.outbox.clear()
    from portal import services

    with run_on_commit():
        services.decide_membership(membership=membership, decider=province_officer, approve=True)
    [message] = [m for m in mail.outbox if m.to == ["applicant@example.vn"]]
    assert "You are now a member" in message.subject
    assert "duyệt" not in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert '<html lang="en">' in html


def test_officers_get_the_same_news_each_in_their_language(business, province_officer, hanoi):
    from portal.models import Agency

    agency = Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province=hanoi)
    english = make_officer(agency, "english.officer@example.vn")
    Profile.objects.create(user=english, language="en")
    user = make_member(business, "cho@example.vn", status=Membership.Status.PENDING)
    membership = Membership.objects.get(user=user)
    from portal import services

    messages = services.membership_request_mail(membership.pk)
    by_language = {m.language: m for m in messages}
    assert set(by_language) == {"vi", "en"}
    assert by_language["en"].to == ["english.officer@example.vn"]
    assert province_officer.email in by_language["vi"].to
    assert by_language["vi"].subject != by_language["en"].subject
    for message in messages:
        assert message.body.strip()
        assert message.alternatives[0][1] == "text/html"


def test_recipients_are_active_approved_and_once_each(business, business_member, hanoi):
    inactive = make_member(business, "gone@example.vn")
    inactive.is_active = False
    inactive.save()
    make_member(business, "pending@example.vn", status=Membership.Status.PENDING)
    business.email = business_member.email.upper()
    business.save()
    found = recipients.business_members(business, with_business_address=True)
    assert [r.email.lower() for r in found] == [business_member.email.lower()]
    assert recipients.address("") == []


def test_search_folds_diacritics_and_matches_every_term(hanoi):
    Business.objects.create(
        tax_code="0100233488", name="Công ty Hòa Bình", address="Hà Nội", province=hanoi
    )
    Business.objects.create(
        tax_code="0101234565", name="Công ty Đông Á", address="Huế", province=hanoi
    )
    qs = Business.objects.all()
    assert [b.name for b in search.matching(qs, "HOÀ binh")] == ["Công ty Hòa Bình"]
    assert [b.name for b in search.matching(qs, "dong a")] == ["Công ty Đông Á"]
    assert search.matching(qs, "hoa dong").count() == 0
    assert search.matching(qs, "  ").count() == 2
    assert [b.tax_code for b in search.matching(qs, "0101234565", exact=["tax_code"])] == [
        "0101234565"
    ]


def test_date_window_on_a_datetime_column_is_a_range_not_a_cast(hanoi, business):
    condition = periods.within(
        "created_at", datetime.date(2027, 1, 1), datetime.date(2027, 1, 31), model=Business
    )
    sql = str(Business.objects.filter(condition).query)
    assert 'created_at" >=' in sql and 'created_at" <' in sql
    assert "::date" not in sql and "django_datetime_cast_date" not in sql
    # The last day counts whole, in Vietnam's time.
    Business.objects.filter(pk=business.pk).update(
        created_at=periods.day_start(datetime.date(2027, 1, 31)) + datetime.timedelta(hours=23)
    )
    qs = periods.in_window(
        Business.objects.all(), "created_at", datetime.date(2027, 1, 1), datetime.date(2027, 1, 31)
    )
    assert list(qs) == [business]
    assert not periods.in_window(Business.objects.all(), "created_at", datetime.date(2027, 2, 1))


def test_parts_declare_home_blocks_and_report_sections_on_their_appconfig():
    names = [section.name for section in contributions.report_sections()]
    assert names == ["complaints", "selfassess", "consumer_warnings", "legaldocs"]
    for section in contributions.report_sections():
        assert callable(section.figures_function())
    blocks = [dotted.split(".")[0] for dotted, _f in contributions.home_blocks()]
    assert blocks == ["consumer_warnings", "legaldocs", "selfassess", "complaints"]


def test_a_broken_contribution_fails_loudly(monkeypatch):
    config = apps.get_app_config("complaints")
    monkeypatch.setattr(config, "home_block", ("complaints.selectors.no_such_block", 1))
    contributions.home_blocks.cache_clear()
    try:
        with pytest.raises(ImportError):
            contributions.home_blocks()
    finally:
        contributions.home_blocks.cache_clear()


def test_pdf_not_ready_yet_shows_a_page_that_checks_again(rf, monkeypatch):
    from portal import pdf

    class Row:
        pdf_is_current = False

        def refresh_from_db(self):
            pass

    queued = []
    monkeypatch.setattr(pdf, "queue_render", queued.append)
    request = rf.get("/x.pdf")
    row = Row()
    response = pdf.pdf_response(request, row, back_url="/back/")
    assert queued == [row]
    assert response.status_code == 202
    assert response["Cache-Control"] == "no-store"
    assert b'http-equiv="refresh"' in response.content
    assert b'href="/back/"' in response.content


def _demo_commands():
    return ["load_demo_data", *[name for name, _order in contributions.demo_commands()]]


@pytest.mark.parametrize("name", _demo_commands())
def test_every_demo_command_refuses_production(settings, reference_data, name):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="--force"):
        call_command(name, verbosity=0)


def test_the_parts_declare_their_demo_commands():
    assert [name for name, _order in contributions.demo_commands()] == [
        "demo_consumer_warnings",
        "demo_selfassess",
        "demo_complaints",
        "demo_reports",
    ]


def test_language_switch_after_sign_in_is_remembered(client, consumer):
    login(client, consumer)
    client.get(reverse("home"))
    assert Profile.objects.get(user=consumer).language == "vi"
    client.post(reverse("set_language"), {"language": "en", "next": "/en/"})
    assert Profile.objects.get(user=consumer).language == "en"
    # Following a link written in the other language does not change the choice.
    client.get("/")
    assert Profile.objects.get(user=consumer).language == "en"
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert Profile.objects.get(user=consumer).language == "en"


def test_a_session_from_before_is_remembered_once(client, consumer):
    login(client, consumer)
    session = client.session
    del session["portal_language_saved"]
    session.save()
    Profile.objects.filter(user=consumer).delete()
    client.get("/en/")
    assert Profile.objects.get(user=consumer).language == "en"


def test_admin_search_folds_diacritics(client, ministry_officer, hanoi):
    Business.objects.create(
        tax_code="0100233488", name="Công ty Hòa Bình", address="Hà Nội", province=hanoi
    )
    Business.objects.create(
        tax_code="0101234565", name="Công ty Đông Á", address="Huế", province=hanoi
    )
    login(client, ministry_officer)
    url = reverse("admin:portal_business_changelist")
    body = client.get(url, {"q": "hoa binh"}).content.decode()
    assert "Hòa Bình" in body and "Đông Á" not in body
    body = client.get(url, {"q": "0101234565"}).content.decode()
    assert "Đông Á" in body and "Hòa Bình" not in body


def test_account_emails_have_a_text_and_an_html_part_in_the_language_asked(client, consumer):
    response = client.post("/en" + reverse("account_reset_password"), {"email": consumer.email})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [consumer.email]
    assert "password" in message.subject.lower()
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert '<html lang="en">' in html
    assert "Businesses for Consumers" in html


@pytest.mark.parametrize("bound", ["date_from=0001-01-01", "date_to=9999-12-31"])
def test_a_date_filter_far_out_of_range_is_an_error_not_a_crash(client, reference_data, bound):
    from consumer_warnings.filters import WarningFilterSet
    from consumer_warnings.models import ConsumerWarning

    response = client.get(reverse("consumer_warnings:index") + "?" + bound)
    assert response.status_code == 200
    name, value = bound.split("=")
    filterset = WarningFilterSet({name: value}, queryset=ConsumerWarning.objects.all())
    list(filterset.qs)
    assert "1900" in str(filterset.errors[name]) and "2100" in str(filterset.errors[name])


def test_a_phone_too_long_once_formatted_is_refused(hanoi):
    from portal.forms import PhoneField

    field = PhoneField(max_length=20)
    assert field.clean("0912345678") == "0912 345 678"
    with pytest.raises(ValidationError):
        field.clean("0912345678 ext 1234")


def test_each_recipient_gets_a_message_of_their_own(business, business_member):
    other = make_member(business, "thanh.vien.hai@example.vn")
    messages = notifications.compose(
        "portal/email/membership_decision",
        recipients.business_members(business),
        {"membership": Membership.objects.get(user=other)},
    )
    assert sorted(m.to for m in messages) == sorted([[business_member.email], [other.email]])


def test_a_mail_task_that_fails_part_way_resends_only_what_was_not_sent(
    business, province_officer, hanoi, monkeypatch
):
    from portal import tasks
    from portal.models import Agency

    agency = Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province=hanoi)
    second = make_officer(agency, "can.bo.hai@example.vn")
    user = make_member(business, "xin.vao@example.vn", status=Membership.Status.PENDING)
    membership = Membership.objects.get(user=user)
    real, calls = notifications.send, []

    def second_fails_once(messages):
        calls.append(messages[0].to[0])
        if len(calls) == 2:
            raise ConnectionRefusedError("mail server down")
        return real(messages)

    monkeypatch.setattr(notifications, "send", second_fails_once)
    mail.outbox.clear()
    tasks.notify_membership_request.apply(args=[membership.pk], throw=False)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([province_officer.email, second.email])
    assert len(calls) == 3  # the first, the second (refused), the second again


@pytest.mark.parametrize(
    ("admin_name", "model_path"),
    [
        ("consumer_warnings_consumerwarning", "consumer_warnings.ConsumerWarning"),
        ("selfassess_assessment", "selfassess.Assessment"),
        ("portal_business", "portal.Business"),
    ],
)
def test_admin_search_boxes_of_searchable_rows_fold(
    client, ministry_officer, monkeypatch, admin_name, model_path
):
    """The back office's search on rows with a folded column goes through portal.search."""
    calls = []
    real = search.matching

    def spy(queryset, query, **kwargs):
        calls.append((queryset.model._meta.label, query))
        return real(queryset, query, **kwargs)

    monkeypatch.setattr(search, "matching", spy)
    login(client, ministry_officer)
    response = client.get(reverse(f"admin:{admin_name}_changelist"), {"q": "hoa binh"})
    assert response.status_code == 200
    assert (model_path, "hoa binh") in calls


def test_the_parts_declare_their_reference_data_and_the_portal_finds_its_catalogues():
    seeds = [name for name, _order in contributions.seed_commands()]
    assert seeds[0] == "seed_complaints" and seeds[-1] == "seed_reports"
    # The project's own apps, in INSTALLED_APPS order: the portal, then each part; a part
    # with no reference data of its own (narratives) has a catalogue but no seed.
    parts = [name.removeprefix("seed_") for name in seeds]
    assert contributions.project_apps() == ["portal", *parts, "narratives"]
    assert len(parts) == 5
