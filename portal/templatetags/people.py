"""People's names as Vietnamese writes them (issue #16, item 5): họ, tên đệm, tên.

Django's ``get_full_name()`` is ``first_name last_name`` (Western order), which shows
"Hưng Trần Quốc" for Trần Quốc Hưng. The portal keeps the family and middle names in
``last_name`` and the given name in ``first_name``, so the Vietnamese order is
``last_name first_name``."""

from django import template

register = template.Library()


def full_name(user):
    """``last_name first_name``, or the e-mail when the user gave no name; "" for nobody."""
    if user is None:
        return ""
    parts = (getattr(user, "last_name", ""), getattr(user, "first_name", ""))
    name = " ".join(" ".join(part.split()) for part in parts if part and part.strip())
    return name or getattr(user, "email", "") or ""


@register.filter
def person_name(user):
    """``{{ user|person_name }}``: the user's name in Vietnamese order, or the e-mail."""
    return full_name(user)
