from django.conf import settings

from .navigation import main_nav
from .roles import get_actor


def portal(request):
    actor = get_actor(getattr(request, "user", None))
    return {
        "main_nav": main_nav(actor),
        "actor": actor,
        "hotline": settings.PORTAL_HOTLINE,
    }
