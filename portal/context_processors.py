from django.conf import settings

from .navigation import main_nav
from .roles import get_actor


def portal(request):
    user = getattr(request, "user", None)
    return {
        "main_nav": main_nav(),
        "actor": get_actor(user) if user is not None else None,
        "hotline": settings.PORTAL_HOTLINE,
    }
