from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in templates (labels of statuses stored in a snapshot)."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key
