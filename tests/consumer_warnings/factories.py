import factory
from django.utils import timezone

from consumer_warnings.models import ConsumerWarning, Subscription
from portal.models import Sector


def _sector():
    return Sector.objects.get(code="dien-may-gia-dung")


class WarningFactory(factory.django.DjangoModelFactory):
    """A published warning about a fictional product (drafts: ``status="draft"``)."""

    class Meta:
        model = ConsumerWarning

    kind = ConsumerWarning.Kind.UNSAFE_PRODUCT
    status = ConsumerWarning.Status.PUBLISHED
    title = factory.Sequence(lambda n: f"Ấm siêu tốc Thử Nghiệm {n} có nguy cơ giật điện")
    summary = "Dây nguồn không đạt chuẩn cách điện."
    body = "Ngừng sử dụng ngay."
    product_name = "Ấm siêu tốc Thử Nghiệm"
    brand = "ThửNghiệm"
    sector = factory.LazyFunction(_sector)
    hazard = ConsumerWarning.Hazard.ELECTRIC
    risk_level = ConsumerWarning.Risk.MEDIUM
    measures = factory.LazyFunction(lambda: ["stop_sale"])
    published_at = factory.LazyAttribute(
        lambda o: None if o.status == ConsumerWarning.Status.DRAFT else timezone.now()
    )


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    email = factory.Sequence(lambda n: f"theodoi{n}@example.vn")
    status = Subscription.Status.ACTIVE
    confirmed_at = factory.LazyFunction(timezone.now)
