"""The complainant's contact data is encrypted at rest and found by keyed hash (issue #17):
unreadable in the database without the key, and tracking and staff search by phone or
e-mail still work."""

import re
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings

from complaints import services
from complaints.models import Complaint
from portal import crypto
from tests.complaints.factories import make_complaint
from tests.conftest import login

pytestmark = pytest.mark.django_db

PHONE, EMAIL, ADDRESS = "0912345678", "Hoa.Nguyen@Example.vn", "12 Hàng Bạc, Hà Nội"
PLAINTEXT = ("0912345678", "912345678", "hoa.nguyen", "example.vn", "Hàng Bạc", "hang bac")


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _contact_complaint(**kwargs):
    return make_complaint(
        complainant_phone=PHONE, complainant_email=EMAIL, complainant_address=ADDRESS, **kwargs
    )


def test_contact_data_is_unreadable_in_the_database(reference_data, province_officer):
    complaint = _contact_complaint()
    services.forward(complaint, actor=province_officer)  # a second history row
    rows = _raw(
        "SELECT complainant_phone, complainant_email, complainant_address, search_text "
        "FROM complaints_complaint WHERE id = %s",
        [complaint.pk],
    )
    rows += _raw(
        "SELECT complainant_phone, complainant_email, complainant_address, '' "
        "FROM complaints_historicalcomplaint WHERE id = %s",
        [complaint.pk],
    )
    assert len(rows) >= 3
    for phone, email, address, search_text in rows:
        for token in (phone, email, address):
            assert token.startswith("gAAAAA")  # a Fernet token
        stored = " ".join((phone, email, address, search_text)).lower()
        for value in PLAINTEXT:
            assert value.lower() not in stored
    # The name stays searchable; the model reads the values back.
    assert "nguyen thi hoa" in rows[0][3]
    complaint.refresh_from_db()
    assert (complaint.complainant_phone, complaint.complainant_email) == (PHONE, EMAIL)
    assert complaint.complainant_address == ADDRESS
    assert complaint.history.earliest().complainant_email == EMAIL


def test_without_the_key_the_values_cannot_be_read(reference_data):
    complaint = _contact_complaint()
    with override_settings(PERSONAL_DATA_KEYS=[Fernet.generate_key().decode()]):
        with pytest.raises(crypto.UnreadablePersonalData, match="PERSONAL_DATA_KEYS"):
            Complaint.objects.get(pk=complaint.pk)
        with pytest.raises(crypto.UnreadablePersonalData):
            complaint.history.first()


def test_an_empty_contact_stays_empty_for_the_constraint(reference_data):
    complaint = make_complaint(complainant_phone="", complainant_email=EMAIL)
    assert _raw(
        "SELECT complainant_phone, complainant_phone_hash FROM complaints_complaint WHERE id = %s",
        [complaint.pk],
    ) == [("", "")]
    assert Complaint.objects.filter(complainant_phone="").count() == 1
    assert Complaint.objects.filter(complainant_email__gt="").count() == 1


@pytest.mark.parametrize(
    "contact", ["0912 345 678", "+84912345678", "+84 91 234 5678", "hoa.nguyen@example.VN "]
)
def test_tracking_by_code_and_contact_through_the_page(client, reference_data, contact):
    complaint = _contact_complaint()
    response = client.post("/khieu-nai/tra-cuu/", {"code": complaint.code, "contact": contact})
    assert response.status_code == 302
    assert response["Location"] == f"/khieu-nai/tra-cuu/{complaint.code}/"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("contact", ["0912345679", "hoa@example.vn", "12 Hàng Bạc, Hà Nội"])
def test_tracking_refuses_another_contact(client, reference_data, contact):
    complaint = _contact_complaint()
    make_complaint(complainant_phone="0912345679", complainant_email="hoa@example.vn")
    response = client.post("/khieu-nai/tra-cuu/", {"code": complaint.code, "contact": contact})
    assert response.status_code == 200
    assert f"/khieu-nai/tra-cuu/{complaint.code}/" not in response.get("Location", "")
    assert services.find_for_tracking(complaint.code, contact) is None


@pytest.mark.parametrize("term", ["0912 345 678", "+84912345678", "HOA.NGUYEN@example.vn"])
def test_staff_list_and_admin_find_by_phone_or_email(
    client, reference_data, province_officer, term
):
    complaint = _contact_complaint()
    other = make_complaint(complainant_phone="0987654321", complainant_email="khac@example.vn")
    login(client, province_officer)
    listing = client.get("/khieu-nai/quan-ly/", {"q": term}).content.decode()
    assert complaint.code in listing and other.code not in listing
    admin = client.get("/quan-tri/complaints/complaint/", {"q": term}).content.decode()
    assert complaint.code in admin and other.code not in admin


def test_staff_search_by_name_still_works(client, reference_data, province_officer):
    complaint = _contact_complaint()
    login(client, province_officer)
    listing = client.get("/khieu-nai/quan-ly/", {"q": "nguyen thi hoa"}).content.decode()
    assert complaint.code in listing


def test_filtering_on_the_encrypted_column_fails_loudly(reference_data):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError, match="encrypted"):
        list(Complaint.objects.filter(complainant_phone=PHONE))
    with pytest.raises(FieldError, match="encrypted"):
        list(Complaint.objects.filter(complainant_email__icontains="hoa"))


KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _tokens():
    return _raw(
        "SELECT complainant_phone, complainant_email, complainant_address "
        "FROM complaints_complaint UNION ALL "
        "SELECT complainant_phone, complainant_email, complainant_address "
        "FROM complaints_historicalcomplaint"
    )


def test_key_rotation_rewrites_every_row_and_keeps_finding_them(reference_data, province_officer):
    with override_settings(PERSONAL_DATA_KEYS=[KEY_A]):
        first = _contact_complaint()
        second = make_complaint(complainant_phone="", complainant_email="binh@example.vn")
        services.forward(first, actor=province_officer)
    written_with_a = _tokens()
    with override_settings(PERSONAL_DATA_KEYS=[KEY_B, KEY_A]):
        call_command("rotate_personal_data_keys", batch_size=2, stdout=StringIO())
        rotated = _tokens()
        # A second run finds nothing left to do.
        call_command("rotate_personal_data_keys", batch_size=2, stdout=(out := StringIO()))
        assert "complaints_complaint: 0 rows rewritten" in out.getvalue()
        assert _tokens() == rotated
    assert all(a != b for a, b in zip(written_with_a, rotated, strict=True) if a[1])
    with override_settings(PERSONAL_DATA_KEYS=[KEY_B]):
        for complaint in (first, second):
            fresh = Complaint.objects.get(pk=complaint.pk)
            assert fresh.complainant_email == complaint.complainant_email
            assert [v.complainant_email for v in fresh.history.all()]
            assert {v.complainant_email for v in fresh.history.all()} == {fresh.complainant_email}
        assert services.find_for_tracking(first.code, "0912 345 678") == first
        assert services.find_for_tracking(second.code, "BINH@example.vn") == second
    # Key A alone opens nothing any more.
    with (
        override_settings(PERSONAL_DATA_KEYS=[KEY_A]),
        pytest.raises(crypto.UnreadablePersonalData),
    ):
        Complaint.objects.get(pk=first.pk)


def test_an_interrupted_rotation_resumes(reference_data, monkeypatch):
    with override_settings(PERSONAL_DATA_KEYS=[KEY_A]):
        complaints = [make_complaint(complainant_email=f"n{i}@example.vn") for i in range(3)]
    real_rotate, calls = crypto.rotate, []

    def rotate_then_stop(token):
        calls.append(token)
        if len(calls) > 3:  # stopped during the second row's batch
            raise KeyboardInterrupt
        return real_rotate(token)

    with override_settings(PERSONAL_DATA_KEYS=[KEY_B, KEY_A]):
        monkeypatch.setattr(crypto, "rotate", rotate_then_stop)
        with pytest.raises(KeyboardInterrupt):
            call_command("rotate_personal_data_keys", batch_size=1)
        monkeypatch.setattr(crypto, "rotate", real_rotate)
        # The first batch stayed done; the next run does the rest only.
        call_command("rotate_personal_data_keys", batch_size=1, stdout=(out := StringIO()))
        rewritten = sum(int(n) for n in re.findall(r": (\d+) rows rewritten", out.getvalue()))
        assert rewritten == len(_tokens()) - 1
    with override_settings(PERSONAL_DATA_KEYS=[KEY_B]):
        assert [Complaint.objects.get(pk=c.pk).complainant_email for c in complaints] == [
            c.complainant_email for c in complaints
        ]


def test_hash_key_rotation_keeps_tracking_working_throughout(reference_data):
    old_hash, new_hash = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(PERSONAL_DATA_HASH_KEY=old_hash):
        complaint = _contact_complaint()
    with override_settings(PERSONAL_DATA_HASH_KEY=new_hash, PERSONAL_DATA_OLD_HASH_KEYS=[old_hash]):
        # Before the command: found through the old hash key.
        assert services.find_for_tracking(complaint.code, PHONE) == complaint
        call_command("rotate_personal_data_keys", stdout=StringIO())
    with override_settings(PERSONAL_DATA_HASH_KEY=new_hash, PERSONAL_DATA_OLD_HASH_KEYS=[]):
        assert services.find_for_tracking(complaint.code, PHONE) == complaint
        assert services.find_for_tracking(complaint.code, EMAIL.upper()) == complaint
        assert complaint.history.filter(complainant_phone_hash=crypto.phone_hash(PHONE)).exists()
