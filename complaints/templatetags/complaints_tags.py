from django import template

from portal.templatetags.portal_tags import thousands

from ..selectors import suppress

register = template.Library()


@register.filter
def published_count(value):
    """A count as published: small counts hidden by :func:`complaints.selectors.suppress`,
    the others with thousands separators."""
    if value is None:
        return "—"
    shown = suppress(value)
    return thousands(shown) if isinstance(shown, int) else shown
