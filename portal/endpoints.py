"""The portal's own API endpoints (reference data): provinces, current and former, and
sectors. The model the parts copy for their ``api.py``: schemas beside the router, reads
through the selectors, public reads registered with :func:`portal.api.public_read`."""

from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from . import public_cache
from .api import public_read, session_auth
from .models import Province, Sector
from .roles import WITHHELD_FLAG, get_actor

router = Router(tags=[_("Reference data")])


class ProvinceOut(Schema):
    id: int
    code: str | None = Field(..., description=_("Code under Quyết định 19/2025/QĐ-TTg (current)."))
    name: str
    name_en: str
    full_name: str
    kind: str
    slug: str
    is_current: bool = Field(..., alias="is_active")
    successor_id: int | None = Field(
        ..., description=_("For a former province: the current one its area belongs to.")
    )


class SectorOut(Schema):
    id: int
    code: str
    name: str
    name_en: str


@router.get(
    "/provinces",
    response=list[ProvinceOut],
    url_name="provinces",
    summary=_("Provinces"),
    description=_(
        "The 34 current provinces and centrally-run cities, and with former=true also the 63 "
        "former ones with their successor, so that older addresses still map."
    ),
)
def provinces(request, former: bool = False):
    rows = Province.objects.all() if former else Province.objects.current()
    return rows.order_by("-is_active", "code", "name")


@router.get("/sectors", response=list[SectorOut], url_name="sectors", summary=_("Sectors"))
def sectors(request):
    return Sector.objects.filter(is_active=True).order_by("order", "name")


class MeOut(Schema):
    id: int
    email: str
    role: str = Field(
        ...,
        description=_(
            "public, consumer, business, association, province, ministry or admin: what the "
            "API lets this person see and do."
        ),
    )
    business_ids: list[int]
    province_ids: list[int]
    staff_powers_withheld: bool = Field(
        ...,
        description=_(
            "Staff without two-step verification: they see what the public sees until they "
            "set it up."
        ),
    )


@router.get("/me", response=MeOut, auth=session_auth, url_name="me", summary=_("Who I am"))
def me(request):
    user = request.auth
    actor = get_actor(user)
    return {
        "id": user.pk,
        "email": user.email,
        "role": actor.role,
        "business_ids": sorted(actor.business_ids),
        "province_ids": sorted(actor.province_ids),
        "staff_powers_withheld": getattr(user, WITHHELD_FLAG, False),
    }


public_read("provinces", public_cache.PORTAL)
public_read("sectors", public_cache.PORTAL)
