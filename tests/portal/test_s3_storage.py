"""Private files on S3-compatible storage (portal.files.PrivateStorage) against a local S3
server: moto in server mode, a real HTTP endpoint as in production."""

import socket

import boto3
import pytest
from django.urls import reverse
from moto.server import ThreadedMotoServer

from portal.files import PrivateStorage, private_storage
from selfassess.models import Assessment
from tests.conftest import login
from tests.selfassess.conftest import PDF_BYTES, pdf_upload
from tests.selfassess.factories import criterion, make_set

pytestmark = pytest.mark.django_db

BUCKET = "dnvntd-private-test"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """A moto S3 server on a free port, for the whole session; yields its endpoint URL."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_options(s3_server):
    """The S3 settings of a fresh, empty bucket (one per test)."""
    bucket = f"{BUCKET}-{free_port()}"
    options = {
        "bucket": bucket,
        "endpoint_url": s3_server,
        "access_key": "testing",
        "secret_key": "testing",
        "region_name": "us-east-1",
    }
    s3_client(options).create_bucket(Bucket=bucket)
    return options


@pytest.fixture
def s3_bucket(settings, s3_options):
    """The portal's private files go to the bucket for this test."""
    settings.PRIVATE_S3 = s3_options
    return s3_options


def s3_client(options):
    return boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
        region_name=options["region_name"],
    )


def bucket_keys(options):
    listing = s3_client(options).list_objects_v2(Bucket=options["bucket"])
    return [item["Key"] for item in listing.get("Contents", [])]


def local_files(settings):
    root = settings.PRIVATE_MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_without_a_bucket_files_stay_on_local_disk(settings):
    from django.core.files.storage import FileSystemStorage

    assert isinstance(private_storage.backend(), FileSystemStorage)
    name = private_storage.save("probe/a.pdf", pdf_upload())
    assert (settings.PRIVATE_MEDIA_ROOT / name).read_bytes() == PDF_BYTES


def test_with_a_bucket_the_storage_is_private_s3(s3_bucket):
    from storages.backends.s3 import S3Storage

    backend = private_storage.backend()
    assert isinstance(backend, S3Storage)
    assert backend.bucket_name == s3_bucket["bucket"]
    assert backend.default_acl is None  # S3's default: private
    # An object's URL carries no signature: on a private bucket it opens nothing.
    assert "Signature" not in private_storage.url("x/y.pdf")
    assert "X-Amz" not in private_storage.url("x/y.pdf")


def test_the_storage_deconstructs_without_settings(s3_bucket):
    # Migrations record the class only, so a bucket (or none) never changes them.
    assert PrivateStorage().deconstruct() == ("portal.files.PrivateStorage", (), {})


def test_evidence_uploaded_through_the_form_goes_to_the_bucket_and_comes_back(
    client, settings, s3_bucket, business_member, province_officer, reference_data
):
    criteria_set = make_set()
    login(client, business_member)
    client.post(
        reverse("selfassess:start"),
        {
            "criteria_set": criteria_set.pk,
            "business": business_member.memberships.get().business_id,
        },
    )
    assessment = Assessment.objects.get()
    a2 = criterion(criteria_set, "A2")
    group_a = criteria_set.groups.get(code="A")
    response = client.post(
        reverse("selfassess:fill", args=[assessment.pk, group_a.pk]),
        {
            f"answer_{a2.pk}": "implemented",
            f"evidence_{a2.pk}": pdf_upload("Kế hoạch.pdf"),
            "save_next": "1",
        },
    )
    assert response.status_code == 302
    evidence = assessment.evidence.get()

    assert bucket_keys(s3_bucket) == [evidence.file.name]
    assert local_files(settings) == []
    grants = s3_client(s3_bucket).get_object_acl(
        Bucket=s3_bucket["bucket"], Key=evidence.file.name
    )["Grants"]
    assert [g["Grantee"].get("URI") for g in grants] == [None]  # the owner only, no group

    url = reverse("selfassess:evidence", args=[assessment.pk, evidence.pk])
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "private, no-store"

    # The same permission check as on disk: an officer sees no draft.
    client.logout()
    login(client, province_officer)
    assert client.get(url).status_code == 404
    assert local_files(settings) == []


def test_a_file_missing_from_the_bucket_is_a_404_not_an_error(
    client, s3_bucket, business_member, reference_data
):
    from selfassess import services

    criteria_set = make_set()
    assessment = services.start_assessment(
        user=business_member,
        business=business_member.memberships.get().business,
        criteria_set=criteria_set,
    )
    evidence = services.add_evidence(
        assessment=assessment,
        criterion=criterion(criteria_set, "A2"),
        upload=pdf_upload(),
        user=business_member,
    )
    s3_client(s3_bucket).delete_object(Bucket=s3_bucket["bucket"], Key=evidence.file.name)
    login(client, business_member)
    response = client.get(reverse("selfassess:evidence", args=[assessment.pk, evidence.pk]))
    assert response.status_code == 404


def test_the_daily_draft_purge_clears_abandoned_drafts_in_the_bucket(client, s3_bucket):
    """The purge goes through the storage's API: on a bucket it lists and deletes objects
    (a bucket has no folder to walk). A fresh draft is kept; three days on, it is gone."""
    import datetime

    import time_machine
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from complaints import services

    private_storage.save("complaints/drafts/abc123/hoa-don.pdf", ContentFile(PDF_BYTES))
    assert bucket_keys(s3_bucket) == ["complaints/drafts/abc123/hoa-don.pdf"]
    assert services.purge_abandoned_drafts() == 0  # just uploaded
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3), tick=False):
        assert services.purge_abandoned_drafts() == 1
    assert bucket_keys(s3_bucket) == []
