from django import template
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
