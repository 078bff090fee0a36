import datetime

import pytest

from legaldocs import services
from legaldocs.models import Document, ReviewFlag
from legaldocs.validity import Status, annotate_status, history, status_on

D = datetime.date


def test_law_59_2010_in_force_then_expired_replaced_by_19_2023(library):
    old, new = library["59/2010/QH12"], library["19/2023/QH15"]
    assert status_on(old, D(2020, 1, 1)) == Status.IN_FORCE
    assert status_on(old, D(2025, 1, 1)) == Status.EXPIRED
    assert status_on(old, D(2011, 1, 1)) == Status.NOT_YET
    assert status_on(new, D(2024, 1, 1)) == Status.NOT_YET
    assert status_on(new, D(2025, 1, 1)) == Status.IN_FORCE
    assert old.relations_in.get(kind="replaces").source == new


def test_partly_repealed_document_is_partly_expired(library):
    amending = library["35/2018/QH14"]
    # No start date known: unknown before the event, partly expired after it.
    assert status_on(amending, D(2020, 1, 1)) == Status.UNKNOWN
    assert status_on(amending, D(2025, 1, 1)) == Status.PARTLY_EXPIRED


def test_suspension_and_resumption(make_document):
    document = make_document()
    services.add_event(document=document, date=D(2023, 1, 1), kind="suspended")
    services.add_event(document=document, date=D(2023, 6, 1), kind="resumed")
    services.add_event(document=document, date=D(2024, 1, 1), kind="suspended")
    assert status_on(document, D(2022, 6, 1)) == Status.IN_FORCE
    assert status_on(document, D(2023, 3, 1)) == Status.SUSPENDED
    assert status_on(document, D(2023, 7, 1)) == Status.IN_FORCE
    assert status_on(document, D(2024, 2, 1)) == Status.SUSPENDED


def test_effective_event_is_the_start_when_no_effective_date(make_document):
    document = make_document(effective_date=None, issue_date=D(2022, 1, 1))
    assert status_on(document, D(2022, 2, 1)) == Status.IN_FORCE  # counted from issue
    services.add_event(document=document, date=D(2022, 5, 1), kind="effective")
    assert status_on(document, D(2022, 2, 1)) == Status.NOT_YET
    assert status_on(document, D(2022, 6, 1)) == Status.IN_FORCE


@pytest.mark.parametrize(
    "day",
    [D(2000, 1, 1), D(2011, 7, 1), D(2020, 1, 1), D(2024, 6, 30), D(2024, 7, 1), D(2026, 6, 1)],
)
def test_database_and_python_rules_agree(library, make_document, day):
    suspended = make_document()
    services.add_event(document=suspended, date=D(2023, 1, 1), kind="suspended")
    services.add_event(document=suspended, date=D(2024, 7, 1), kind="resumed")
    rows = annotate_status(Document.objects.prefetch_related("events"), day)
    for document in rows:
        assert document.validity == status_on(document, day, list(document.events.all())), (
            document.number
        )


def test_replacing_a_document_flags_its_guides_for_review_without_expiring_them(library):
    guide = library["99/2011/NĐ-CP"]
    flag = ReviewFlag.objects.get(document=guide, parent=library["59/2010/QH12"])
    assert flag.resolved_at is None
    local = library["07/2023/QĐ-UBND"]
    assert ReviewFlag.objects.filter(document=local, resolved_at__isnull=True).count() == 2
    # Flagged, not expired: its validity still comes from its own events.
    assert status_on(local, D(2025, 1, 1)) == Status.IN_FORCE


def test_new_replacement_flags_guides_and_a_resolved_flag_stays_resolved(
    make_document, ministry_officer
):
    parent = make_document()
    guide = make_document()
    services.add_relation(source=guide, kind="guides", target=parent)
    assert not ReviewFlag.objects.filter(document=guide).exists()
    successor = make_document()
    services.add_relation(source=successor, kind="replaces", target=parent)
    services.add_event(
        document=parent, date=D(2024, 1, 1), kind="replaced", source_document=successor
    )
    assert ReviewFlag.objects.filter(document=guide, parent=parent).count() == 1
    assert status_on(guide, D(2025, 1, 1)) == Status.IN_FORCE
    services.resolve_flags(ReviewFlag.objects.filter(document=guide), ministry_officer)
    services.flag_dependents(parent)
    assert ReviewFlag.objects.get(document=guide).resolved_by == ministry_officer


def test_history_table_rows(library):
    rows = history(library["59/2010/QH12"])
    assert [(r["date"], r["status"]) for r in rows] == [
        (D(2010, 11, 17), Status.NOT_YET),
        (D(2011, 7, 1), Status.IN_FORCE),
        (D(2024, 7, 1), Status.EXPIRED),
    ]
    assert rows[-1]["event"].source_document.number == "19/2023/QH15"
