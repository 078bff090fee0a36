"""Field declarations every part repeats, in one line each: a foreign key with the portal's
defaults (PROTECT unless said otherwise; ``optional`` means null and blank), and the keys to
the shared reference tables and to the person who did something.

These return plain Django fields, so migrations see exactly what they would have seen.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def fk(to, verbose_name, related_name, *, optional=False, on_delete=models.PROTECT, **kwargs):
    """A ForeignKey to ``to``; ``optional`` makes it nullable and blank in forms."""
    if optional:
        kwargs.update(null=True, blank=True)
    return models.ForeignKey(
        to, verbose_name=verbose_name, on_delete=on_delete, related_name=related_name, **kwargs
    )


def province_fk(related_name, *, current_only=True, **kwargs):
    """The province a record belongs to; new records pick among the 34 current units."""
    if current_only:
        kwargs.setdefault("limit_choices_to", {"is_active": True})
    return fk("portal.Province", _("province"), related_name, **kwargs)


def sector_fk(related_name, **kwargs):
    """The shared sector taxonomy; optional unless said otherwise."""
    kwargs.setdefault("optional", True)
    return fk("portal.Sector", _("sector"), related_name, **kwargs)


def user_fk(verbose_name, related_name="+", **kwargs):
    """The person who did something: kept as empty when their account is deleted."""
    kwargs.setdefault("optional", True)
    kwargs.setdefault("on_delete", models.SET_NULL)
    return fk(settings.AUTH_USER_MODEL, verbose_name, related_name, **kwargs)


class WebAddressField(models.URLField):
    """A web address; one typed without a scheme is read as https (as Django 6 will), in
    every form and in the admin."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})
