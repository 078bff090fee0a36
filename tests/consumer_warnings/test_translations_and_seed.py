from pathlib import Path

import pytest
from django.core.management import call_command

from consumer_warnings.models import ConsumerWarning, WarningEvent

LOCALE = Path(__file__).resolve().parents[2] / "consumer_warnings" / "locale"


def test_catalogues_are_compiled_and_english_exists():
    # Completeness and NFC of every catalogue: tests/portal/test_translations.py.
    assert (LOCALE / "vi" / "LC_MESSAGES" / "django.mo").exists()
    assert (LOCALE / "en" / "LC_MESSAGES" / "django.po").exists()


def test_english_pages(client, reference_data):
    response = client.get("/en/canh-bao/")
    assert response.status_code == 200
    assert "Warnings and recalls" in response.content.decode()


@pytest.mark.django_db
def test_seed_is_idempotent_and_keeps_sources(reference_data, client):
    call_command("seed_consumer_warnings", verbosity=0)
    call_command("seed_consumer_warnings", verbosity=0)
    warnings = ConsumerWarning.objects.all()
    assert warnings.count() == 11
    assert all(w.source_url.startswith("http") for w in warnings)
    assert all(w.status == "published" for w in warnings)
    assert warnings.filter(kind="recall").count() == 5
    assert WarningEvent.objects.filter(action="published").count() == 11
    ford = warnings.get(title__contains="Ford Territory")
    assert ford.business_name == "Công ty TNHH Ford Việt Nam"
    assert "1800-588888" in ford.contact
    assert ford.source_note  # the source's uncertainty is shown
    honda = warnings.get(title__contains="Civic")
    assert "MRHFC1670GT030003" in honda.batch
    # No risk level is invented: the sources do not state one.
    assert set(warnings.values_list("risk_level", flat=True)) == {""}
    assert warnings.filter(imported=True).count() == 11
    assert not ford.issued_on  # "15/9 (năm 2025 theo mã bài; chưa xác minh)" is no date
    assert "không ghi rõ ngày" in ford.source_note
    chevrolet = warnings.get(title__contains="Chevrolet")
    assert chevrolet.issued_on.isoformat() == "2021-10-25"
    assert "ngày bắt đầu thu hồi" in chevrolet.source_note
    scam = warnings.get(title__contains="5 hình thức")
    assert scam.issued_on.isoformat() == "2025-11-06"
    assert "Giả mạo website" in scam.body_html
    assert ford.published_at is None  # no date rather than the load time
    card = client.get("/canh-bao/", {"q": "ford territory"}).content.decode()
    assert "ngày gốc không rõ" in card


def test_demo_warnings_are_fictional_and_idempotent(client, reference_data):
    call_command("demo_consumer_warnings", verbosity=0)
    call_command("demo_consumer_warnings", verbosity=0)
    demo = ConsumerWarning.objects.filter(reference_number__startswith="DEMO-")
    assert demo.count() == 4
    assert all(w.title.startswith("[Dữ liệu mẫu]") for w in demo)
    assert all("hư cấu" in w.source_note for w in demo)
    listed = client.get("/canh-bao/").context["page"].paginator.count
    assert listed == 2  # the draft and the withdrawn one are not listed
    withdrawn = demo.get(status="withdrawn")
    assert list(withdrawn.events.values_list("action", flat=True)) == [
        "drafted",
        "published",
        "withdrawn",
    ]


def test_demo_refused_in_production(settings, reference_data):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("demo_consumer_warnings", verbosity=0)
