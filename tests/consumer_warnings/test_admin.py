from django.urls import reverse

from tests.conftest import login


def test_back_office_lists_are_scoped_and_read_only(
    client, ministry_officer, other_province_officer, province_officer, draft, published
):
    changelist = reverse("admin:consumer_warnings_consumerwarning_changelist")
    change = reverse("admin:consumer_warnings_consumerwarning_change", args=[draft.pk])
    login(client, ministry_officer)
    response = client.get(changelist)
    assert response.status_code == 200
    assert draft.title in response.content.decode()
    page = client.get(change)
    assert page.status_code == 200
    assert (
        reverse("consumer_warnings:preview", args=[draft.pk])
        in client.get(changelist).content.decode()
    )
    assert client.get(reverse("admin:consumer_warnings_consumerwarning_add")).status_code == 403
    login(client, other_province_officer)
    assert client.get(change).status_code == 404
    assert draft.title not in client.get(changelist).content.decode()
    login(client, province_officer)
    assert client.get(change).status_code == 200


def test_sent_e_mails_are_for_the_ministry_only(
    client, ministry_officer, province_officer, published
):
    from consumer_warnings.models import Delivery
    from tests.consumer_warnings.factories import SubscriptionFactory

    delivery = Delivery.objects.create(
        subscription=SubscriptionFactory(), kind=Delivery.Kind.ALERT, warning=published
    )
    changelist = reverse("admin:consumer_warnings_delivery_changelist")
    change = reverse("admin:consumer_warnings_delivery_change", args=[delivery.pk])
    login(client, ministry_officer)
    assert client.get(change).status_code == 200
    assert change in client.get(changelist).content.decode()
    login(client, province_officer)
    assert client.get(change).status_code == 404
    assert change not in client.get(changelist).content.decode()
