"""The personal-data registry: every personal-looking field is declared, and the shared
export and erasure follow the declarations."""

from types import SimpleNamespace

from django.apps import apps
from django.db import models

from portal import personal_data
from portal.personal_data import PersonalData

PROJECT_APPS = {"portal", "complaints", "selfassess", "legaldocs", "consumer_warnings", "reports"}


def test_every_personal_looking_field_is_declared():
    missing = {
        f"{model._meta.label}.{name}"
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        for name in personal_data.undeclared_fields(model)
    }
    assert missing == set()


def _field(name):
    field = models.CharField(max_length=20)
    field.name = name
    return field


def test_a_new_personal_field_without_declaration_is_found():
    witness = SimpleNamespace(
        _meta=SimpleNamespace(concrete_fields=[_field("title"), _field("contact_phone")]),
        personal_data=PersonalData(personal=("title",)),
    )
    assert personal_data.undeclared_fields(witness) == ["contact_phone"]


def test_declarations_name_real_fields():
    for model in personal_data.declared_models():
        spec = personal_data.declaration(model)
        names = {f.name for f in model._meta.concrete_fields}
        for name in (*spec.fields, *spec.not_personal):
            assert name in names, f"{model._meta.label} declares unknown field {name}"
        assert set(spec.kept_on_erasure) <= set(spec.personal), model
        assert not set(spec.sensitive) & set(spec.kept_on_erasure), "sensitive data is kept"
