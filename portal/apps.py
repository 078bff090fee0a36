from django.apps import AppConfig, apps
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal: organisations and roles")
    # The part's endpoints in the API (portal.api.routers): (dotted router, path prefix).
    api_router = ("portal.endpoints.router", "/")

    # What each staff group may do in the back office. Every app may declare the same
    # attribute on its AppConfig; ``sync_group_permissions`` merges them all.
    portal_permissions = {
        "ministry": [
            "portal.view_province",
            "portal.change_province",
            "portal.view_sector",
            "portal.add_sector",
            "portal.change_sector",
            "portal.view_agency",
            "portal.add_agency",
            "portal.change_agency",
            "portal.view_business",
            "portal.add_business",
            "portal.change_business",
            "portal.view_membership",
            "portal.change_membership",
            "portal.view_jobrun",
            "portal.view_announcedday",
            "portal.add_announcedday",
            "portal.change_announcedday",
            "portal.delete_announcedday",
        ],
        "province": [
            "portal.view_province",
            "portal.view_sector",
            "portal.view_agency",
            "portal.view_business",
            "portal.change_business",
            "portal.view_membership",
            "portal.change_membership",
            "portal.view_announcedday",
        ],
    }

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import public_cache
        from .middleware import remember_language_on_login
        from .models import Business, Province, Sector

        post_migrate.connect(sync_group_permissions, dispatch_uid="portal.sync_group_permissions")
        user_logged_in.connect(remember_language_on_login, dispatch_uid="portal.remember_language")
        # Names of provinces, sectors and businesses appear on the public pages.
        public_cache.invalidate_on_change(public_cache.PORTAL, Business, Province, Sector)
        # Forms and filters read provinces from a cached directory (portal.provinces).
        for signal in (post_save, post_delete):
            signal.connect(forget_provinces, sender=Province, dispatch_uid="portal.provinces")


def forget_provinces(**kwargs):
    from .provinces import forget

    forget()


def sync_group_permissions(sender=None, **kwargs):
    """Give the two staff groups exactly the permissions the apps declare."""
    from django.contrib.auth.models import Group, Permission

    from .roles import MINISTRY_GROUP, PROVINCE_GROUP

    wanted = {"ministry": set(), "province": set()}
    for config in apps.get_app_configs():
        for role, perms in getattr(config, "portal_permissions", {}).items():
            wanted[role].update(perms)
    for role, group_name in (("ministry", MINISTRY_GROUP), ("province", PROVINCE_GROUP)):
        group, _created = Group.objects.get_or_create(name=group_name)
        perms = []
        for dotted in sorted(wanted[role]):
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)
