import datetime

from django import template
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **changes):
    """The current query string with ``changes`` applied (for pagination and sorting)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return urlencode(sorted(params.lists()), doseq=True)


@register.filter
def vnd(value):
    """Money in đồng with '.' thousands: 1234567 → '1.234.567 ₫'."""
    if value in (None, ""):
        return ""
    try:
        number = int(round(float(value)))
    except (TypeError, ValueError):
        return value
    return f"{number:,}".replace(",", ".") + " ₫"


@register.filter
def thousands(value):
    """A whole number with '.' thousands (Vietnamese style)."""
    try:
        return f"{int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return value


@register.filter
def html_datetime(value):
    """A ``<time datetime>`` value the HTML checker accepts: local time to the second with its
    offset (``|date:'c'`` keeps microseconds, which HTML does not allow)."""
    if not isinstance(value, datetime.datetime):
        return value.isoformat() if isinstance(value, datetime.date) else ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()


@register.filter
def in_vietnamese(value):
    """Content written in Vietnamese (a business's name, a document's title), marked
    ``lang="vi"`` on pages in another language, so that a screen reader reads it as such."""
    if translation.get_language() in (None, "vi"):
        return value
    return format_html('<span lang="vi">{}</span>', value)
