"""The personal-data registry (Luật 91/2025/QH15; DESIGN.md §7 and §10).

Each model that holds personal data declares it once, as a class attribute::

    personal_data = PersonalData(
        personal=("complainant_name", "complainant_email", ...),
        sensitive=("vulnerable_group",),
        kept_on_erasure=(),
    )

Forms (which fields to mark and explain), the data export, the erasure and the access log
read it from here, so the lists cannot drift. ``tests/portal/test_personal_data.py`` fails
when any model gains a field whose name looks personal (e-mail, phone, address, identity,
birth date, …) without declaring it personal, sensitive or — with a reason — not personal.
"""

import re
from dataclasses import dataclass

from django.apps import apps
from django.db import models

# Field names that usually hold data about a person. A field matching this must be declared.
LOOKS_PERSONAL = re.compile(
    r"(^|_)(e?mail|phone|address|birth|identity|id_number|cccd|cmnd|passport|gender|ethnic"
    r"|health|vulnerable|ip|ip_address|user_agent|contact|complainant|representative"
    r"|signature|photo_of_person)($|_)"
)


@dataclass(frozen=True)
class PersonalData:
    personal: tuple = ()
    # Special categories of Luật 91/2025 (health, ethnicity, disability, …): asked only as an
    # optional answer, never offered for autofill, erased with the record's personal data.
    sensitive: tuple = ()
    # Personal fields the erasure keeps, each with its reason in a comment where declared.
    kept_on_erasure: tuple = ()
    # Fields whose names look personal but are not (say why where declared).
    not_personal: tuple = ()
    # Values computed from personal fields (the keyed hashes of portal.crypto): erased with
    # them, never exported (they tell the person nothing).
    derived: tuple = ()

    @property
    def fields(self):
        return tuple(self.personal) + tuple(self.sensitive)

    @property
    def erased(self):
        erased = tuple(self.fields) + tuple(self.derived)
        return tuple(f for f in erased if f not in self.kept_on_erasure)

    def declares(self, name):
        return name in self.fields or name in self.not_personal or name in self.derived


def declaration(model):
    """The model's declaration; a history model (django-simple-history) copies the fields of
    its model, so it answers with its model's declaration."""
    spec = getattr(model, "personal_data", None)
    if spec is None:
        spec = getattr(getattr(model, "instance_type", None), "personal_data", None)
    return spec


def declared_models():
    """Every installed model of the portal that declares personal data."""
    return [
        m for m in apps.get_models() if isinstance(getattr(m, "personal_data", None), PersonalData)
    ]


def undeclared_fields(model):
    """Concrete fields of ``model`` that look personal and are not declared (for the test)."""
    found = []
    spec = declaration(model) or PersonalData()
    for model_field in model._meta.concrete_fields:
        if isinstance(model_field, models.ForeignKey):
            continue
        if LOOKS_PERSONAL.search(model_field.name) and not spec.declares(model_field.name):
            found.append(model_field.name)
    return found


def sensitive_fields(model):
    spec = declaration(model)
    return tuple(spec.sensitive) if spec else ()


def is_personal(model, name):
    spec = declaration(model)
    return bool(spec) and name in spec.fields


def export(instance):
    """The declared personal fields of ``instance`` as {field name: value}: what a person
    receives when they ask for their data (Luật 91/2025 Điều 14)."""
    spec = declaration(type(instance))
    if spec is None:
        return {}
    data = {}
    for name in spec.fields:
        model_field = instance._meta.get_field(name)
        value = getattr(instance, model_field.attname)
        if isinstance(model_field, models.FileField):
            value = value.name if value else ""
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif not isinstance(value, str | int | float | bool | type(None)):
            value = str(value)  # Decimal, UUID, lazy text: JSON has no type for them
        data[name] = value
    return data


def blank_value(model_field):
    if isinstance(model_field, models.FileField):
        return ""
    if model_field.null:
        return None
    if isinstance(model_field, models.BooleanField):
        return False
    if model_field.has_default() and not callable(model_field.default):
        return model_field.default
    return ""


def erase(instance):
    """Blank every declared personal and sensitive field of ``instance`` except those it
    keeps; delete stored files. Returns the names erased; the caller saves."""
    spec = declaration(type(instance))
    if spec is None:
        return []
    for name in spec.erased:
        model_field = instance._meta.get_field(name)
        if isinstance(model_field, models.FileField):
            stored = getattr(instance, name)
            if stored:
                stored.delete(save=False)
        setattr(instance, model_field.attname, blank_value(model_field))
    return list(spec.erased)
