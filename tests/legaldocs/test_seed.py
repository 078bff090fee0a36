import json
from pathlib import Path

from django.core.management import call_command

from legaldocs.models import Document, Relation, ValidityEvent, normalize_number

DATA = Path(__file__).resolve().parents[2] / "legaldocs" / "data" / "documents.json"


def test_every_document_of_the_data_file_is_in_the_library(library):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    numbers = {normalize_number(d["number"]) for d in data["documents"] if d["number"]}
    stored = set(Document.objects.values_list("number_normalized", flat=True))
    assert numbers <= stored
    assert Document.objects.count() == len(data["documents"])
    assert Relation.objects.count() == len(data["relations"])
    assert ValidityEvent.objects.count() == len(data["events"])


def test_seed_is_idempotent(library):
    before = list(
        Document.objects.order_by("pk").values_list("pk", "updated_at", "slug", "search_text")
    )
    history_before = Document.history.count()
    call_command("seed_legaldocs", verbosity=0)
    after = list(
        Document.objects.order_by("pk").values_list("pk", "updated_at", "slug", "search_text")
    )
    assert after == before
    assert Document.history.count() == history_before
    assert Relation.objects.count() == 26
    assert ValidityEvent.objects.count() == 11


def test_seed_keeps_the_real_facts(library):
    law = library["19/2023/QH15"]
    assert law.doc_type == "luat"
    assert law.issuing_body.name == "Quốc hội"
    assert law.issue_date.isoformat() == "2023-06-20"
    assert law.effective_date.isoformat() == "2024-07-01"
    assert law.get_absolute_url() == "/van-ban/luat/2023/19-2023-qh15/"
    decree = library["55/2024/NĐ-CP"]
    assert decree.get_absolute_url() == "/van-ban/nghi-dinh/2024/55-2024-nd-cp/"
    # No full text is invented: only 2306/QĐ-BCT, whose text the project ships, has one.
    with_body = list(Document.objects.exclude(body="").values_list("number", flat=True))
    assert with_body == ["2306/QĐ-BCT"]
    assert library["59/2010/QH12"].is_uncertain
    assert library["59/2010/QH12"].sources


def test_a_document_without_number_or_year_still_has_a_permalink(library):
    document = Document.objects.get(number="", title__contains="Chương trình quốc gia")
    assert document.year is None
    assert document.get_absolute_url().startswith("/van-ban/quyet-dinh/khong-ro-nam/khong-so-")
