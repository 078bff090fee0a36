"""The consumer takes back the consent to publish (the consent text promises it): through the
API with the proof of filing, a published narrative comes down at once and its page answers
404; nobody else can do it, and it cannot be done twice."""

import pytest
from django.urls import reverse

from complaints.models import Complaint, ComplaintEvent
from narratives import services
from narratives.models import Narrative
from tests.api.conftest import ApiClient
from tests.narratives.conftest import closed_complaint

pytestmark = pytest.mark.django_db

PATH = "/complaints/{code}/publishing-consent/withdraw"


def test_the_consumer_withdraws_and_the_published_narrative_comes_down(
    client, closed, province_officer
):
    narrative = services.create_draft(closed, actor=province_officer)
    services.publish(narrative, actor=province_officer)
    page = reverse("narratives:detail", args=[narrative.pk])
    assert client.get(page).status_code == 200
    api = ApiClient()
    before = api.post(PATH.format(code=closed.code), {"token": "x" * 20})
    assert before.status_code == 404  # a wrong token proves nothing

    response = api.post(PATH.format(code=closed.code), {"token": closed.token}, lang="en")
    assert response.status_code == 200, response.content
    assert "withdraw_publish_consent" not in response.json()["allowed"]
    assert Complaint.objects.get(pk=closed.pk).consent_publish is False
    narrative.refresh_from_db()
    assert narrative.status == Narrative.Status.UNPUBLISHED
    assert client.get(page).status_code == 404
    event = closed.events.filter(kind=ComplaintEvent.Kind.DATA_REQUEST).get()
    assert event.message == "Withdrew the consent to publish an anonymised summary."

    again = api.post(PATH.format(code=closed.code), {"token": closed.token})
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"


def test_the_step_is_offered_only_to_the_filer_while_consent_stands(reference_data):
    consented = closed_complaint()
    api = ApiClient()
    body = api.get(f"/complaints/by-token/{consented.token}").json()
    assert "withdraw_publish_consent" in body["allowed"]
    refused = closed_complaint(consent=False)
    answer = api.post(PATH.format(code=refused.code), {"token": refused.token})
    assert answer.status_code == 409


def test_the_filer_withdraws_on_the_tracking_page(client, closed, province_officer):
    narrative = services.create_draft(closed, actor=province_officer)
    services.publish(narrative, actor=province_officer)
    track = reverse("complaints:track_token", args=[closed.token])
    page = client.get(track, follow=True)
    body = page.content.decode()
    assert 'id="withdraw-publish-consent"' in body
    detail = page.redirect_chain[-1][0] if page.redirect_chain else track
    response = client.post(
        reverse("complaints:track_publish_consent", args=[closed.code]), follow=True
    )
    assert response.status_code == 200
    assert "không bản tóm tắt nào" in response.content.decode()
    assert Complaint.objects.get(pk=closed.pk).consent_publish is False
    narrative.refresh_from_db()
    assert narrative.status == Narrative.Status.UNPUBLISHED
    assert 'id="withdraw-publish-consent"' not in client.get(detail).content.decode()


def test_someone_without_the_proof_cannot_withdraw(client, closed):
    response = client.post(reverse("complaints:track_publish_consent", args=[closed.code]))
    assert response.status_code == 404
    assert Complaint.objects.get(pk=closed.pk).consent_publish is True
