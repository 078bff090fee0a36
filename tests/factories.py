"""Shared factories. Each part keeps its own in tests/<part>/factories.py and builds on
these."""

import factory
from django.contrib.auth import get_user_model

from portal.models import Agency, Business, Membership, Province, Sector
from portal.validators import tax_code_with_check_digit


def _meta(model_class, *keys):
    """A factory's Meta: the model, and the fields a row is found again by."""
    return type("Meta", (), {"model": model_class, "django_get_or_create": keys})


class ProvinceFactory(factory.django.DjangoModelFactory):
    Meta = _meta(Province, "code")

    code = factory.Sequence(lambda n: f"{(n % 89) + 10:02d}")
    name = factory.Sequence(lambda n: f"Tỉnh Thử {n}")
    full_name = factory.LazyAttribute(lambda o: f"Tỉnh {o.name}")
    kind = Province.Kind.PROVINCE
    slug = factory.Sequence(lambda n: f"tinh-thu-{n}")
    is_active = True


class SectorFactory(factory.django.DjangoModelFactory):
    Meta = _meta(Sector, "code")

    code = factory.Sequence(lambda n: f"linh-vuc-{n}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")
    name_en = factory.Sequence(lambda n: f"Sector {n}")


class AgencyFactory(factory.django.DjangoModelFactory):
    Meta = _meta(Agency, "code")

    code = factory.Sequence(lambda n: f"co-quan-{n}")
    name = factory.Sequence(lambda n: f"Cơ quan {n}")
    kind = Agency.Kind.MINISTRY_UNIT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"nguoidung{n}@example.vn")
    username = factory.LazyAttribute(lambda o: o.email)
    first_name = "An"
    last_name = "Nguyễn Văn"

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "MatKhau@2026!")
        if create:
            self.save()

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class BusinessFactory(factory.django.DjangoModelFactory):
    Meta = _meta(Business, "tax_code")

    tax_code = factory.Sequence(lambda n: tax_code_with_check_digit(100000000 + 10 * n))
    name = factory.Sequence(lambda n: f"Công ty TNHH Đại Phát {n}")
    address = "12 phố Tràng Tiền, phường Hoàn Kiếm, Hà Nội"
    province = factory.LazyFunction(lambda: Province.objects.current().first())
    sector = factory.SubFactory(SectorFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    business = factory.SubFactory(BusinessFactory)
    role = Membership.Role.OWNER
    status = Membership.Status.APPROVED
